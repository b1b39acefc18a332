#!/bin/sh
# MLPerf Storage presets end to end (models/mlperf.yaml, workload/mlperf.c, scen_train.c):
#   - scenarios/mlperf-unet3d.yaml runs its 5 epochs of 1,218 steps (the rules' data set: 8
#     clients x 2 TB x 5 / 146.6 MB = 545,701 records over 7 x 64 a step), reports the MLPerf AU
#     at the closed form min(1, supply / demand) = 200 GB/s / (64 x 7 x 146,600,628 B / 0.323 s)
#     and passes; 9 clients (72 accelerators) fail at 200 / 228.7 GB/s;
#   - the summary prints the AU and its verdict, and two runs are byte-identical;
#   - a preset figure is overridden by the job's own key (--set);
#   - `aifsim validate` prints the preset, the epochs and the minimum AU;
#   - an unknown preset name is refused with a did-you-mean, and a scenario without a preset
#     still needs step_time and batch_per_gpu.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
sc=scenarios/mlperf-unet3d.yaml

# val FILE NAME: the value of metric NAME in JSON output FILE.
val() {
    sed -n "s/^ *\"$2\": {\"value\": \([^,]*\),.*/\1/p" "$1"
}

# near A B REL: |A - B| <= REL x |B|.
near() {
    awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b
        exit !(d <= r * m) }'
}

expect_status 0 "$AIFSIM" run "$sc" --json "$tmp/a.json"
expect_grep "accelerator utilization (MLPerf)" "$tmp/out"
expect_grep "MLPerf AU check                    pass: AU 98.3" "$tmp/out"
[ "$(val "$tmp/a.json" train.unet3d.epochs)" = 5 ] || fail "not 5 epochs"
[ "$(val "$tmp/a.json" train.unet3d.steps)" = 6090 ] || fail "not 5 x 1,218 steps"
# The two flash nodes stream 200 GB/s (100 GB/s each, catalog); the unet3d sample spread makes
# each fetch vary by 47% / sqrt(448) = 2.2%; over 1,217 steps an epoch the AU's mean moves by
# about 0.1%, so 0.5% holds it without hiding a modelling error of a few percent.
demand=$(awk 'BEGIN { printf "%.17g", 64 * 7 * 146600628 / 0.323 }')
want=$(awk -v d="$demand" 'BEGIN { printf "%.17g", 200e9 / d }')
au=$(val "$tmp/a.json" train.unet3d.mlperf_au)
near "$au" "$want" 0.005 || fail "AU $au, closed form $want"
expect_grep '"train.unet3d.mlperf_result": {"text": "pass: ' "$tmp/a.json"
expect_status 0 "$AIFSIM" run "$sc" --json "$tmp/b.json" -q
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "two runs of $sc differ"

expect_status 0 "$AIFSIM" run "$sc" -q --json "$tmp/c.json" --set cluster.clients.nodes=9
want=$(awk -v d="$demand" 'BEGIN { printf "%.17g", 200e9 / (d * 72 / 64) }')
au=$(val "$tmp/c.json" train.unet3d.mlperf_au)
near "$au" "$want" 0.005 || fail "72 accelerators: AU $au, closed form $want"
expect_grep '"train.unet3d.mlperf_result": {"text": "fail: ' "$tmp/c.json"

# An override of a preset figure: 1 s of compute per batch makes the run compute-bound.
expect_status 0 "$AIFSIM" run "$sc" -q --json "$tmp/d.json" --set workloads.unet3d.step_time=1s
au=$(val "$tmp/d.json" train.unet3d.mlperf_au)
near "$au" 1 0.001 || fail "compute-bound AU $au, not 1"
[ "$(val "$tmp/d.json" train.unet3d.compute_time_per_step)" = 1 ] || fail "step_time not overridden"

# validate names the preset and the epochs: 5 of the 1,218 steps above, 6,090 in all.
expect_status 0 "$AIFSIM" validate "$sc"
expect_grep "MLPerf preset unet3d-h100, 5 epochs of 1218 steps (6090 steps), minimum AU 90%" \
    "$tmp/out"
expect_status 0 "$AIFSIM" validate "$sc" --set workloads.unet3d.epochs=2
expect_grep "MLPerf preset unet3d-h100, 2 epochs of 1218 steps (2436 steps)" "$tmp/out"

# Mistakes.
expect_status 2 "$AIFSIM" run "$sc" --set workloads.unet3d.preset=unet3d-h10
expect_grep 'error: workloads[0].train.preset: unknown MLPerf Storage workload "unet3d-h10"; did you mean "unet3d-h100"?' "$tmp/err"
sed '/preset: unet3d-h100/d' "$top_srcdir/$sc" >"$tmp/nopreset.yaml"
expect_status 2 "$AIFSIM" validate "$tmp/nopreset.yaml"
expect_grep 'missing required field "batch_per_gpu"' "$tmp/err"
expect_grep 'missing required field "step_time"' "$tmp/err"
expect_grep 'missing required field "sample_size"' "$tmp/err"
finish
