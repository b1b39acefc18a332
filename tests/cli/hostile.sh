#!/bin/sh
# Hostile input: each case runs `aifsim run FILE [--set ...] --json OUT` under `timeout 20` and,
# unless the program is built with sanitizers (which need a large address space), a 2 GiB
# address-space limit (ulimit -v). Each must end with a clear error: exit 2 with a message that
# names the file (or --set) and the problem, or exit 1 for a stated limit (the event budget); a
# timeout or a crash (exit >= 128) fails, and so does an OUT left behind. Prints each case's exit
# status and time.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir, AIFSIM_SANITIZED.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
good=tests/fixtures/good.yaml
sanitized=${AIFSIM_SANITIZED:-no}

now() {
    date +%s.%N
}

# hostile NAME WANT ARGS...: runs `aifsim run ARGS --json $tmp/out.json` with the limits above,
# stderr to $tmp/err; checks the exit status WANT, the time limit and that no JSON was written.
hostile() {
    name=$1
    want=$2
    shift 2
    rm -f "$tmp/out.json"
    start=$(now)
    (
        # shellcheck disable=SC3045 # dash and bash both have ulimit -v
        [ "$sanitized" = yes ] || ulimit -v 2097152
        exec timeout 20 "$AIFSIM" run "$@" --json "$tmp/out.json"
    ) >"$tmp/out" 2>"$tmp/err"
    got=$?
    secs=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
    case_name=$name
    printf '%-22s exit %d in %5s s\n' "$name" "$got" "$secs"
    if [ "$got" -eq 124 ]; then
        fail "$name: no answer within 20 s"
    elif [ "$got" -ge 128 ]; then
        fail "$name: crashed (exit status $got)"
    elif [ "$got" -ne "$want" ]; then
        fail "$name: exit status $got, expected $want"
    fi
    [ "$got" -eq "$want" ] || sed 's/^/  stderr: /' "$tmp/err" | head -n 10
    [ -e "$tmp/out.json" ] && fail "$name: left $tmp/out.json behind"
    return 0
}

# saw TEXT: the last case's stderr holds the fixed string TEXT.
saw() {
    grep -qF -- "$1" "$tmp/err" || fail "$case_name: \"$1\" not on stderr"
}

# --- Cycles. Nothing in the format refers back (workloads name pools and tiers, which name only
# catalog entries), so YAML aliases are the one way to write a cycle: all are refused.
cat >"$tmp/cycle.yaml" <<'YAML'
aifsim: 1
name: cycle
duration: 1 h
cluster: &pools
  - { pool: train, node: dgx-h100, nodes: 2, override: *pools }
YAML
hostile self-alias 2 "$tmp/cycle.yaml"
saw "cycle.yaml:5:"
saw 'YAML aliases ("*name") are not supported'

cat >"$tmp/merge.yaml" <<'YAML'
aifsim: 1
name: merge
base: &base { <<: *base, nodes: 2 }
YAML
hostile merge-key-cycle 2 "$tmp/merge.yaml"
saw "merge.yaml:3:"
saw "aliases"

# Names that cross (a pool called like the tier and the other way round) are not references
# that loop: each reference is checked against its own list.
cat >"$tmp/crossed.yaml" <<'YAML'
aifsim: 1
name: crossed
duration: 1 h
cluster: [{ pool: hot, node: dgx-h100, nodes: 2 }]
storage: [{ tier: train, system: flash-qlc-node, nodes: 1 }]
workloads:
  - train: { name: hot, pool: train, step_time: 1 s, batch_per_gpu: 1,
             dataset: { tier: hot, size: 1 TB, sample_size: 1 MB } }
YAML
hostile crossed-names 2 "$tmp/crossed.yaml"
saw 'crossed.yaml:7:'
saw 'unknown pool "train"'
saw 'unknown tier "hot"'

# --- Absurd sizes.
cat >"$tmp/huge-pool.yaml" <<'YAML'
aifsim: 1
name: huge
duration: 1 h
cluster: [{ pool: train, node: dgx-h100, nodes: 1e12, override: { gpus: 1e12 } }]
storage: [{ tier: hot, system: flash-qlc-node, nodes: 1 }]
workloads:
  - train: { pool: train, step_time: 1 s, batch_per_gpu: 1,
             dataset: { tier: hot, size: 1 TB, sample_size: 1 MB } }
YAML
hostile 1e12-gpu-pool 2 "$tmp/huge-pool.yaml"
saw 'huge-pool.yaml:4:49: error: cluster[0].nodes: expected at most 1000000, got "1e12"'
saw 'cluster[0].override.gpus: expected at most 1024, got "1e12"'
hostile 1e12-gpu-pool-set 2 "$good" --set cluster.train.nodes=1e12 \
    --set cluster.train.override.gpus=1e12
saw '--set:1:21: error: cluster[0].nodes: expected at most 1000000'

