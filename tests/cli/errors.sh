#!/bin/sh
# Broken scenarios: for each tests/cli/bad/NAME.yaml, `aifsim run FILE --json OUT` and
# `aifsim validate FILE` exit 2, print exactly tests/cli/expected/NAME.err on stderr (paths as
# given on the command line, relative to the source tree) and nothing on stdout, and run writes
# no OUT. Then the same for broken --set overrides of the valid tests/fixtures/good.yaml.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

# check NAME ARGS...: runs `aifsim run ARGS --json` and `aifsim validate ARGS` and compares
# stderr with tests/cli/expected/NAME.err.
check() {
    name=$1
    shift
    want=tests/cli/expected/$name.err
    if [ ! -f "$want" ]; then
        fail "$want is missing"
        return
    fi
    for cmd in run validate; do
        rm -f "$tmp/out.json"
        if [ "$cmd" = run ]; then
            "$AIFSIM" run "$@" --json "$tmp/out.json" >"$tmp/out" 2>"$tmp/err"
        else
            "$AIFSIM" validate "$@" >"$tmp/out" 2>"$tmp/err"
        fi
        status=$?
        [ "$status" -eq 2 ] || fail "aifsim $cmd $*: exit status $status, expected 2"
        if ! cmp -s "$want" "$tmp/err"; then
            fail "aifsim $cmd $*: stderr differs from $want"
            diff -u "$want" "$tmp/err" | sed 's/^/    /'
        fi
        [ -s "$tmp/out" ] && fail "aifsim $cmd $*: printed on stdout: $(head -n 1 "$tmp/out")"
        [ -e "$tmp/out.json" ] && fail "aifsim $cmd $*: wrote $tmp/out.json"
    done
}

count=0
for f in tests/cli/bad/*.yaml; do
    check "$(basename "$f" .yaml)" "$f"
    count=$((count + 1))
done
[ "$count" -ge 25 ] || fail "only $count broken scenarios in tests/cli/bad (want at least 25)"

# Every expected text belongs to a case.
for e in tests/cli/expected/*.err; do
    name=$(basename "$e" .err)
    case "$name" in
    set-*) ;;
    *) [ -f "tests/cli/bad/$name.yaml" ] || fail "$e has no tests/cli/bad/$name.yaml" ;;
    esac
done

# The fixture itself is valid, so the --set cases below test only their override.
expect_status 0 "$AIFSIM" validate tests/fixtures/good.yaml
good=tests/fixtures/good.yaml
check set-no-such-field "$good" --set storage.hott.nodes=4
check set-bad-value "$good" --set storage.hot.nodes=eight --set 'workloads.vit.step_time=5 m'
check set-unknown-key "$good" --set cluster.train.nodez=4
check set-malformed "$good" --set nodes --set 'storage[x].nodes=1'
# A control character written as a YAML escape (a raw one is a YAML syntax error).
check set-control-name "$good" --set 'name="good\e[31m"'
finish
