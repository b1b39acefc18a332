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
expect_grep "--maximize cluster.vision.nodes: not a varied field" "$tmp/err"
expect_status 2 "$AIFSIM" plan "$scn" --vary storage.disk.nodes=1..8
expect_grep "needs a --goal" "$tmp/err"

finish
