#!/bin/sh
# Runs the libFuzzer harnesses briefly: `make fuzz-smoke` (see Makefile.am) calls it from a build
# configured with --enable-fuzz, with the harness programs as arguments. For each harness it
#   1. gathers seeds in fuzz-seeds/<name>/: its hand-written corpus tests/fuzz/corpus/<name>/ and
#      copies from the source tree (scenarios, the catalog, the CLI tests' broken scenarios);
#   2. replays every seed and every regression input of tests/fuzz/regress/<name>/ once;
#   3. fuzzes for FUZZ_SECONDS seconds from those, with a fresh work corpus in fuzz-work/<name>/.
# Any crash, sanitizer report, leak, input slower than 5 s or RSS above 2 GB fails the run; the
# input is saved in fuzz-artifacts/. Prints the executions per harness.
# A program named *_random is a harness with the plain driver of tests/fuzz/driver.c (no
# libFuzzer): it replays its corpus and regression inputs, then runs seeded random inputs for
# FUZZ_SECONDS seconds (seed FUZZ_SEED, default 1, so a failure repeats).
# The world harness's generator can keep away from issues not fixed yet (AIFSIM_FUZZ_AVOID, see
# tests/fuzz/fuzz_world.c: "nic", "tiny", "weights", "lookups", "holds", "arrivals"). The
# default avoids nothing: every range and every check is on. The last class it skipped, "holds"
# (holds-devices-under-failures.yaml, holds-devices-tiny-drain-weight.yaml: a wait charged to
# devices a hair short of saturated beside extreme weights), was the flow network's block clock
# losing its advances, fixed with those findings.
# Environment: top_srcdir (the source tree), FUZZ_SECONDS (default 20), FUZZ_SEED,
# AIFSIM_FUZZ_AVOID, AIFSIM_MODELS.
set -u
: "${top_srcdir:?top_srcdir must name the source tree}"
: "${FUZZ_SECONDS:=20}"
: "${FUZZ_SEED:=1}"
AIFSIM_FUZZ_AVOID=${AIFSIM_FUZZ_AVOID-}
export AIFSIM_FUZZ_AVOID
flags="-rss_limit_mb=2048 -timeout=5"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
src=$top_srcdir
# Guard against a harness stuck outside libFuzzer's own time limits.
guard=""
command -v timeout >/dev/null 2>&1 && guard="timeout $((FUZZ_SECONDS + 300))"

# seeds NAME DIR: fills DIR with the seeds of harness NAME taken from the source tree.
seeds() {
    case "$1" in
    units)
        # Every quantity of the catalog and the scenarios, one per file.
        sed -n -e 's/.*{ *value: *\([^,}]*\).*/\1/p' \
            -e 's/^ *\(duration\|step_time\|size\|sample_size\|tokens_per_step\|mfu\): *\(.*\)/\2/p' \
            "$src"/models/*.yaml "$src"/scenarios/*.yaml | sort -u | {
            n=0
            while IFS= read -r v; do
                printf '%s' "$v" >"$2/source-$n"
                n=$((n + 1))
            done
        }
        ;;
    scenario)
        for f in "$src"/scenarios/*.yaml "$src"/tests/cli/bad/*.yaml; do
            cp "$f" "$2/$(basename "$(dirname "$f")")-$(basename "$f")"
        done
        cp "$src/tests/fixtures/good.yaml" "$2/fixture-good.yaml"
        ;;
    catalog)
        # The nine files in section order, separated by "%%" lines.
        for s in gpus links nodes storage facility switches llms mlperf servers; do
            [ "$s" = gpus ] || printf '%%%%\n'
            cat "$src/models/$s.yaml"
        done >"$2/models"
        ;;
    esac
    if [ -d "$src/tests/fuzz/corpus/$1" ]; then
        cp "$src/tests/fuzz/corpus/$1"/* "$2"/ 2>/dev/null
    fi
    return 0
}

failed=""
summary=""
mkdir -p fuzz-artifacts
# random PROG NAME: the plain-driver run of PROG, for harness NAME.
random() {
    corpus=$src/tests/fuzz/corpus/$2
    regress=$src/tests/fuzz/regress/$2
    log=fuzz-work/$2-random.log
    mkdir -p fuzz-work
    : >"$log"
    inputs=$(find "$corpus" "$regress" -type f 2>/dev/null | sort)
    # shellcheck disable=SC2086 # the file names have no spaces
    if { [ -n "$inputs" ] && ! $guard "$1" -crash=fuzz-artifacts/"$2"-random-crash $inputs \
        >>"$log" 2>&1; } ||
        ! $guard "$1" -seconds="$FUZZ_SECONDS" -seed="$FUZZ_SEED" \
            -crash=fuzz-artifacts/"$2"-random-crash >>"$log" 2>&1; then
        echo "FAIL: $2 (random): the input is in fuzz-artifacts/$2-random-crash (log: $log)"
        grep -E 'ERROR|SUMMARY|Assertion|broken invariant|driver:' "$log" | tail -n 30 |
            sed 's/^/  /'
        failed="$failed $2-random"
        return
    fi
    summary="$summary
  $2 (plain driver): $(sed -n 's/^driver: \([0-9]*\) random inputs.*/\1/p' "$log") random inputs \
in ${FUZZ_SECONDS}s, seed $FUZZ_SEED"
}

