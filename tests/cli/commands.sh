#!/bin/sh
# The `aifsim` command as a user meets it: help, version, run, JSON output, --set, validate,
# catalog, and failures that must leave no file behind.
. "$(dirname "$0")/lib.sh"

expect_status 0 "$AIFSIM" --help
expect_grep "usage: aifsim COMMAND" "$tmp/out"
expect_status 0 "$AIFSIM" --version
expect_grep "aifsim " "$tmp/out"
for c in run validate catalog; do
    expect_status 0 "$AIFSIM" "$c" --help
    expect_grep "usage: aifsim $c" "$tmp/out"
done
expect_status 2 "$AIFSIM"
expect_status 2 "$AIFSIM" rn
expect_grep 'did you mean "run"?' "$tmp/err"
expect_status 2 "$AIFSIM" run
expect_grep "needs a scenario file" "$tmp/err"
expect_status 2 "$AIFSIM" run scenarios/flagship.yaml --frobnicate
expect_grep 'unknown option "--frobnicate"' "$tmp/err"
expect_status 2 "$AIFSIM" run scenarios/flagship.yaml --json
expect_grep "needs a value" "$tmp/err"
expect_status 2 "$AIFSIM" run does-not-exist.yaml
expect_grep "does-not-exist.yaml" "$tmp/err"

# Every shipped scenario validates and runs, and the summary carries the promised figures.
for f in scenarios/*.yaml; do
    expect_status 0 "$AIFSIM" validate "$f"
    expect_status 0 "$AIFSIM" run "$f" --json "$tmp/out.json"
    expect_grep "computing" "$tmp/out"
    expect_grep "waiting for data" "$tmp/out"
    expect_grep "read from devices" "$tmp/out"
    expect_grep "verdict:" "$tmp/out"
    expect_grep '"value":' "$tmp/out.json"
    grep -q '^  "train\.[a-z0-9-]*\.gpu_utilization": {"value": [0-9.e+-]*, "unit": "1"},$' \
        "$tmp/out.json" || fail "$f: train.<job>.gpu_utilization missing from JSON"
    grep -q '^  "storage\.[a-z0-9-]*\.read_rate": {"value": [0-9.e+-]*, "unit": "B/s"},$' \
        "$tmp/out.json" || fail "$f: storage.<tier>.read_rate missing from JSON"
    rm -f "$tmp/out.json"
done

# The compute-bound scenario keeps its GPUs busy; the storage-bound one does not.
"$AIFSIM" run scenarios/compute-bound.yaml --json "$tmp/c.json" >/dev/null 2>&1
"$AIFSIM" run scenarios/storage-bound.yaml --json "$tmp/s.json" >/dev/null 2>&1
util() { sed -n 's/^  "train\.[^"]*\.gpu_utilization": {"value": \([^,]*\),.*/\1/p' "$1" | head -n 1; }
awk -v u="$(util "$tmp/c.json")" 'BEGIN { exit !(u > 0.99) }' || fail "compute-bound scenario below 99% busy"
awk -v u="$(util "$tmp/s.json")" 'BEGIN { exit !(u < 0.9) }' || fail "storage-bound scenario above 90% busy"
expect_status 0 "$AIFSIM" run scenarios/storage-bound.yaml
expect_grep "data-bound" "$tmp/out"

# One storage system, two GPU counts: four QLC nodes keep 768 GPUs above 90% busy and cannot
# keep 1280 busy; the short one's verdict names the tier's NICs and the shortfall per GPU.
"$AIFSIM" run scenarios/storage-fits.yaml --json "$tmp/fits.json" >/dev/null 2>&1
awk -v u="$(util "$tmp/fits.json")" 'BEGIN { exit !(u > 0.9) }' || fail "storage-fits below 90% busy"
expect_status 0 "$AIFSIM" run scenarios/storage-short.yaml --json "$tmp/short.json"
awk -v u="$(util "$tmp/short.json")" 'BEGIN { exit !(u < 0.9) }' || fail "storage-short above 90% busy"
expect_grep "bottleneck: the storage tier's NICs" "$tmp/out"
expect_grep "MB/s short" "$tmp/out"

# Mixed: the checkpoint is slowed by the training reads, but no more than its QoS bound; the
# look-ups meet their objective with the reserve and miss it without.
metric() { sed -n "s/^  \"$2\": {\"value\": \([^,]*\),.*/\1/p" "$1"; }
expect_status 0 "$AIFSIM" run scenarios/mixed-burst.yaml --json "$tmp/mixed.json"
expect_grep "the QoS weights allow at most" "$tmp/out"
expect_grep "meets the 1 ms objective" "$tmp/out"
awk -v s="$(metric "$tmp/mixed.json" burst.ckpt.slowdown)" \
    -v b="$(metric "$tmp/mixed.json" burst.ckpt.slowdown_bound)" \
    'BEGIN { exit !(s > 1 && s <= b) }' || fail "mixed-burst: slowdown not in (1, bound]"
expect_status 0 "$AIFSIM" run scenarios/mixed-burst.yaml --set storage.hot.reserve=0
expect_grep "MISSES the 1 ms objective" "$tmp/out"

# --set changes the run: more storage nodes make the storage-bound job busier.
"$AIFSIM" run scenarios/storage-bound.yaml --set 'storage[0].nodes=40' --json "$tmp/s2.json" \
    >/dev/null 2>&1 || fail "--set storage[0].nodes=40 failed"
awk -v a="$(util "$tmp/s.json")" -v b="$(util "$tmp/s2.json")" 'BEGIN { exit !(b > a) }' \
    || fail "--set storage[0].nodes=40 did not raise utilization"
expect_status 0 "$AIFSIM" run scenarios/flagship.yaml --seed 7 --json "$tmp/seed.json"
expect_grep '"run.seed": {"value": 7,' "$tmp/seed.json"

# A write that fails leaves no file behind and exits 1.
expect_status 1 env AIFSIM_TEST_FAIL_WRITE=3 "$AIFSIM" run scenarios/flagship.yaml --json "$tmp/f.json"
[ ! -e "$tmp/f.json" ] || fail "a failed JSON write left $tmp/f.json"
ls -a "$tmp" | grep -q '^\.aifsim-' && fail "a failed JSON write left a temporary file"
if [ -w /dev/full ]; then
    expect_status 1 "$AIFSIM" run scenarios/flagship.yaml --json /dev/full
fi
# An existing output is replaced whole or not at all.
echo "old" >"$tmp/keep.json"
expect_status 1 env AIFSIM_TEST_FAIL_WRITE=2 "$AIFSIM" run scenarios/flagship.yaml --json "$tmp/keep.json"
[ "$(cat "$tmp/keep.json")" = "old" ] || fail "a failed write damaged an existing output"

# Catalog listing.
expect_status 0 "$AIFSIM" catalog
for k in gpus nodes links storage facility switches llms mlperf; do
    expect_status 0 "$AIFSIM" catalog "$k"
done
expect_status 0 "$AIFSIM" catalog gpus
expect_grep "h100-sxm" "$tmp/out"
expect_status 2 "$AIFSIM" catalog gpu
expect_grep 'did you mean "gpus"?' "$tmp/err"

# The program finds its catalog without AIFSIM_MODELS, installed or not.
expect_status 0 env -u AIFSIM_MODELS "$AIFSIM" catalog gpus
finish
