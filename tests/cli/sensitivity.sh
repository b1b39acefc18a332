#!/bin/sh
# `aifsim sensitivity`: each --param moved by -10% and +10% alone, sorted by swing.
#
# On scenarios/storage-bound.yaml (512 GPUs ask 72.09 GB/s, an HDD enclosure streams 15.03 GB/s,
# utilization = min(1, supply / demand); see plan.sh) the expectation follows from its header:
#   storage.disk.nodes 2 -> 1 and 3 (a count moves by at least 1): 15.03 / 72.09 = 20.85% and
#     45.09 / 72.09 = 62.55%, a swing of about +41.7 points, positive (more nodes, busier GPUs);
#   workloads.vit-b16.step_time 200 ms -> 180 and 220 ms: the demand goes as 1 / step time, so
#     utilization goes as the step time: 0.9 and 1.1 x 41.7%, a swing of about +8.3 points;
#   workloads.vit-b16.dataset.prefetch 4 -> 3 and 5: the disks stream either way: no change.
# So the table must list the nodes first, the step time second and prefetch last, whatever the
# order of the --param options, with the signs above. The low and high points must be exactly
# the runs `aifsim run --set` makes by hand (the same seed), -j 1 and -j 2 must print the same
# bytes, and with replications on a Poisson stream (200/s for 10 min: 120,000 requests expected,
# +-12,000 for +-10% of the rate) the 95% intervals of the paired changes must hold the expected
# change. Then bad input exits 2 with the message in tests/cli/expected/sensitivity/NAME.err.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

scn=scenarios/storage-bound.yaml
util=train.vit-b16.gpu_utilization
params="--param workloads.vit-b16.dataset.prefetch --param workloads.vit-b16.step_time
    --param storage.disk.nodes"

# shellcheck disable=SC2086 # $params is split on purpose
expect_status 0 "$AIFSIM" sensitivity "$scn" --metric "$util" $params -j 2 --csv "$tmp/s.csv" \
    --pdf "$tmp/s.pdf"
cp "$tmp/out" "$tmp/j2"
expect_grep "$util (computing): 41.68% at the base point, seed 42" "$tmp/out"
expect_grep "each parameter moved by -10% and +10% alone" "$tmp/out"
# The table's rows in order, between its header and the blank line after it.
sed -n '/^parameter /,/^$/p' "$tmp/out" | awk 'NR > 1 && NF { print $1 }' >"$tmp/order"
printf '%s\n' storage.disk.nodes workloads.vit-b16.step_time \
    workloads.vit-b16.dataset.prefetch >"$tmp/want"
cmp -s "$tmp/order" "$tmp/want" || fail "table order: $(tr '\n' ' ' <"$tmp/order")"
expect_grep "1 -> 20.84%" "$tmp/out"
expect_grep "3 -> 62.53%" "$tmp/out"
expect_grep "180 ms -> 37.52%" "$tmp/out"
expect_grep "220 ms -> 45.85%" "$tmp/out"
grep -q '^storage\.disk\.nodes  .* +41\.[0-9]*%$' "$tmp/out" || fail "nodes: swing not +41.x%"
grep -q '^workloads\.vit-b16\.dataset\.prefetch .* 0%$' "$tmp/out" || fail "prefetch moved"
expect_grep "tornado: '-' the low value, '+' the high value, '|' the base (41.68%)" "$tmp/out"
grep -q '^  storage\.disk\.nodes  *-\{24\}|+\{24\}$' "$tmp/out" || fail "nodes' bar not full"

# The CSV against the closed form: nodes' low and high within 0.1 points of 20.85% and 62.55%,
# the step time's swing within 0.1 points of 0.2 x 41.68%, prefetch's swing 0.
[ -s "$tmp/s.csv" ] || fail "no CSV written"
awk -F, -v s="$tmp/s.csv" '
    function near(x, want, tol, what) {
        if (x < want - tol || x > want + tol) { print "FAIL: " what " " x ", expected " want; bad = 1 }
    }
    NR == 1 { next }
    $1 == "storage.disk.nodes" { near($8, 0.2085, 0.001, "nodes low"); near($9, 0.6255, 0.001, "nodes high"); n++ }
    $1 == "workloads.vit-b16.step_time" { near($12, 0.2 * $7, 0.001, "step time swing"); n++ }
    $1 == "workloads.vit-b16.dataset.prefetch" { near($12, 0, 0, "prefetch swing"); n++ }
    END { if (n != 3) { print "FAIL: " n " rows in " s; bad = 1 } exit bad }' "$tmp/s.csv" ||
    fail "CSV figures against the closed form"
head -n 1 "$tmp/s.csv" | grep -q "^parameter,base value,low value,high value,low clamped,high clamped,$util base \[1\]," ||
    fail "CSV header"

# Exactly the runs made by hand with --set, at the same seed.
for v in 1 3; do
    expect_status 0 "$AIFSIM" run "$scn" --set storage.disk.nodes=$v --json "$tmp/run$v.json"
    grep "^  \"$util\": " "$tmp/run$v.json" | sed 's/.*"value": \([^,]*\),.*/\1/' >"$tmp/by-hand$v"
