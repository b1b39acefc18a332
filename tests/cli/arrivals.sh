#!/bin/sh
# Look-ups with `arrivals:` end to end (workload/arrivals.h, scenario/scen_arrivals.c):
#   - tests/fixtures/arrivals.yaml (a cosine day, ratio 3 peaking at 20:00, from 19:00, with
#     bursts of 4x for 1 min every 10 min) runs, and the arrivals it counts (completed, in flight
#     and dropped) lie within the 99.9% Poisson interval of the closed form: 200/s x the weight
#     of hours 19 and 20 x (1 + 3 x 0.1) over 2 h, the weights written out here (the mid-hour
#     cosines of a peak on the hour reach +-cos(pi / 24), hence the amplitude's divisor);
#   - the same seed gives the same JSON twice;
#   - `arrivals: R` (a bare rate) and `rate: R` give the same look-up metrics;
#   - a trace named by --set is read relative to the scenario's directory, and the look-ups see
#     exactly its rows before the end of the run (708 of 1000 in the first hour);
#   - a trace named on the command line that has a bad row names the trace's line and column.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
fx=tests/fixtures/arrivals.yaml

# val FILE NAME: the value of metric NAME in JSON output FILE.
val() {
    sed -n "s/^ *\"$2\": {\"value\": \([^,]*\),.*/\1/p" "$1"
}

# arrived FILE: look-ups completed, in flight and dropped.
arrived() {
    echo "$(val "$1" lookup.features.requests) $(val "$1" lookup.features.in_flight)" \
        "$(val "$1" lookup.features.dropped)" | awk '{ print $1 + $2 + $3 }'
}

expect_status 0 "$AIFSIM" run "$fx" --json "$tmp/a.json" -q
n=$(arrived "$tmp/a.json")
awk -v n="$n" 'BEGIN {
    pi = atan2(0, -1); a = (3 - 1) / ((3 + 1) * cos(pi / 24)); sum = 0
    for (h = 0; h < 24; h++) { w[h] = 1 + a * cos(2 * pi * (h + 0.5 - 20) / 24); sum += w[h] }
    want = 200 * (w[19] + w[20]) * 24 / sum * 3600 * 1.3
    z = (n - want) / sqrt(want)
    if (z < -3.2905 || z > 3.2905) {
        printf "%d arrivals, expected %.0f (z = %.2f)\n", n, want, z; exit 1
    }
}' || fail "diurnal look-ups: the count is off the closed form"

expect_status 0 "$AIFSIM" run "$fx" --json "$tmp/b.json" -q
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "the same seed gave different output"

# A bare rate under arrivals: draws what rate: draws.
sed 's/^      arrivals:$/      arrivals: 300\/s/; /rate: 200\/s/d; /diurnal:/d; /start: 19 h/d; /bursts:/d' \
    "$fx" >"$tmp/bare.yaml"
sed 's/^      arrivals: 300\/s$/      rate: 300\/s/' "$tmp/bare.yaml" >"$tmp/rate.yaml"
grep -q 'arrivals: 300/s' "$tmp/bare.yaml" || fail "could not make the bare-rate scenario"
grep -q 'rate: 300/s' "$tmp/rate.yaml" || fail "could not make the rate scenario"
expect_status 0 "$AIFSIM" run "$tmp/bare.yaml" --json "$tmp/bare.json" -q
expect_status 0 "$AIFSIM" run "$tmp/rate.yaml" --json "$tmp/rate.json" -q
grep '"lookup\.' "$tmp/bare.json" >"$tmp/bare.lookup"
grep '"lookup\.' "$tmp/rate.json" >"$tmp/rate.lookup"
[ -s "$tmp/bare.lookup" ] || fail "no look-up metrics"
cmp -s "$tmp/bare.lookup" "$tmp/rate.lookup" || fail "arrivals: 300/s and rate: 300/s differ"

# A trace through --set, relative to the scenario (tests/fixtures/traces/requests.csv).
expect_status 0 "$AIFSIM" run "$fx" --set duration=1h --set 'workloads.features.arrivals={}' \
    --set workloads.features.arrivals.trace=traces/requests.csv --json "$tmp/t.json" -q
[ "$(arrived "$tmp/t.json")" = 708 ] || fail "trace: $(arrived "$tmp/t.json") arrivals, expected 708"

# A bad row, through --set too: the message names the trace's line and column.
printf 'time\n1\n2\n1,5\n' >"$tmp/bad.csv"
expect_status 2 "$AIFSIM" validate "$fx" --set 'workloads.features.arrivals={}' \
    --set "workloads.features.arrivals.trace=$tmp/bad.csv"
expect_grep "$tmp/bad.csv:4:1: error: workloads[0].lookup.arrivals.trace: times must not decrease" \
    "$tmp/err"
finish
