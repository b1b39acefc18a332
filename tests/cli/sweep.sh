#!/bin/sh
# `aifsim sweep`: the grid's points in order with their values; -j 1 and -j 2 store the same runs
# (every result row, metric and series of every point and replication, compared as an SQL dump
# without ids and timestamps); a sweep interrupted with SIGINT after some points keeps every
# run it finished, exits 130, and `--resume` runs only the missing ones, after which the database
# holds what an uninterrupted sweep's holds; the 95% interval of the replications matches a hand
# computation (mean +- t s / sqrt(n), t(0.975, 2) = 4.303 from a printed table) over the stored
# runs; --csv and --pdf are written; bad --vary specs exit 2 naming the path and the form.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
# The database checks need the sqlite3 program (tools/setup installs it) and are skipped without.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

scn=scenarios/storage-short.yaml
have_sqlite=false
command -v sqlite3 >/dev/null 2>&1 && have_sqlite=true

# dump DB: every result of every sweep run, by (point, replication), without ids or times.
dump() {
    sqlite3 -batch "$1" "
        SELECT s.point, s.replication, s.point_values, r.seed, r.overrides, r.scenario_hash,
               m.pos, m.name, quote(m.value), m.unit, m.text
        FROM sweep_runs s JOIN runs r ON r.id = s.run_id JOIN metrics m ON m.run_id = s.run_id
        ORDER BY s.point, s.replication, m.pos;
        SELECT s.point, s.replication, x.pos, x.name, x.dt, x.n, hex(x.v)
        FROM sweep_runs s JOIN series x ON x.run_id = s.run_id
        ORDER BY s.point, s.replication, x.pos;
        SELECT scenario, scenario_hash, spec, points, replications FROM sweeps;"
}

# --- The grid: 3 x 2 points in order, the last --vary fastest; a failed point is named.
expect_status 0 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4..8:2 \
    --vary 'duration=10 min,20 min' -j 2 --metric 'train.*.gpu_utilization' --metric run.duration
expect_grep "6 of 6 points" "$tmp/out"
awk '/^ *[0-9]+  / { print $1, $2, $3 $4 }' "$tmp/out" >"$tmp/order"
printf '1 4 10min\n2 4 20min\n3 6 10min\n4 6 20min\n5 8 10min\n6 8 20min\n' >"$tmp/order.want"
cmp -s "$tmp/order" "$tmp/order.want" || fail "points out of order: $(cat "$tmp/order")"
grep -q "^ *3  6  *10 min  *9[0-9.]*%  *10 min$" "$tmp/out" || fail "point 3's row: $(grep '^ *3 ' "$tmp/out")"
# Two nodes cannot hold the data set: that point fails, the others run, exit 2.
expect_status 2 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=2,4 --set 'duration=10 min'
expect_grep "in point 1 (storage.flash.nodes=2) of the sweep" "$tmp/err"
expect_grep "1 of 2 points" "$tmp/out"
expect_grep "1 of 2 runs failed" "$tmp/err"

# --- Bad --vary specs: exit 2, nothing run, the path and what was expected named.
bad() {
    expect_status 2 "$AIFSIM" sweep "$scn" --vary "$1"
    expect_grep "$2" "$tmp/err"
    [ ! -s "$tmp/out" ] || fail "--vary $1: printed a table"
}
bad storage.flash.nodes "expected PATH=VALUES, e.g. storage.hot.nodes=2,4,8"
bad storage.flash.nodes=2..x "storage.flash.nodes: expected a range of numbers"
bad storage.flash.nodes=8..2 "storage.flash.nodes: the range ends below its start"
bad storage.flash.nodes=1..8:0 "storage.flash.nodes: expected a step above 0"
bad storage.flash.nodes=0..8x2 "a start above 0 and a factor above 1"
bad storage.flash.nodes=4,,8 "storage.flash.nodes: expected a value between the commas"
bad storage.flash.nodes=1..1e6:1 "more than the 100000 points a sweep may have"
bad 'duration=30 min..2 h:30 min' "duration: expected one unit on both ends"
bad storage.flash.nodes=4,four "storage[0].nodes: expected a positive integer, got \"four\""
expect_grep "in --vary storage.flash.nodes=...: the value \"four\"" "$tmp/err"
bad storage.flash.nodez=4 "unknown key \"nodez\""
bad 'duration=5,10' "duration: expected a time"
expect_status 2 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4,8 --set storage.flash.nodes=6
expect_grep "storage.flash.nodes is also varied" "$tmp/err"
# The same field by another path would override the axis: refused as well.
expect_status 2 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4,5 --set 'storage[0].nodes=6'
expect_grep "--set storage[0].nodes=6: overrides the field that --vary storage.flash.nodes=... varies" "$tmp/err"
expect_status 2 "$AIFSIM" sweep "$scn" --vary storage.flash.system=flash-tlc-node,flash-qlc-node \
    --set 'storage[0].system=flash-qlc-node'
