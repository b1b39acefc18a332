#!/bin/sh
# `aifsim plan`: "the fewest storage nodes for these GPUs at 90%" and "the most GPUs this storage
# keeps at 90%" on scenarios/storage-bound.yaml, whose answers follow by hand from its header:
# 512 GPUs ask 256 x 110 kB / 0.2 s = 140.8 MB/s each, 72.09 GB/s in all; an enclosure streams
# 15.3 GB/s of which 0.733 / 0.746 is transfer (two 6.5 ms seeks a 110 MB shard), 15.03 GB/s.
# Utilization is min(1, supply / demand):
#   disk nodes for 90%: ceil(0.9 x 72.09 / 15.03) = ceil(4.32) = 5 (4 give 83.4%, failing)
#   GPU nodes two enclosures keep at 90%: floor(30.07 / (0.9 x 8 x 0.1408)) = floor(29.66) = 29
#   (29 give 92.1%, 30 give 88.9%, failing).
# Then a second goal that binds alone (storage.disk.read_rate >= 65 GB/s: 4 enclosures read
# 60.1 GB/s) and both binding; with replications the bound is named; a grid's cheapest passing
# point; and bad goals exit 2 with the message that says why.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

scn=scenarios/storage-bound.yaml
util='train.vit-b16.gpu_utilization'

# The fewest disk enclosures for 512 GPUs at 90%.
expect_status 0 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=1..64 -j 2
expect_grep "answer: storage.disk.nodes=5 " "$tmp/out"
expect_grep "passing: storage.disk.nodes=5: meets the goals" "$tmp/out"
expect_grep "failing: storage.disk.nodes=4: fails: $util 83." "$tmp/out"
expect_grep "binding: $util >= 90%" "$tmp/out"
# galloping 1, 2, 4, 8 then bisection 6, 5: six runs, not 64
expect_grep "(6 runs)" "$tmp/out"
cp "$tmp/out" "$tmp/j2"
# The same answer and runs on one thread.
expect_status 0 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=1..64 -j 1
cmp -s "$tmp/out" "$tmp/j2" || fail "plan -j 1 and -j 2 printed different outputs"

# The most GPU nodes two enclosures keep at 90%.
expect_status 0 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary cluster.vision.nodes=1..512 \
    --maximize cluster.vision.nodes -q
expect_grep "answer: cluster.vision.nodes=29 " "$tmp/out"
expect_grep "passing: cluster.vision.nodes=29: meets the goals: $util 92" "$tmp/out"
expect_grep "failing: cluster.vision.nodes=30: fails: $util 88.9" "$tmp/out"

# Two goals: the read rate binds alone, then both bind.
expect_status 0 "$AIFSIM" plan "$scn" --goal "$util >= 50% and storage.disk.read_rate >= 65 GB/s" \
    --vary storage.disk.nodes=1..16 -q
expect_grep "answer: storage.disk.nodes=5 " "$tmp/out"
expect_grep "binding: storage.disk.read_rate >= 65 GB/s" "$tmp/out"
grep -q "binding: $util" "$tmp/out" && fail "the utilization goal (62% at 3 nodes) said to bind"
expect_status 0 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --goal "storage.disk.read_rate >= 65 GB/s" \
    --vary storage.disk.nodes=1..16 -q
expect_grep "binding: $util >= 90%" "$tmp/out"
expect_grep "binding: storage.disk.read_rate >= 65 GB/s" "$tmp/out"

# Replications: the goal is judged on the interval's lower bound, and the output says so.
expect_status 0 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=1..16 \
    --replications 3 -j 2
expect_grep "3 replications a value: a goal holds when the bound of its 95% confidence" "$tmp/out"
expect_grep "answer: storage.disk.nodes=5 " "$tmp/out"
expect_grep "(95% CI" "$tmp/out"
expect_grep "binding: $util >= 90% (on the lower 95% bound)" "$tmp/out"

# A grid: the cheapest (cost.tco) passing point of enclosures x systems.
expect_status 0 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=4,5,6 \
    --vary cluster.vision.nodes=32,64 -q
expect_grep "answer: storage.disk.nodes=4, cluster.vision.nodes=32 " "$tmp/out"

# Nothing in the range meets the goals: exit 1, naming the range.
expect_status 1 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=1..3 -q
expect_grep "no value of storage.disk.nodes from 1 to 3 meets the goals" "$tmp/err"

# Bad goals.
expect_status 2 "$AIFSIM" plan "$scn" --goal "train.vit-b16.gpu_utilisation >= 90%" \
    --vary storage.disk.nodes=1..8
