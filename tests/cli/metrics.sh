#!/bin/sh
# `aifsim metrics`: the metric table is printed, doc/metrics.md is its --markdown output, and
# every metric a shipped scenario writes to JSON is in the table (and every name the table lists
# for a run's groups appears in some scenario's output or is optional).
. "$(dirname "$0")/lib.sh"

expect_status 0 "$AIFSIM" metrics
expect_grep "train.<job>.gpu_utilization" "$tmp/out"
expect_grep "cost.per_hour" "$tmp/out"
expect_status 0 "$AIFSIM" metrics --markdown
grep '^|' doc/metrics.md >"$tmp/doc"
if ! cmp -s "$tmp/out" "$tmp/doc"; then
    fail "doc/metrics.md is not the output of \`aifsim metrics --markdown\`; regenerate it"
    diff "$tmp/out" "$tmp/doc" | head -n 10
fi
expect_status 2 "$AIFSIM" metrics --bogus
expect_grep "unknown option \"--bogus\"" "$tmp/err"

# Every metric a run writes has a row: a name matches when its instance part is one of the
# table's <job>, <workload>, <pool>, <tier> or <fabric> stand-ins.
sed -n 's/^| `\([^`]*\)`.*/\1/p' doc/metrics.md >"$tmp/names"
for f in scenarios/*.yaml; do
    "$AIFSIM" run "$f" -q --json "$tmp/run.json" >/dev/null 2>&1 || fail "run $f"
    sed -n 's/^  "\([^"]*\)".*/\1/p' "$tmp/run.json" | while read -r name; do
        group=${name%%.*}
        leaf=${name##*.}
        if grep -qx "$group\.$leaf" "$tmp/names" || grep -qx "$group\.<[a-z]*>\.$leaf" "$tmp/names"
        then
            :
        else
            echo "FAIL: $f writes \"$name\", which aifsim metrics does not list"
        fi
    done >>"$tmp/missing"
done
if [ -s "$tmp/missing" ]; then
    cat "$tmp/missing"
    failures=$((failures + 1))
fi
finish
