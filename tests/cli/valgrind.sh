#!/bin/sh
# The flagship scenario runs clean under valgrind: no invalid access, no leak. Skipped when
# valgrind is absent or the program is built with sanitizers (which valgrind cannot run).
. "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "skip: valgrind is not installed"
    exit 77
fi
if [ "${AIFSIM_SANITIZED:-no}" = yes ]; then
    echo "skip: built with sanitizers"
    exit 77
fi
valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible \
    "$AIFSIM" run scenarios/flagship.yaml --json "$tmp/out.json" >"$tmp/out" 2>"$tmp/err" \
    || { sed 's/^/  /' "$tmp/err" | head -n 60; fail "valgrind reported errors on the flagship run"; }
valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    "$AIFSIM" validate tests/cli/bad/*.yaml >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && { sed 's/^/  /' "$tmp/err" | head -n 60; fail "valgrind reported errors on broken scenarios"; }
finish
