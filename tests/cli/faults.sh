#!/bin/sh
# Fault injection in the spirit of SQLite's: `aifsim run scenarios/compute-bound.yaml --json
# out.json` is run once clean with AIFSIM_FAULT_COUNT=1 to count its allocations and output
# operations, then again with each allocation (AIFSIM_FAULT_ALLOC=N) and each output operation
# (AIFSIM_FAULT_WRITE=N) failing in turn. Every failing run must exit 1 with a message on stderr
# that starts "aifsim: error:" (out of memory, or the path or standard output with the reason),
# leave nothing in its directory (no out.json, no temporary file), and, under the sanitizer
# build, show no leak or other sanitizer report. N = count + 1 must succeed, so the counts are
# exact.
#
# All of the first AIFSIM_FAULTS_FIRST (default 250) allocations and 60 output operations are
# failed, then a deterministic sample (every 9th allocation, every 8th operation) and the last
# 10 of each; AIFSIM_FAULTS_FULL=1 fails every one of them (about 1100 runs). Out of memory ends
# the process at once with _exit(1) (base/alloc.c), so for those runs the sanitizers' leak
# check has nothing to say; the write failures go through every clean-up path and are checked.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
scn=$top_srcdir/scenarios/compute-bound.yaml
run=$tmp/run
mkdir "$run" || exit 99

# The clean run, counted.
(cd "$run" && AIFSIM_FAULT_COUNT=1 "$AIFSIM" run "$scn" --json out.json >/dev/null 2>"$tmp/count")
[ $? -eq 0 ] || { cat "$tmp/count"; fail "the clean run failed"; finish; }
grep -q '"run.seed"' "$run/out.json" || fail "the clean run wrote no JSON"
allocs=$(sed -n 's/^aifsim: faults: \([0-9]*\) allocations, \([0-9]*\) writes$/\1/p' "$tmp/count")
writes=$(sed -n 's/^aifsim: faults: \([0-9]*\) allocations, \([0-9]*\) writes$/\2/p' "$tmp/count")
if [ -z "$allocs" ] || [ -z "$writes" ] || [ "$allocs" -lt 10 ] || [ "$writes" -lt 5 ]; then
    fail "no fault counts from AIFSIM_FAULT_COUNT=1: $(cat "$tmp/count")"
    finish
fi
rm -f "$run/out.json"

# picks TOTAL FIRST STRIDE: 1..FIRST, then every STRIDE-th, then the last 10 (or all of them
# with AIFSIM_FAULTS_FULL=1).
picks() {
    awk -v total="$1" -v first="$2" -v stride="$3" -v full="${AIFSIM_FAULTS_FULL:-0}" 'BEGIN {
        for (n = 1; n <= total; n++)
            if (full == 1 || n <= first || (n - first) % stride == 0 || n > total - 10)
                print n
    }'
}

ran=0
# check KIND N: runs with the N-th KIND (ALLOC or WRITE) failing and checks what it left.
check() {
    (cd "$run" && env "AIFSIM_FAULT_$1=$2" "$AIFSIM" run "$scn" --json out.json \
        >/dev/null 2>"$tmp/err")
    status=$?
    ran=$((ran + 1))
    what="AIFSIM_FAULT_$1=$2"
    [ "$status" -eq 1 ] || fail "$what: exit status $status, expected 1"
    head -n 1 "$tmp/err" | grep -q '^aifsim: error: ' \
        || fail "$what: stderr does not start with \"aifsim: error:\": $(head -n 1 "$tmp/err")"
    if [ "$1" = ALLOC ]; then
        grep -q '^aifsim: error: out of memory' "$tmp/err" || fail "$what: no out-of-memory message"
    else
        grep -q 'No space left on device' "$tmp/err" || fail "$what: the reason is not given"
    fi
    if grep -q 'Sanitizer\|runtime error:' "$tmp/err"; then
        fail "$what: sanitizer report"
        sed 's/^/  /' "$tmp/err" | head -n 20
    fi
    left=$(ls -A "$run")
    if [ -n "$left" ]; then
        fail "$what: left behind: $left"
        rm -f "$run"/* "$run"/.[!.]*
    fi
}

for n in $(picks "$allocs" "${AIFSIM_FAULTS_FIRST:-250}" 9); do
    check ALLOC "$n"
done
nalloc=$ran
for n in $(picks "$writes" 60 8); do
    check WRITE "$n"
done
nwrite=$((ran - nalloc))

# One past the count fails nothing: the counts are exact and the run is deterministic.
for kind in ALLOC WRITE; do
    n=$allocs
    [ "$kind" = WRITE ] && n=$writes
    (cd "$run" && env "AIFSIM_FAULT_$kind=$((n + 1))" "$AIFSIM" run "$scn" --json out.json \
        >/dev/null 2>"$tmp/err") || fail "AIFSIM_FAULT_$kind=$((n + 1)) (one past the count) failed"
    [ -s "$run/out.json" ] || fail "AIFSIM_FAULT_$kind=$((n + 1)): no out.json"
    rm -f "$run/out.json"
done

# The commands without an output file check standard output once: failing that check fails the
# command with the message.
for cmd in "validate $scn" "catalog gpus"; do
    # shellcheck disable=SC2086
    AIFSIM_FAULT_WRITE=1 "$AIFSIM" $cmd >/dev/null 2>"$tmp/err"
    [ $? -eq 1 ] || fail "AIFSIM_FAULT_WRITE=1 aifsim $cmd: not exit 1"
    expect_grep "aifsim: error: writing standard output: No space left on device" "$tmp/err"
done

echo "$allocs allocations and $writes output operations in the clean run;" \
    "failed $nalloc allocations and $nwrite operations, one run each"
finish
