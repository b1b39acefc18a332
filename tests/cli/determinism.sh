#!/bin/sh
# Same scenario and seed give byte-identical outputs (summary and JSON).
. "$(dirname "$0")/lib.sh"
for f in scenarios/*.yaml; do
    "$AIFSIM" run "$f" --seed 11 --json "$tmp/a.json" >"$tmp/a.txt" 2>&1 || fail "$f: run failed"
    "$AIFSIM" run "$f" --seed 11 --json "$tmp/b.json" >"$tmp/b.txt" 2>&1 || fail "$f: run failed"
    cmp -s "$tmp/a.txt" "$tmp/b.txt" || fail "$f: summaries differ between two identical runs"
    cmp -s "$tmp/a.json" "$tmp/b.json" || fail "$f: JSON differs between two identical runs"
done
finish