expect_grep "overrides the field that --vary storage.flash.system=... varies" "$tmp/err"
# A field inside a varied one applies at every point: facility.pue under --vary facility, each
# point's facility power that of `aifsim run --set facility=F --set facility.pue=2.0`.
cb=scenarios/compute-bound.yaml
expect_status 0 "$AIFSIM" sweep $cb --vary facility=hyperscale,colocation --set facility.pue=2.0 \
    --csv "$tmp/pue" -q
col=$(head -n 1 "$tmp/pue/sweep.csv" | tr ',' '\n' | grep -n '^facility.power \[W\]$' | cut -d: -f1)
k=2
for f in hyperscale colocation; do
    want=$("$AIFSIM" run $cb --set facility=$f --set facility.pue=2.0 --json - |
        sed -n 's/.*"facility.power": {"value": \([^,]*\),.*/\1/p')
    got=$(sed -n "${k}p" "$tmp/pue/sweep.csv" | cut -d, -f"${col:-1}")
    awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; exit !(a > 0 && (d < 0 ? -d : d) <= 1e-9 * a) }' ||
        fail "--vary facility with --set facility.pue=2.0: $f point $got W, run $want W"
    k=$((k + 1))
done
expect_status 2 "$AIFSIM" sweep "$scn" --vary a=1..400 --vary b=1..400
expect_grep "more than the 100000 points" "$tmp/err"
expect_status 2 "$AIFSIM" sweep "$scn"
expect_grep "needs at least one --vary" "$tmp/err"
expect_status 2 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4 --resume
expect_grep "--resume needs --db" "$tmp/err"
expect_status 2 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4 --replications 0
expect_grep "--replications: expected a whole number" "$tmp/err"
expect_status 2 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4 -j 0
expect_grep "-j: expected a number of threads" "$tmp/err"

if ! $have_sqlite; then
    echo "skip: the database checks need sqlite3"
    finish
fi

# --- -j 1 and -j 2: the same database (and the same table).
grid="--vary storage.flash.nodes=4..7 --vary duration=20min,40min --replications 2"
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" sweep "$scn" $grid -j 1 --db "$tmp/j1.db" --csv "$tmp/csv1"
cp "$tmp/out" "$tmp/j1.out"
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" sweep "$scn" $grid -j 2 --db "$tmp/j2.db" --csv "$tmp/csv2" \
    --pdf "$tmp/sweep.pdf"
cp "$tmp/out" "$tmp/j2.out"
[ "$(sqlite3 "$tmp/j1.db" 'SELECT count(*) FROM sweep_runs')" = 16 ] || fail "-j 1: expected 16 runs"
dump "$tmp/j1.db" >"$tmp/j1.dump"
dump "$tmp/j2.db" >"$tmp/j2.dump"
[ "$(wc -l <"$tmp/j1.dump")" -gt 1000 ] || fail "the dump is too short to compare"
cmp -s "$tmp/j1.dump" "$tmp/j2.dump" || fail "-j 1 and -j 2 stored different results"
# Same runs in the same order: the run ids too.
[ "$(sqlite3 "$tmp/j1.db" 'SELECT group_concat(run_id) FROM sweep_runs ORDER BY run_id')" = \
  "$(sqlite3 "$tmp/j2.db" 'SELECT group_concat(run_id) FROM sweep_runs ORDER BY run_id')" ] ||
    fail "-j 1 and -j 2 stored the runs in different orders"
sed 1d "$tmp/j1.out" | sed '$d' >"$tmp/j1.t"
sed 1d "$tmp/j2.out" | sed '$d' >"$tmp/j2.t"
cmp -s "$tmp/j1.t" "$tmp/j2.t" || fail "-j 1 and -j 2 printed different tables"
cmp -s "$tmp/csv1/sweep.csv" "$tmp/csv2/sweep.csv" || fail "-j 1 and -j 2 wrote different CSV"
[ "$(wc -l <"$tmp/csv1/sweep.csv")" -eq 9 ] || fail "sweep.csv: expected a header and 8 rows"
head -n 1 "$tmp/csv1/sweep.csv" | grep -q '^point,storage.flash.nodes,duration,.*train.video-vlm.gpu_utilization:mean \[1\],train.video-vlm.gpu_utilization:lo \[1\],train.video-vlm.gpu_utilization:hi \[1\]' ||
    fail "sweep.csv header: $(head -c 300 "$tmp/csv1/sweep.csv")"
head -c 5 "$tmp/sweep.pdf" | grep -q '%PDF-' || fail "--pdf wrote no PDF"
# The runs listing shows the sweep.
expect_status 0 "$AIFSIM" runs --db "$tmp/j1.db"
grep -q "^ *16  .*  1 p8 r2  storage.flash.nodes=7; duration=40min$" "$tmp/out" ||
    fail "runs: no sweep column for run 16"

