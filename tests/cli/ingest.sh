#!/bin/sh
# Ingest end to end (workload/ingest.c, scenario/scen_ingest.c):
#   - scenarios/ingest-pipeline.yaml runs: over a whole day a daily profile of mean 2 GB/s lands
#     2 GB/s x 86,400 s; with 16 nodes of 150 MB/s (2.4 GB/s) the evening peak (3 GB/s) builds a
#     backlog, with 24 (3.6 GB/s) the backlog never exceeds the 1 GB chunk landing;
#   - the 24 nodes, keeping up, use 2 / 3.6 = 5/9 of their capacity, so as epyc-9654-2s servers
#     (128 W idle, 817 W busy, 1U; models/servers.yaml) they draw 24 x (128 + 689 x 5/9) W, all
#     of facility.it_power_cpu_nodes, and take 8 U more than the 16 nodes;
#   - without keep_raw the lake holds only the backlog;
#   - a trace named by --set with `time,bytes` rows lands exactly its rows before the end, and a
#     trace without sizes lands entry_size per row;
#   - an override with a bad value names the field.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
sc=scenarios/ingest-pipeline.yaml

# val FILE NAME: the value of metric NAME in JSON output FILE.
val() {
    sed -n "s/^ *\"$2\": {\"value\": \([^,]*\),.*/\1/p" "$1"
}

# near A B REL: |A - B| <= REL x |B|.
near() {
    awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b
        exit !(d <= r * m) }'
}

expect_status 0 "$AIFSIM" run "$sc" --json "$tmp/a.json" -q
landed=$(val "$tmp/a.json" ingest.clicks.landed)
near "$landed" 172.8e12 1e-6 || fail "a day at a mean of 2 GB/s landed $landed B, not 172.8 TB"
peak=$(val "$tmp/a.json" ingest.clicks.backlog_peak)
awk -v p="$peak" 'BEGIN { exit !(p > 1e12) }' || fail "16 nodes: peak backlog $peak B, expected TBs"
grep -q '"ingest.clicks.landing_time_to_full": {"value": [0-9]' "$tmp/a.json" ||
    fail "the lake keeps the raw logs, so it fills: landing_time_to_full missing"

expect_status 0 "$AIFSIM" run "$sc" --json "$tmp/b.json" -q \
    --set workloads.clicks.preprocess.nodes=24
peak=$(val "$tmp/b.json" ingest.clicks.backlog_peak)
awk -v p="$peak" 'BEGIN { exit !(p <= 1e9 * (1 + 1e-9)) }' ||
    fail "24 nodes keep up, yet the peak backlog is $peak B (more than one 1 GB chunk)"
# The nodes in the ledger. u = 5/9 up to the backlog's 1 GB of 172.8 TB (6e-6).
want=$(awk 'BEGIN { printf "%.17g", 24 * (128 + 689 * 5 / 9) }')
for m in ingest.clicks.process_power facility.it_power_cpu_nodes; do
    got=$(val "$tmp/b.json" $m)
    near "$got" "$want" 1e-5 || fail "24 nodes at 5/9: $m is $got W, expected $want W"
done
ua=$(val "$tmp/a.json" facility.rack_units)
ub=$(val "$tmp/b.json" facility.rack_units)
near "$ub" "$(awk -v a="$ua" 'BEGIN { print a + 8 }')" 1e-12 ||
    fail "8 more 1U nodes: rack units $ua -> $ub"

expect_status 0 "$AIFSIM" run "$sc" --json "$tmp/c.json" -q \
    --set workloads.clicks.preprocess.keep_raw=false
used=$(val "$tmp/c.json" storage.lake.used_capacity)
backlog=$(val "$tmp/c.json" ingest.clicks.backlog)
near "$used" "$backlog" 1e-9 || fail "without keep_raw the lake holds $used B, the backlog $backlog B"

# A trace: four rows of which three fall inside the hour.
cat >"$tmp/rows.csv" <<'EOF'
time,bytes
0,10 GB
600,20 GB
1800,5 GB
4000,1 TB
EOF
cat >"$tmp/t.yaml" <<'EOF'
aifsim: 1
name: ingest-trace
duration: 1 h
cluster:
  - pool: train
    node: dgx-h100
    nodes: 1
storage:
  - tier: hot
    system: flash-qlc-node
    nodes: 1
workloads:
  - train: { pool: train, step_time: 1 s, batch_per_gpu: 1,
             dataset: { tier: hot, size: 1 TB, sample_size: 1 MB } }
  - ingest:
      name: logs
      source: { trace: rows.csv }
      to: hot
      preprocess: { nodes: 4, throughput: 1 GB/s, ratio: 0.5 }
      feeds: train
EOF
expect_status 0 "$AIFSIM" run "$tmp/t.yaml" --json "$tmp/t.json" -q
for m in offered landed processed; do
    v=$(val "$tmp/t.json" ingest.logs.$m)
    near "$v" 35e9 1e-12 || fail "trace: ingest.logs.$m is $v B, not the 35 GB of the rows"
done
v=$(val "$tmp/t.json" ingest.logs.dataset_new)
near "$v" 17.5e9 1e-12 || fail "trace: the job's data set grew by $v B, not 17.5 GB"

printf 'time\n0\n10\n' >"$tmp/rows.csv"
expect_status 2 "$AIFSIM" validate "$tmp/t.yaml"
expect_grep "the trace gives no sizes" "$tmp/err"
expect_status 0 "$AIFSIM" run "$tmp/t.yaml" --json "$tmp/t.json" -q --set 'workloads.logs.entry_size=3 GB'
v=$(val "$tmp/t.json" ingest.logs.landed)
near "$v" 6e9 1e-12 || fail "trace without sizes: landed $v B, not 2 x 3 GB"

expect_status 2 "$AIFSIM" run "$sc" --set workloads.clicks.preprocess.ratio=0
expect_grep "workloads[1].ingest.preprocess.ratio: expected more than 0" "$tmp/err"
finish
