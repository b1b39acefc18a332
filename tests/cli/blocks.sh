#!/bin/sh
# The bandwidth model's blocks (a component one resource limits alone, solved by one clock; see
# engine/flow.h) change the run time and nothing else: every shipped scenario, and a generated
# one with 40 jobs on two tiers (a cache in front of disks, half the jobs with a sample-size
# spread, weights 1 to 3, a checkpoint burst with a drain, look-ups), gives the same summary to
# the last printed digit with AIFSIM_FLOW_BLOCKS=0 (progressive filling for every change), and
# every JSON value agrees to 1e-7 relative. Why not exactly: the two solvers sum a resource's
# weights in a different order, so a rate can differ in its last bit, and a completion, rounded
# up to the whole nanosecond, can then land a nanosecond apart; what follows shifts with it. Over
# the 2e6 events of the generated scenario that moves sums of time by tens of nanoseconds (the
# largest difference seen is 6.5e-9 relative, a GPU utilization during 70 s of bursts off by
# 27 ns). 1e-7 leaves a factor of 15 for that drift, and a solver that got one fetch's rate wrong
# would move its job's metrics by 1e-4 or more.
# Request-level statistics of the serving kind amplify that drift: a completion a nanosecond
# later can move one request across the end of the run or across a checkpoint's edge, and a
# high quantile in a steep tail moves with it (serving-mixed: one request of 45 million, its
# p99.9 by 5e-4), and from there the batches form differently, so a serving pool's GPU time moves
# by its statistical noise (1e-5). In a scenario with serving, those values (inference.*,
# flywheel.*, pool.*, run.events) must agree to 1e-3 relative or two requests (the count left
# unfinished at the end), and the serving sections and the event count are left out of the
# digit-for-digit comparison of the summary; every other value keeps 1e-7 (the storage and
# facility totals, the training jobs), and a scenario without serving keeps the strict test.
. "$(dirname "$0")/lib.sh"

# The generated scenario: 40 single-to-triple-node pools of DGX H100, data-bound on the disks.
gen="$tmp/many.yaml"
{
    printf 'aifsim: 1\nname: many-jobs\nseed: 7\nduration: 30 min\nfacility: hyperscale\ncluster:\n'
    i=0
    while [ $i -lt 40 ]; do
        printf '  - { pool: p%d, node: dgx-h100, nodes: %d }\n' $i $((1 + i % 3))
        i=$((i + 1))
    done
    printf 'storage:\n'
    printf '  - { tier: hot, system: flash-qlc-node, nodes: 2, reserve: 10%%,\n'
    printf '      cache: { for: cold, hit_ratio: 70%% }, drain: { to: cold, weight: 0.25 } }\n'
    printf '  - { tier: cold, system: hdd-nearline-node, nodes: 1 }\n'
    printf 'fabric:\n  - { name: net, switch: sn5600, oversubscription: 2:1,\n'
    printf '      connects: [p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, hot, cold] }\n'
    printf 'workloads:\n'
    i=0
    while [ $i -lt 40 ]; do
        spread=''
        [ $((i % 2)) -eq 1 ] && spread='sample_spread: 2 MB, '
        tier=cold
        [ $((i % 4)) -eq 0 ] && tier=hot
        printf '  - train: { name: j%d, pool: p%d, step_time: %d ms, batch_per_gpu: 64,\n' \
            $i $i $((200 + 7 * i))
        printf '      qos: { weight: %d }, dataset: { tier: %s, size: 50 TB, sample_size: 4 MB,\n' \
            $((1 + i % 3)) $tier
        printf '      %ssamples_per_file: 100, prefetch: 2 } }\n' "$spread"
        i=$((i + 1))
    done
    printf '  - burst: { name: ck, pool: p0, tier: hot, direction: write, size: 2 TB,\n'
    printf '      every: 10 min, start: 3 min, keep: 2, qos: { weight: 4 } }\n'
    printf '  - lookup: { name: feat, tier: hot, rate: 500/s, size: 4 KiB, slo: 1 ms }\n'
} >"$gen"

for f in scenarios/*.yaml "$gen"; do
    "$AIFSIM" run "$f" --json "$tmp/a.json" >"$tmp/a.txt" 2>&1 || fail "$f: run failed"
    AIFSIM_FLOW_BLOCKS=0 "$AIFSIM" run "$f" --json "$tmp/b.json" >"$tmp/b.txt" 2>&1 ||
        fail "$f: run without blocks failed"
    # the summary without the serving sections (see above) and the event count
    strip='/^inference\./,/^$/d; /^flywheel\./,/^$/d'
    grep -q '^inference\.' "$tmp/a.txt" && strip="$strip; /events executed/d"
    sed "1d; $strip" "$tmp/a.txt" >"$tmp/a.sum"
    sed "1d; $strip" "$tmp/b.txt" >"$tmp/b.sum"
    if ! cmp -s "$tmp/a.sum" "$tmp/b.sum"; then
        fail "$f: the summary differs without blocks"
        diff "$tmp/a.sum" "$tmp/b.sum" | head -n 10
    fi
    serving=no
    grep -q '^inference\.' "$tmp/a.txt" && serving=yes
    python3 - "$tmp/a.json" "$tmp/b.json" "$serving" <<'PY' || fail "$f: JSON values differ without blocks"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
bad = [k for k in a if k not in b] + [k for k in b if k not in a]
for k in a:
    if k in b and isinstance(a[k].get("value"), (int, float)):
        x, y = a[k]["value"], b[k]["value"]
        serving = k.startswith(("inference.", "flywheel.", "pool.")) or k == "run.events"
        tol, least = (1e-3, 2) if serving and sys.argv[3] == "yes" else (1e-7, 1e-12)
        if abs(x - y) > tol * max(abs(x), abs(y)) + least:
            bad.append("%s: %r vs %r" % (k, x, y))
for m in bad[:10]:
    print("  " + m)
sys.exit(1 if bad else 0)
PY
done
# The generated scenario must exercise sharing: some jobs wait on the disks.
grep -q 'data-bound' "$tmp/a.txt" || fail "many-jobs: no job is data-bound, the test shares nothing"
finish