# --- The interval of the replications, by hand over the stored runs: 3 replications of one
# point (4 nodes, where the spread of sample sizes makes the runs differ), t(0.975, 2) = 4.303.
expect_status 0 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4,5 --set duration=20min \
    --replications 3 --db "$tmp/ci.db" --csv "$tmp/ci"
sqlite3 -batch "$tmp/ci.db" "SELECT value FROM sweep_metrics WHERE point = 1 AND
    name = 'train.video-vlm.gpu_utilization' ORDER BY replication" >"$tmp/reps"
[ "$(wc -l <"$tmp/reps")" -eq 3 ] || fail "expected 3 stored replications"
[ "$(sort -u "$tmp/reps" | wc -l)" -eq 3 ] || fail "the replications did not differ: $(cat "$tmp/reps")"
hand=$(awk '{ x[NR] = $1; s += $1 } END { m = s / NR; for (i = 1; i <= NR; i++) ss += (x[i] - m) ^ 2;
    h = 4.303 * sqrt(ss / (NR - 1)) / sqrt(NR); printf "%.10g %.10g %.10g\n", m, m - h, m + h }' "$tmp/reps")
col=$(head -n 1 "$tmp/ci/sweep.csv" | tr ',' '\n' | grep -n '^train.video-vlm.gpu_utilization:mean' | cut -d: -f1)
got=$(sed -n 2p "$tmp/ci/sweep.csv" | cut -d, -f"$col,$((col + 1)),$((col + 2))" | tr ',' ' ')
# The means agree to 1e-9; the half widths to 1e-3 of themselves (the table's t = 4.303 is
# rounded to 4 figures: 4.302653 / 4.303 - 1 = -8e-5), and the interval is symmetric.
echo "$hand $got" | awk 'function abs(x) { return x < 0 ? -x : x }
    { hh = ($3 - $2) / 2; lo = $4 - $5; hi = $6 - $4
      exit !(hh > 0 && abs($1 - $4) <= 1e-9 * abs($1) && abs(lo - hh) <= 1e-3 * hh &&
             abs(hi - hh) <= 1e-3 * hh) }' || fail "interval: by hand $hand, sweep.csv $got"

# --- Interrupted and resumed equals uninterrupted.
grid2="--vary storage.flash.nodes=4..9 --vary duration=8h,16h"
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" sweep "$scn" $grid2 -j 2 --db "$tmp/full.db" -q
# A shell gives background commands SIGINT ignored; $with_sigint (lib.sh) puts it back.
# shellcheck disable=SC2086
$with_sigint "$AIFSIM" sweep "$scn" $grid2 -j 1 --db "$tmp/cut.db" -q >"$tmp/cut.out" 2>"$tmp/cut.err" &
pid=$!
wait_rows "$tmp/cut.db" sweep_runs 4 "$pid"
kill -INT "$pid" 2>/dev/null
wait "$pid"
st=$?
stored=$(sqlite3 "$tmp/cut.db" 'SELECT count(*) FROM sweep_runs')
if [ "$st" -eq 0 ]; then
    echo "note: the sweep ended before the interrupt; the resume check runs on a whole sweep"
else
    [ "$st" -eq 130 ] || fail "an interrupted sweep exited $st, expected 130"
    grep -q "sweep interrupted" "$tmp/cut.err" || fail "no word of the interruption: $(cat "$tmp/cut.err")"
    [ "$stored" -ge 4 ] && [ "$stored" -lt 12 ] || fail "interrupted: $stored runs stored"
fi
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" sweep "$scn" $grid2 -j 2 --db "$tmp/cut.db" --resume -q
[ "$st" -eq 0 ] || expect_grep "$stored of 12 runs stored, $((12 - stored)) to run" "$tmp/err"
[ "$(sqlite3 "$tmp/cut.db" 'SELECT count(*) FROM sweeps')" = 1 ] || fail "--resume started another sweep"
dump "$tmp/full.db" >"$tmp/full.dump"
dump "$tmp/cut.db" >"$tmp/cut.dump"
cmp -s "$tmp/full.dump" "$tmp/cut.dump" || fail "interrupted and resumed differs from uninterrupted"
# Resuming a finished sweep runs nothing; another spec is another sweep.
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" sweep "$scn" $grid2 --db "$tmp/cut.db" --resume
expect_grep "12 of 12 runs stored, 0 to run" "$tmp/err"
expect_grep "12 of 12 points" "$tmp/out"
[ "$(sqlite3 "$tmp/cut.db" 'SELECT count(*) FROM runs')" = 12 ] || fail "a finished sweep ran again"
expect_status 0 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4 --db "$tmp/cut.db" --resume
expect_grep "holds no sweep of $scn with these values" "$tmp/err"
[ "$(sqlite3 "$tmp/cut.db" 'SELECT count(*) FROM sweeps')" = 2 ] || fail "a new spec did not make a new sweep"

finish