expect_grep 'unknown metric "train.vit-b16.gpu_utilisation"; did you mean "train.vit-b16.gpu_utilization"?' "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 50 ms" --vary storage.disk.nodes=1..8
expect_grep "$util: expected a ratio" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util = 90%" --vary storage.disk.nodes=1..8
expect_grep "expected a comparison METRIC OP VALUE with OP one of >=, <=, >, <" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90% and" --vary storage.disk.nodes=1..8
expect_grep "an empty comparison" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --goal "train.resnet.gpu_utilization >= 90%" \
    --vary storage.disk.nodes=1..8
expect_grep "the runs have no metric train.resnet.gpu_utilization" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=1..8 \
    --maximize cluster.vision.nodes
expect_grep "--maximize cluster.vision.nodes: neither a varied field nor a numeric metric" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --vary storage.disk.nodes=1..8
expect_grep "needs a --goal" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= train.vit-b16.time_per_step" \
    --vary storage.disk.nodes=1..8
expect_grep "train.vit-b16.time_per_step is not a metric of $util's unit" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --maximize train.vit-b16.goodput --minimize cost.capital \
    --vary storage.disk.nodes=1..8 --maximize cluster.vision.nodes
expect_grep "neither a varied field nor a numeric metric" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --maximize train.vit-b16.samples_per_second \
    --minimize train.vit-b16.time_per_step --vary storage.disk.nodes=1..8
expect_grep "give one thing to optimize" "$tmp/err"
# A value the field does not take is a mistake (exit 2), not a configuration that fails; a
# --set of the varied field by another path would override it, and is refused too.
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=2,4,6x,8 -q
expect_grep 'in the run of storage.disk.nodes=6x: a value the scenario does not take' "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=2..8 \
    --set 'storage[0].nodes=6' -q
expect_grep "--set storage[0].nodes=6: overrides the field that --vary storage.disk.nodes=... varies" "$tmp/err"
# A value that does not load, in the middle of a long range a search checks only when it comes to
# it: still a mistake (exit 2).
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary 'storage.disk.nodes=1,2,3,4,x5,6,7,8' -q
expect_grep 'in the run of storage.disk.nodes=x5: a value the scenario does not take' "$tmp/err"
# A misspelt --show metric.
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=1..8 \
    --show train.vit-b6.gpus -q
expect_grep '--show: the runs have no metric train.vit-b6.gpus' "$tmp/err"
# A grid's cost must be in the runs (cost.per_million_tokens is only where tokens are trained).
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=4,5 \
    --vary cluster.vision.nodes=32,64 --minimize cost.per_million_tokens -q
expect_grep "the runs have no metric cost.per_million_tokens" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=1..1000 \
    --vary cluster.vision.nodes=1..100 --replications 100 --exhaustive -q
expect_grep "more than the 1000000 runs a plan may make" "$tmp/err"
# Every configuration refused: a mistake, not a plan (exit 2).
expect_status 2 "$AIFSIM" plan "$scn" --goal "$util >= 90%" --vary storage.disk.nodes=1..8 \
    --set workloads[0].train.dataset.size=1000PB -q
expect_grep "every configuration tried was refused" "$tmp/err"

# --- "The fewest flash nodes for 512 GPUs at 90%" on scenarios/flash-512.yaml, where flash binds:
# 614.4 GB/s of reads on 100 GB/s nodes, ceil(0.9 x 6.144) = 6 (5 give 500 / 614.4 = 81.4%, less
# the checkpoints' stalls). One node cannot hold the 300 TB data set: that configuration is
# refused, counts as failing, and the search goes on.
f512=scenarios/flash-512.yaml
vutil=train.video.gpu_utilization
expect_status 0 "$AIFSIM" plan "$f512" --vary storage.flash.nodes=1..64 --goal "$vutil >= 90%" -j 2
expect_grep "run storage.flash.nodes=1: fails: refused: storage tier \"flash\": the data sets placed on it need 300 TB" "$tmp/out"
expect_grep "answer: storage.flash.nodes=6 (6 runs)" "$tmp/out"
expect_grep "failing: storage.flash.nodes=5: fails: $vutil 81." "$tmp/out"
expect_grep "binding: $vutil >= 90%" "$tmp/out"
# The bracket against the closed form: 97.66% and 81.38% less a checkpoint stall of at most 1%.
awk -v v="$(sed -n 's/^passing: .* \([0-9.]*\)%, cost.*/\1/p' "$tmp/out")" \
    -v w="$(sed -n 's/^failing: .* \([0-9.]*\)% (not.*/\1/p' "$tmp/out")" \
    'BEGIN { exit !(v <= 97.66 && v >= 96.66 && w <= 81.38 && w >= 80.38) }' ||
    fail "flash-512 bracket off the closed form: $(grep -E '^(passing|failing)' "$tmp/out")"