hostile 1000-years 2 "$good" --set 'duration=1000 y'
saw '--set:1:10: error: duration: expected at most 100 y, got "1000 y"'

# --- Zero and negative bandwidth.
hostile zero-device-read 2 "$good" --set 'storage.hot.override.device_read=0 GB/s'
saw 'storage[0].override.device_read: expected at least 1 kB/s, got "0 GB/s"'
hostile negative-device-read 2 "$good" --set 'storage.hot.override.device_read=-5 GB/s'
saw 'storage[0].override.device_read: expected at least 1 kB/s, got "-5 GB/s"'
hostile zero-nic-rate 2 "$good" --set 'storage.hot.override.nic={ rate: 0 Gb/s }'
saw 'storage[0].override.nic.rate: expected at least 1 kB/s, got "0 Gb/s"'
hostile negative-nic-rate 2 "$good" --set 'cluster.train.override.storage_nic.rate=-400 Gb/s'
saw 'cluster[0].override.storage_nic.rate: expected at least 1 kB/s, got "-400 Gb/s"'

# --- NaN and infinity, in several spellings and fields.
cat >"$tmp/nan.yaml" <<'YAML'
aifsim: 1
name: nan
duration: NaN h
max_events: .inf
facility: { preset: hyperscale, pue: .nan, energy_price: inf USD/kWh }
cluster: [{ pool: train, node: dgx-h100, nodes: .Inf, override: { max_power: -Infinity W } }]
storage: [{ tier: hot, system: flash-qlc-node, nodes: 1, override: { device_read: 1e999 GB/s } }]
workloads:
  - train: { pool: train, model: { params: nan }, tokens_per_step: 4Mi, mfu: -.inf,
             batch_per_gpu: 1, dataset: { tier: hot, size: 1e400 TB, sample_size: INF kB } }
YAML
hostile nan-and-infinity 2 "$tmp/nan.yaml"
saw 'nan.yaml:3:11: error: duration: expected a time such as "90 d", got "NaN h"; NaN and infinity are not accepted'
saw 'nan.yaml:4:13: error: max_events:'
saw 'facility.pue: expected a number such as "0.4", got ".nan"'
saw 'facility.energy_price:'
saw 'cluster[0].nodes: expected a positive integer, got ".Inf"'
saw 'cluster[0].override.max_power:'
saw 'storage[0].override.device_read:'
saw 'workloads[0].train.model.params:'
saw 'workloads[0].train.mfu:'
saw 'workloads[0].train.dataset.size:'
saw 'workloads[0].train.dataset.sample_size:'
hostile nan-set 2 "$good" --set 'workloads.vit.step_time=nan ms' --set 'duration=+inf s'
saw '--set:1:25: error: workloads[0].train.step_time:'
saw 'NaN and infinity are not accepted'

# --- Big, deep and exploding files.
cp "$good" "$tmp/big.yaml"
yes '# a comment line that pads the scenario to a hundred megabytes ................' |
    head -c 100000000 >>"$tmp/big.yaml"
hostile 100MB-comments 2 "$tmp/big.yaml"
saw 'big.yaml: error: larger than 16 MiB; a scenario is never this big'
{ echo 'workloads:'; yes '  - x' | head -c 100000000; } >"$tmp/big.yaml"
hostile 100MB-list 2 "$tmp/big.yaml"
saw 'big.yaml: error: larger than 16 MiB'
rm -f "$tmp/big.yaml"
# Under the size limit but past the node limit: 15 MB of list items.
{ echo 'cluster:'; yes ' - 1' | head -c 15000000; } >"$tmp/nodes.yaml"
hostile million-nodes 2 "$tmp/nodes.yaml"
saw 'nodes.yaml:999999:4: error: more than 1000000 YAML nodes; a scenario is never this big'
rm -f "$tmp/nodes.yaml"
# A mapping with 200000 keys, all the same.
{ echo 'aifsim: 1'; yes 'name: x' | head -n 200000; } >"$tmp/keys.yaml"
hostile duplicate-keys 2 "$tmp/keys.yaml"
saw 'keys.yaml:3:1: error: duplicate key "name"; first given at line 2'
saw 'more than 100 wrong keys; not reporting the rest'

awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]"; print "" }' \
    >"$tmp/deep.yaml"
hostile deep-lists 2 "$tmp/deep.yaml"
saw 'deep.yaml:1:65: error: lists and mappings nested more than 64 deep'
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "{a: "; for (i = 0; i < 100000; i++) printf "}"; print "" }' \
    >"$tmp/deep.yaml"
hostile deep-mappings 2 "$tmp/deep.yaml"
saw 'deep.yaml:1:'
saw 'nested more than 64 deep'

awk 'BEGIN {
    print "aifsim: 1"; print "name: lol"; print "duration: 1 h"
    print "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"
    for (i = 1; i < 10; i++) {
        printf "a%d: &a%d [", i, i
        for (j = 0; j < 10; j++) printf "%s*a%d", j ? ", " : "", i - 1
        print "]"
    }
}' >"$tmp/laughs.yaml"
hostile billion-laughs 2 "$tmp/laughs.yaml"
saw 'laughs.yaml:5:10: error: YAML aliases ("*name") are not supported; write the value out'

