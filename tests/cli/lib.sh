# Shared helpers for the shell tests in tests/cli/. Sourced, not run.
# Environment from `make check`: AIFSIM (the built program), AIFSIM_MODELS, top_srcdir.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${AIFSIM:=$top_srcdir/aifsim}"
if [ ! -x "$AIFSIM" ]; then
    echo "skip: $AIFSIM is not built"
    exit 77
fi
cd "$top_srcdir" || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aifsim-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0

# fail MESSAGE: records a failure and goes on.
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect_status WANT CMD...: runs CMD, stdout to $tmp/out, stderr to $tmp/err.
expect_status() {
    want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "exit status $got, expected $want: $*"
        sed 's/^/  stderr: /' "$tmp/err" | head -n 20
    fi
}

# expect_grep PATTERN FILE: FILE contains a line matching the fixed string PATTERN.
expect_grep() {
    grep -qF -- "$1" "$2" || fail "\"$1\" not found in $(basename "$2")"
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