# --- A grid with pruning: the most GPU nodes and the fewest flash nodes for them. The pruned
# search must give the exhaustive grid's answer with fewer runs.
g2="--vary storage.flash.nodes=1..12 --vary cluster.video.nodes=16..96:16"
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" plan "$f512" $g2 --goal "$vutil >= 90%" --maximize cluster.video.nodes -q
expect_grep "answer: storage.flash.nodes=9, cluster.video.nodes=96 (" "$tmp/out"
runs=$(sed -n 's/^answer: .*(\([0-9]*\) runs of 72 points, \([0-9]*\) decided by monotonicity)$/\1/p' "$tmp/out")
[ -n "$runs" ] && [ "$runs" -lt 36 ] || fail "pruned grid: $(grep answer: "$tmp/out")"
expect_grep "failing: storage.flash.nodes=8, cluster.video.nodes=96: fails: $vutil 86." "$tmp/out"
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" plan "$f512" $g2 --goal "$vutil >= 90%" --maximize cluster.video.nodes \
    --exhaustive -q
expect_grep "answer: storage.flash.nodes=9, cluster.video.nodes=96 (72 runs)" "$tmp/out"
# The cheapest point overall of a grid (cost.tco grows with both knobs): the fewest of each.
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" plan "$f512" $g2 --goal "$vutil >= 90%" -q
expect_grep "answer: storage.flash.nodes=2, cluster.video.nodes=16 (" "$tmp/out"
expect_grep "failing: storage.flash.nodes=1, cluster.video.nodes=16: fails: refused" "$tmp/out"
expect_grep "binding: the configuration itself" "$tmp/out"

# --- The checkpoint interval of the most goodput, against Daly's closed form. `every: auto` on
# scenarios/llm-pretrain-failures.yaml picks Daly's interval from the job's MTBF and checkpoint
# cost (4.7 min); goodput is flat near it, so the plan's answer must be a neighbour of it on a
# 1-minute grid (4 or 5 min); by Daly's terms 3 and 6 min lose 0.24% and 0.08% of goodput, about
# 10 and 4 standard deviations of the paired differences over 5 replications (failure times are
# common to the points of a replication), and 2 and 8 min about 1% and 0.75%: never tied.
llm=scenarios/llm-pretrain-failures.yaml
daly=$("$AIFSIM" run "$llm" --json - | sed -n 's/.*"checkpoint.llama.interval": {"value": \([0-9.e+]*\).*/\1/p')
awk -v d="$daly" 'BEGIN { exit !(d > 240 && d < 300) }' || fail "Daly's interval $daly s, expected 4..5 min"
expect_status 0 "$AIFSIM" plan "$llm" --vary 'workloads[0].train.checkpoint.every=2 min..8 min:1 min' \
    --maximize train.llama.goodput --replications 5 -j 2
grep -Eq "^answer: workloads\[0\].train.checkpoint.every=(4|5) min \(35 runs\)$" "$tmp/out" ||
    fail "goodput optimum: $(grep answer: "$tmp/out"), Daly $daly s"
expect_grep "below: workloads[0].train.checkpoint.every=" "$tmp/out"
expect_grep "above: workloads[0].train.checkpoint.every=" "$tmp/out"
expect_grep "tied (the 95% interval of the paired difference from the best holds 0):" "$tmp/out"
grep "^tied" "$tmp/out" | grep -Eq "every=(2|3|8) min" && fail "far values tied: $(grep ^tied "$tmp/out")"
for j in 1 2; do
    expect_status 0 "$AIFSIM" plan "$llm" --vary 'workloads[0].train.checkpoint.every=3 min..6 min:1 min' \
        --maximize train.llama.goodput --replications 3 -j $j
    cp "$tmp/out" "$tmp/opt$j"
done
cmp -s "$tmp/opt1" "$tmp/opt2" || fail "the optimum differs between -j 1 and -j 2"

# --- MLPerf Storage: the most accelerators this storage sustains at the rule's minimum AU, the
# goal's right side a metric. Beyond the answer the clients are storage-bound, so AU falls as
# 1/N: AU(N + 1) = AU(N) N / (N + 1) to the figures printed.
ml=scenarios/mlperf-unet3d.yaml
expect_status 0 "$AIFSIM" plan "$ml" --vary cluster.clients.nodes=1..256 --maximize cluster.clients.nodes \
    --goal 'train.unet3d.mlperf_au >= train.unet3d.mlperf_au_min' --show train.unet3d.gpus -q
