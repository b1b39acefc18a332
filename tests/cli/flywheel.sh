#!/bin/sh
# The data flywheel end to end (workload/flywheel.c, scenario/scen_flywheel.c):
#   - scenarios/flywheel.yaml runs: a day of a service averaging 50 requests/s that logs 100 kB
#     per answer logs 50 x 86,400 x 100 kB (within six Poisson standard deviations), its
#     fine-tunes refresh the model, and the freshness lies between 0 and the run;
#   - retraining every 2 h instead of 6 h starts more fine-tunes and keeps the model fresher;
#   - `aifsim validate` lists the flywheel;
#   - a reference to a workload of another kind, set from the command line, is refused with the
#     field named.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
sc=scenarios/flywheel.yaml

# val FILE NAME: the value of metric NAME in JSON output FILE.
val() {
    sed -n "s/^ *\"$2\": {\"value\": \([^,]*\),.*/\1/p" "$1"
}

# near A B REL: |A - B| <= REL x |B|.
near() {
    awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b
        exit !(d <= r * m) }'
}

# less A B: A < B.
less() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

expect_status 0 "$AIFSIM" run "$sc" --json "$tmp/a.json" -q
logged=$(val "$tmp/a.json" flywheel.loop.logged)
# 4.32e6 requests expected: six standard deviations are 6 / sqrt(4.32e6) = 0.29% of them.
near "$logged" 432e9 0.0029 || fail "a day of 50 requests/s x 100 kB logged $logged B, not 432 GB"
done=$(val "$tmp/a.json" flywheel.loop.retrains_completed)
less 0 "$done" || fail "no fine-tune completed in a day of retraining every 6 h"
fresh=$(val "$tmp/a.json" flywheel.loop.freshness_mean)
less 0 "$fresh" && less "$fresh" 86400 || fail "mean freshness $fresh s outside (0, 1 d)"
started6=$(val "$tmp/a.json" flywheel.loop.retrains_started)

expect_status 0 "$AIFSIM" run "$sc" --json "$tmp/b.json" -q --set 'workloads.loop.retrain.every=2 h'
started2=$(val "$tmp/b.json" flywheel.loop.retrains_started)
fresh2=$(val "$tmp/b.json" flywheel.loop.freshness_mean)
less "$started6" "$started2" || fail "every 2 h started $started2 fine-tunes, every 6 h $started6"
less "$fresh2" "$fresh" || fail "every 2 h: mean freshness $fresh2 s, not below 6 h's $fresh s"

expect_status 0 "$AIFSIM" validate "$sc"
expect_grep "flywheel  loop: recsys logs 100 kB per answer to clicks" "$tmp/out"

expect_status 2 "$AIFSIM" run "$sc" -q --set workloads.loop.from=clicks
expect_grep 'workloads[3].flywheel.from: "clicks" names a workload of another kind; from expects an inference workload' "$tmp/err"
finish