done
awk -F, '$1 == "storage.disk.nodes" { print $8 > "'"$tmp"'/sens1"; print $9 > "'"$tmp"'/sens3" }' \
    "$tmp/s.csv"
for v in 1 3; do
    [ -s "$tmp/by-hand$v" ] || fail "no $util in the run with $v nodes"
    cmp -s "$tmp/by-hand$v" "$tmp/sens$v" ||
        fail "nodes=$v: sensitivity $(cat "$tmp/sens$v"), aifsim run $(cat "$tmp/by-hand$v")"
done

# The PDF: one page, with its title.
[ "$(head -c 5 "$tmp/s.pdf")" = "%PDF-" ] || fail "--pdf wrote no PDF"
if command -v pdftotext >/dev/null 2>&1; then
    pdftotext "$tmp/s.pdf" "$tmp/s.txt"
    expect_grep "sensitivity of vision-train-hdd" "$tmp/s.txt"
    expect_grep "base 41.68%" "$tmp/s.txt"
    expect_grep "storage.disk.nodes" "$tmp/s.txt"
fi

# One thread: the same bytes, on stdout and in both files.
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" sensitivity "$scn" --metric "$util" $params -j 1 --csv "$tmp/s1.csv" \
    --pdf "$tmp/s1.pdf"
cmp -s "$tmp/out" "$tmp/j2" || fail "-j 1 and -j 2 printed different tables"
cmp -s "$tmp/s.csv" "$tmp/s1.csv" || fail "-j 1 and -j 2 wrote different CSV files"
cmp -s "$tmp/s.pdf" "$tmp/s1.pdf" || fail "-j 1 and -j 2 wrote different PDF files"

# A share other than 10%, and a value that stops at the field's range (1 node cannot go lower).
expect_status 0 "$AIFSIM" sensitivity "$scn" --metric "$util" --param storage.disk.nodes \
    --param workloads.vit-b16.step_time --set storage.disk.nodes=1 --by 50%
expect_grep "1* -> 20.84%" "$tmp/out"
expect_grep "* the end of the field's range" "$tmp/out"
expect_grep "100 ms -> 10.42%" "$tmp/out"

# Replications on a Poisson stream: the paired changes' 95% intervals hold the expected +-12,000.
arr="tests/fixtures/arrivals.yaml"
expect_status 0 "$AIFSIM" sensitivity "$arr" --set 'workloads.features.arrivals={rate: 200/s}' \
    --set 'duration=10 min' --metric lookup.features.requests \
    --param workloads.features.arrivals.rate --replications 10 -j 2 --csv "$tmp/r.csv"
expect_grep "10 replications per point on common seeds" "$tmp/out"
expect_grep "200/s  180/s -> " "$tmp/out"
awk -F, 'NR == 2 {
        bad = 0
        if (!($11 <= -12000 && -12000 <= $12)) { print "FAIL: low - base CI " $11 " .. " $12; bad = 1 }
        if (!($14 <= 12000 && 12000 <= $15)) { print "FAIL: high - base CI " $14 " .. " $15; bad = 1 }
        if (!($17 <= 24000 && 24000 <= $18)) { print "FAIL: swing CI " $17 " .. " $18; bad = 1 }
        exit bad
    }' "$tmp/r.csv" || fail "replications: an interval misses the expected change"

# Bad input: exit 2, the message, nothing on stdout, no file written.
# check NAME ARGS...: runs `aifsim sensitivity ARGS --csv OUT` and compares stderr with
# tests/cli/expected/sensitivity/NAME.err.
check() {
    name=$1
    shift
    want=tests/cli/expected/sensitivity/$name.err
    rm -f "$tmp/bad.csv"
    "$AIFSIM" sensitivity "$@" --csv "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 2 ] || fail "$name: exit status $status, expected 2"
    if ! cmp -s "$want" "$tmp/err"; then
        fail "$name: stderr differs from $want"
        diff -u "$want" "$tmp/err" | sed 's/^/    /'
    fi
    [ -s "$tmp/out" ] && fail "$name: printed on stdout: $(head -n 1 "$tmp/out")"
    [ -e "$tmp/bad.csv" ] && fail "$name: wrote the CSV"
}
check unknown-path "$scn" --metric "$util" --param storage.disk.nodez
check unknown-entry "$scn" --metric "$util" --param storage.flash.nodes
check not-numeric "$scn" --metric "$util" --param storage.disk.system
check default "$scn" --metric "$util" --param workloads.vit-b16.dataset.reader_threads
check unknown-metric "$scn" --metric train.vit-b16.gpu_utilisation --param storage.disk.nodes
check absent-metric "$scn" --metric train.resnet.gpu_utilization --param storage.disk.nodes
check text-metric "$scn" --metric train.vit-b16.bottleneck --param storage.disk.nodes
check by-100 "$scn" --metric "$util" --param storage.disk.nodes --by 100%
check by-0 "$scn" --metric "$util" --param storage.disk.nodes --by 0
check twice "$scn" --metric "$util" --param storage.disk.nodes --param storage.disk.nodes
check no-param "$scn" --metric "$util"
check no-metric "$scn" --param storage.disk.nodes
check zero "$scn" --metric "$util" --param workloads.vit-b16.dataset.reader_threads \
    --set workloads.vit-b16.dataset.reader_threads=0

finish