n=$(sed -n 's/^answer: cluster.clients.nodes=\([0-9]*\) .*/\1/p' "$tmp/out")
# --show: the accelerators beside each figure, 8 a DGX H100.
grep -q "^passing: .*, train.unet3d.gpus $((8 * n))$" "$tmp/out" || fail "--show: $(grep ^passing "$tmp/out")"
a=$(sed -n 's/^passing: .*mlperf_au \([0-9.]*\)% against .*mlperf_au_min 90%.*/\1/p' "$tmp/out")
b=$(sed -n 's/^failing: .*mlperf_au \([0-9.]*\)% against .*mlperf_au_min 90% (not.*/\1/p' "$tmp/out")
awk -v n="$n" -v a="$a" -v b="$b" 'BEGIN { e = a * n / (n + 1);
    exit !(n >= 1 && a >= 90 && b < 90 && b > e - 0.02 && b < e + 0.02) }' ||
    fail "MLPerf: answer $n nodes, AU $a% then $b%"
expect_grep "binding: train.unet3d.mlperf_au >= train.unet3d.mlperf_au_min" "$tmp/out"
expect_status 2 "$AIFSIM" plan "$ml" --vary cluster.clients.nodes=1..4 --goal 'train.unet3d.mlperf_au >= 90%' \
    --show train.unet3d.mlperf_result
expect_grep "--show train.unet3d.mlperf_result: expected a numeric metric" "$tmp/err"

# --- --db: every run stored as a sweep of the grid; the same plan again reuses them all and
# prints the same answer; `aifsim sweep --resume` of the same grid runs only what is missing.
expect_status 0 "$AIFSIM" plan "$f512" --vary storage.flash.nodes=1..16 --goal "$vutil >= 90%" \
    --db "$tmp/plan.db" -q
cp "$tmp/out" "$tmp/db1"
[ "$(sqlite3 "$tmp/plan.db" 'SELECT count(*) FROM runs')" = 5 ] ||
    fail "plan --db: expected the 5 runs that ran (1 refused), got $(sqlite3 "$tmp/plan.db" 'SELECT count(*) FROM runs')"
expect_status 0 "$AIFSIM" plan "$f512" --vary storage.flash.nodes=1..16 --goal "$vutil >= 90%" \
    --db "$tmp/plan.db" -q
expect_grep "holds 5 of the grid's 16 runs; they are taken, not run again" "$tmp/err"
cmp -s "$tmp/out" "$tmp/db1" || fail "a plan from stored runs printed another answer"
[ "$(sqlite3 "$tmp/plan.db" 'SELECT count(*) FROM runs')" = 5 ] || fail "stored runs ran again"
# (the refused point 1 makes the sweep exit 2; the plan counted it as failing)
expect_status 2 "$AIFSIM" sweep "$f512" --vary storage.flash.nodes=1..16 --db "$tmp/plan.db" --resume -q
expect_grep "5 of 16 runs stored, 11 to run" "$tmp/err"

# --- Ctrl-C: the plan stops, says so, keeps the finished runs in the store and exits 130; the
# same command then takes them and prints what an uninterrupted plan prints.
grid3="--vary workloads[0].train.checkpoint.every=3min,4min,5min,6min,7min,8min"
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" plan "$llm" $grid3 --maximize train.llama.goodput --replications 2 -j 1 \
    --db "$tmp/whole.db" -q
cp "$tmp/out" "$tmp/whole.out"
# shellcheck disable=SC2086
$with_sigint "$AIFSIM" plan "$llm" $grid3 --maximize train.llama.goodput --replications 2 -j 1 \
    --db "$tmp/cut.db" -q >"$tmp/cut.out" 2>"$tmp/cut.err" &
pid=$!
wait_rows "$tmp/cut.db" sweep_runs 3 "$pid"
kill -INT "$pid" 2>/dev/null
wait "$pid"
st=$?
if [ "$st" -eq 0 ]; then
    echo "note: the plan ended before the interrupt"
else
    [ "$st" -eq 130 ] || fail "an interrupted plan exited $st, expected 130"
    grep -q "plan interrupted; storing the runs that finished" "$tmp/cut.err" ||
        fail "no word of the interruption: $(cat "$tmp/cut.err")"
    grep -q "interrupted after [0-9]* runs; the runs that finished are in" "$tmp/cut.err" ||
        fail "no count of the runs made: $(cat "$tmp/cut.err")"
fi
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" plan "$llm" $grid3 --maximize train.llama.goodput --replications 2 -j 2 \
    --db "$tmp/cut.db" -q
[ "$st" -eq 0 ] || expect_grep "of the grid's 12 runs; they are taken, not run again" "$tmp/err"
cmp -s "$tmp/out" "$tmp/whole.out" || fail "interrupted and taken up again differs from a whole plan"
[ "$(sqlite3 "$tmp/cut.db" 'SELECT count(*) FROM runs')" = 12 ] || fail "a run was stored twice"

finish