# --- Files that are not scenarios.
hostile binary-file 2 "$AIFSIM"
saw "$AIFSIM:1:1: error: YAML syntax: control characters are not allowed (byte 0x7f)"
head -c 4096 /dev/zero >"$tmp/zeros.yaml"
hostile nul-bytes 2 "$tmp/zeros.yaml"
saw 'zeros.yaml:1:1: error: YAML syntax: control characters are not allowed (byte 0x00)'
hostile endless-file 2 /dev/zero
saw '/dev/zero: error: larger than 16 MiB'
: >"$tmp/empty.yaml"
hostile empty-file 2 "$tmp/empty.yaml"
saw 'empty.yaml:1:1: error: the file is empty; expected a scenario starting with "aifsim: 1"'
mkdir "$tmp/dir.yaml"
hostile directory 2 "$tmp/dir.yaml"
saw 'dir.yaml: error: cannot read: Is a directory'
hostile missing-file 2 "$tmp/no-such.yaml"
saw 'no-such.yaml: error: cannot open: No such file or directory'
if [ "$(id -u)" -ne 0 ]; then
    cp "$good" "$tmp/unreadable.yaml"
    chmod 000 "$tmp/unreadable.yaml"
    hostile unreadable-file 2 "$tmp/unreadable.yaml"
    saw 'unreadable.yaml: error: cannot open: Permission denied'
else
    echo "skip: unreadable-file (running as root, who reads every file)"
fi

# --- A run that would never end: a 1 ns step for 100 years is refused before it starts, with the
# default event budget and with an explicit one. The estimate is an upper bound (two events per
# step when the GPUs never wait), so a run that would run out of budget is refused up front too,
# by name of the workload that drives the count, instead of stopping part-way.
hostile 1ns-for-100y 1 "$good" --set 'duration=100 y' --set 'workloads.vit.step_time=1 ns'
saw 'event budget of 200000000'
saw 'raise max_events or shorten the duration'
hostile 1ns-for-100y-budget 1 "$good" --set 'duration=100 y' --set 'workloads.vit.step_time=1 ns' \
    --set max_events=1e6
saw 'event budget of 1000000'
saw 'raise max_events or shorten the duration'
hostile budget-runs-out 1 "$good" --set 'duration=0.75 s' --set 'workloads.vit.step_time=1 us' \
    --set workloads.vit.batch_per_gpu=1 --set 'workloads.vit.dataset.sample_size=1 B' \
    --set max_events=1e6
saw 'good.yaml: error: this run needs up to 1.5e+06 events, more than its event budget of 1000000; train "vit" needs'

# --- Bursts and look-ups at the limits the format accepts: a billion look-ups per second for a
# century and a burst every nanosecond are refused by the budget estimate; a look-up stream on a
# tier of 32 million devices is refused by the queue's limit, and one that would keep more
# devices busy than the tier has by its load; 1 EB bursts every day for a century
# keeping a million copies run (the copy ring is sized by the bursts the run can start) and
# report what the full tier refused.
cat >"$tmp/limits.yaml" <<'YAML'
aifsim: 1
name: limits
duration: 100 y
cluster:
  - { pool: p, node: dgx-h100, nodes: 1 }
storage:
  - { tier: hot, system: flash-qlc-node, nodes: 1000000 }
workloads:
  - lookup: { name: f, tier: hot, rate: 1e9/s }
  - burst: { name: b, tier: hot, size: 1e18 B, every: 1 ns, keep: 1000000 }
YAML
hostile lookups-1e9-per-s 2 "$tmp/limits.yaml"
saw 'has 32000000 devices, more than this version queues look-ups over'
hostile lookups-overload 2 "$tmp/limits.yaml" --set storage.hot.nodes=1
saw 'its queue would grow without bound'
hostile lookups-budget 1 "$tmp/limits.yaml" --set storage.hot.nodes=100
saw 'more than its event budget'
saw 'lookup "f" needs 6.31e+18 of them (50%)'
cat >"$tmp/bursts.yaml" <<'YAML'
aifsim: 1
name: bursts
duration: 100 y
cluster:
  - { pool: p, node: dgx-h100, nodes: 1 }
storage:
  - { tier: hot, system: flash-qlc-node, nodes: 1000000 }
workloads:
  - burst: { name: b, tier: hot, size: 1e18 B, every: 1 d, keep: 1000000 }
YAML
rm -f "$tmp/out.json"
start=$(now)
expect_status 0 "$AIFSIM" run "$tmp/bursts.yaml" --json "$tmp/out.json"
printf '%-22s exit 0 in %5s s\n' bursts-1EB-daily "$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')"
expect_grep 'refused: the tier was full' "$tmp/out"
finish