for prog in "$@"; do
    name=$(basename "$prog" | sed 's/^fuzz_//')
    case "$name" in
    *_random)
        random "$prog" "${name%_random}"
        continue
        ;;
    esac
    seeddir=fuzz-seeds/$name
    work=fuzz-work/$name
    regress=$src/tests/fuzz/regress/$name
    log=fuzz-work/$name.log
    rm -rf "$seeddir" "$work"
    mkdir -p "$seeddir" "$work"
    [ -d "$regress" ] || regress=""
    seeds "$name" "$seeddir"
    dict=""
    case "$name" in
    units) dict="-dict=$src/tests/fuzz/units.dict" ;;
    world) dict="" ;; # its input is choices, not text
    *) dict="-dict=$src/tests/fuzz/scenario.dict" ;;
    esac

    # 1. Replay: every seed and regression input once.
    # shellcheck disable=SC2086 # $regress is empty or one path
    inputs=$(find "$seeddir" $regress -type f | sort)
    nin=$(printf '%s\n' "$inputs" | grep -c .)
    # shellcheck disable=SC2086
    if ! printf '%s\n' "$inputs" | xargs -r $guard "$prog" $flags >"$log" 2>&1; then
        echo "FAIL: $name: replaying its seeds and regression inputs"
        grep -E 'ERROR|SUMMARY|Running:|broken invariant|fuzz:' "$log" | tail -n 30 | sed 's/^/  /'
        failed="$failed $name"
        continue
    fi

    # 2. Fuzz.
    echo "fuzz-smoke: $name: $nin seeds and regression inputs replayed; fuzzing ${FUZZ_SECONDS}s"
    # shellcheck disable=SC2086
    $guard "$prog" $flags $dict -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
        -artifact_prefix=fuzz-artifacts/"$name"- "$work" "$seeddir" $regress >>"$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ "$status" -ne 0 ]; then
        echo "FAIL: $name: exit status $status after ${execs:-?} executions (log: $log)"
        grep -E 'ERROR|SUMMARY|Test unit written|broken invariant|fuzz:' "$log" | tail -n 30 |
            sed 's/^/  /'
        failed="$failed $name"
        continue
    fi
    summary="$summary
  $name: ${execs:-?} executions in ${FUZZ_SECONDS}s, $(find "$work" -type f | wc -l) new inputs"
done
echo "fuzz-smoke:$summary"
if [ -n "$failed" ]; then
    echo "fuzz-smoke: failed:$failed (crashing inputs are in fuzz-artifacts/; add each to"
    echo "  tests/fuzz/regress/<harness>/ with its fix)"
    exit 1
fi
echo "fuzz-smoke: no crash, leak or timeout"
