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

# A shell starts background commands with SIGINT ignored (without job control); $with_sigint
# runs a command with it back to its default: `env --default-signal` (coreutils 8.31) or perl;
# empty when neither is there.
if env --default-signal=INT true 2>/dev/null; then
    with_sigint="env --default-signal=INT"
elif command -v perl >/dev/null 2>&1; then
    # shellcheck disable=SC2016
    with_sigint='perl -e $SIG{INT}="DEFAULT";exec(@ARGV);exit(127)'
else
    with_sigint=
fi

# wait_rows DB TABLE N PID: waits until TABLE of the SQLite database DB holds N rows or more, or
# PID has ended (30 s at most).
wait_rows() {
    _n=0
    _tries=0
    while [ "$_n" -lt "$3" ] && [ "$_tries" -lt 600 ] && kill -0 "$4" 2>/dev/null; do
        sleep 0.05
        _n=$(sqlite3 "$1" "SELECT count(*) FROM $2" 2>/dev/null || echo 0)
        _tries=$((_tries + 1))
    done
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
