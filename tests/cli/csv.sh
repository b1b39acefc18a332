#!/bin/sh
# `aifsim run --csv DIR`: the files are there (summary.csv and one series-<group>.csv per kind of
# component), with units in the headers and one row per window per component; the series'
# window-weighted mean of each GPU utilization equals the summary's metric (1e-9 relative); every
# numeric metric of summary.csv is the JSON's, digit for digit; two runs give the same bytes;
# --interval sets the windows; DIR and its parents are made; a bad DIR is refused before the run
# (exit 1 with a message, exit 2 for a malformed option) and a failed run makes nothing; and a
# write failing anywhere (AIFSIM_FAULT_WRITE) leaves every file whole, old or new, no temporary
# file, and a new summary.csv only when every file is new. A DIR reused for a scenario with other
# groups keeps no series file of the earlier run (and no file of the user's is touched).
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
scn=scenarios/flagship.yaml

# --- the files ----------------------------------------------------------------------------------
expect_status 0 "$AIFSIM" run $scn --csv "$tmp/a/b" --json "$tmp/a.json" -q
for f in summary series-train series-pool series-storage series-facility; do
    [ -s "$tmp/a/b/$f.csv" ] || fail "--csv: no $f.csv"
done
[ -s "$tmp/out" ] && fail "--csv with -q printed on standard output"
ls -A "$tmp/a/b" | grep -q '\.tmp$' && fail "--csv left a temporary file"
expect_grep "name,value,unit,label" "$tmp/a/b/summary.csv"
expect_grep "run.duration,21600,s,simulated time" "$tmp/a/b/summary.csv"
expect_grep "run.scenario,flagship,text,scenario" "$tmp/a/b/summary.csv"
head -n 1 "$tmp/a/b/series-pool.csv" | grep -qx 't_start_s,t_end_s,pool,gpu_utilization \[1\],power \[W\]' \
    || fail "series-pool.csv header: $(head -n 1 "$tmp/a/b/series-pool.csv")"
head -n 1 "$tmp/a/b/series-storage.csv" | grep -q '^t_start_s,t_end_s,storage,read_rate \[B/s\],' \
    || fail "series-storage.csv header: $(head -n 1 "$tmp/a/b/series-storage.csv")"
head -n 1 "$tmp/a/b/series-facility.csv" | grep -q '^t_start_s,t_end_s,it_power_gpus \[W\],' \
    || fail "series-facility.csv header: $(head -n 1 "$tmp/a/b/series-facility.csv")"

# One row per window (duration / 240 by default) per component, windows tiling [0, duration].
# rows FILE COLUMN: "<rows> <components> <tiled>" for the file's instance column.
rows() {
    awk -F, -v col="$2" 'NR > 1 {
        n++; seen[$col] = 1
        if (!($col in end)) end[$col] = 0
        if ($1 + 0 != end[$col]) bad = 1
        end[$col] = $2 + 0; last = $2 + 0
    } END { k = 0; for (c in seen) k++; print n, k, (bad ? "gaps" : "tiled"), last }' "$1"
}
set -- $(rows "$tmp/a/b/series-pool.csv" 3)
[ "$1 $2 $3 $4" = "480 2 tiled 21600" ] || fail "series-pool.csv: $*, expected 480 rows, 2 pools, tiled to 21600"
set -- $(rows "$tmp/a/b/series-train.csv" 3)
[ "$1 $2 $3" = "480 2 tiled" ] || fail "series-train.csv: $*, expected 480 rows for 2 jobs"
set -- $(rows "$tmp/a/b/series-facility.csv" 99)
[ "$1 $3" = "240 tiled" ] || fail "series-facility.csv: $*, expected 240 rows"

# The window-weighted mean of each component's GPU utilization is the summary's (1e-9 relative).
# weighted_means FILE GROUP: "GROUP.<instance>.gpu_utilization <mean>" lines.
weighted_means() {
    awk -F, -v g="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "gpu_utilization [1]") c = i; next }
        { s[$3] += $c * ($2 - $1); t[$3] += $2 - $1 }
        END { for (k in s) printf "%s.%s.gpu_utilization %.17g\n", g, k, s[k] / t[k] }' "$1"
}
{
    weighted_means "$tmp/a/b/series-pool.csv" pool
    weighted_means "$tmp/a/b/series-train.csv" train
} >"$tmp/means"
[ "$(wc -l <"$tmp/means")" -eq 4 ] || fail "expected 4 utilization series, got: $(cat "$tmp/means")"
awk -F, 'NR == FNR { want[$1] = $2; next }
    { split($0, a, " "); v = want[a[1]]; d = a[2] - v; if (d < 0) d = -d
      if (v == "" || d > 1e-9 * (v < 0 ? -v : v)) { print "  " a[1] ": series mean " a[2] ", summary " v; bad = 1 } }
    END { exit bad }' "$tmp/a/b/summary.csv" "$tmp/means" \
    || fail "a series' window-weighted mean differs from its summary metric"

# Every numeric metric of summary.csv is the JSON's value and unit, digit for digit, in order.
sed -n 's/^  "\([^"]*\)": {"value": \([^,]*\), "unit": "\([^"]*\)"},\{0,1\}$/\1,\2,\3/p' "$tmp/a.json" \
    | sed 's/,null,/,,/' >"$tmp/json.rows"
awk -F, 'NR > 1 && $3 != "text" { print $1 "," $2 "," $3 }' "$tmp/a/b/summary.csv" >"$tmp/csv.rows"
[ -s "$tmp/json.rows" ] || fail "no metrics read from the JSON"
cmp -s "$tmp/json.rows" "$tmp/csv.rows" || {
    fail "summary.csv's numeric metrics differ from the JSON's"
    diff "$tmp/json.rows" "$tmp/csv.rows" | head -n 5
}
n_json=$(grep -c '^  "' "$tmp/a.json")
n_csv=$(($(wc -l <"$tmp/a/b/summary.csv") - 1))
[ "$n_json" -eq "$n_csv" ] || fail "summary.csv has $n_csv metrics, the JSON $n_json"

# --- deterministic: the same bytes, run after run -------------------------------------------
expect_status 0 "$AIFSIM" run $scn --csv "$tmp/again" -q
diff -r "$tmp/a/b" "$tmp/again" >/dev/null || fail "two runs wrote different CSV files"
# Into the same directory again: the files are replaced, byte for byte the same.
expect_status 0 "$AIFSIM" run $scn --csv "$tmp/again" -q
diff -r "$tmp/a/b" "$tmp/again" >/dev/null || fail "rewriting DIR changed its files"

# --- --interval sets the windows ---------------------------------------------------------------
expect_status 0 "$AIFSIM" run $scn --csv "$tmp/hourly" --interval 1h -q
set -- $(rows "$tmp/hourly/series-pool.csv" 3)
[ "$1 $3 $4" = "12 tiled 21600" ] || fail "--interval 1h: $*, expected 12 rows (6 windows x 2 pools)"
head -n 3 "$tmp/hourly/series-pool.csv" | tail -n 1 | grep -q '^0,3600,video,' \
    || fail "--interval 1h: second row is $(sed -n 3p "$tmp/hourly/series-pool.csv")"

# --- bad DIR ----------------------------------------------------------------------------------
: >"$tmp/plain"
expect_status 1 "$AIFSIM" run $scn --csv "$tmp/plain" -q
expect_grep "aifsim: error: cannot write $tmp/plain: Not a directory" "$tmp/err"
expect_status 1 "$AIFSIM" run $scn --csv "$tmp/plain/sub" -q
expect_grep "$tmp/plain/sub: Not a directory" "$tmp/err"
expect_status 2 "$AIFSIM" run $scn --csv "" -q
expect_grep 'aifsim: error: --csv: expected a directory, got ""' "$tmp/err"
expect_status 2 "$AIFSIM" run $scn --csv
expect_grep "--csv" "$tmp/err"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
    expect_status 1 "$AIFSIM" run $scn --csv "$tmp/ro/out" -q
    expect_grep "cannot create directory $tmp/ro/out: Permission denied" "$tmp/err"
    chmod 755 "$tmp/ro"
fi
# A bad scenario or a failed run makes no directory.
expect_status 2 "$AIFSIM" run does-not-exist.yaml --csv "$tmp/never"
[ -e "$tmp/never" ] && fail "a bad scenario made the --csv directory"
expect_status 1 "$AIFSIM" run $scn --set max_events=1000 --csv "$tmp/never" -q
[ -e "$tmp/never" ] && fail "a run over its event budget made the --csv directory"

# --- a write failing anywhere: every file whole, old or new ---------------------------------
small=scenarios/compute-bound.yaml
expect_status 0 "$AIFSIM" run $small --csv "$tmp/new" -q
expect_status 0 "$AIFSIM" run $small --seed 9 --set 'duration=1 h' --csv "$tmp/old" -q
AIFSIM_FAULT_COUNT=1 "$AIFSIM" run $small --csv "$tmp/counted" -q >/dev/null 2>"$tmp/count"
writes=$(sed -n 's/^aifsim: faults: [0-9]* allocations, \([0-9]*\) writes$/\1/p' "$tmp/count")
[ -n "$writes" ] && [ "$writes" -gt 100 ] || fail "no write count: $(cat "$tmp/count")"
for n in 1 2 3 4 5 7 11 $((writes / 7)) $((writes / 3)) $((writes / 2)) $((writes - 12)) \
    $((writes - 8)) $((writes - 5)) $((writes - 4)) $((writes - 3)) $((writes - 2)) \
    $((writes - 1)) "$writes"; do
    rm -rf "$tmp/f" && cp -r "$tmp/old" "$tmp/f"
    AIFSIM_FAULT_WRITE=$n "$AIFSIM" run $small --csv "$tmp/f" -q >/dev/null 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] || fail "AIFSIM_FAULT_WRITE=$n: exit status $status, expected 1"
    grep -q "^aifsim: error: " "$tmp/err" || fail "AIFSIM_FAULT_WRITE=$n: no message"
    ls -A "$tmp/f" | grep -q '\.tmp$' && fail "AIFSIM_FAULT_WRITE=$n: a temporary file is left"
    all_new=yes
    for f in "$tmp/new"/*.csv; do
        b=$(basename "$f")
        if cmp -s "$f" "$tmp/f/$b"; then
            :
        elif cmp -s "$tmp/old/$b" "$tmp/f/$b"; then
            all_new=no
        else
            fail "AIFSIM_FAULT_WRITE=$n: $b is neither the old file nor the new one"
        fi
    done
    if cmp -s "$tmp/new/summary.csv" "$tmp/f/summary.csv" && [ "$all_new" = no ]; then
        fail "AIFSIM_FAULT_WRITE=$n: summary.csv is new but another file is not"
    fi
done
AIFSIM_FAULT_WRITE=$((writes + 1)) "$AIFSIM" run $small --csv "$tmp/f" -q >/dev/null 2>&1 \
    || fail "AIFSIM_FAULT_WRITE=count+1 failed: the count is not exact"
diff -r "$tmp/new" "$tmp/f" >/dev/null || fail "the run after the failures did not write the new files"

# --- a reused DIR -------------------------------------------------------------------------------
expect_status 0 "$AIFSIM" run scenarios/serving-mixed.yaml --csv "$tmp/re" -q
[ -f "$tmp/re/series-inference.csv" ] || fail "serving-mixed wrote no series-inference.csv"
echo keep >"$tmp/re/notes.txt"
printf 'month,sales\n1,2\n' >"$tmp/re/series-2024-sales.csv"
expect_status 0 "$AIFSIM" run scenarios/compute-bound.yaml --csv "$tmp/re" -q
[ -e "$tmp/re/series-inference.csv" ] && fail "a reused DIR kept the earlier run's series-inference.csv"
[ "$(cat "$tmp/re/notes.txt")" = keep ] || fail "a file of the user's in DIR was touched"
[ -f "$tmp/re/series-2024-sales.csv" ] || fail "a series-*.csv of the user's (not aifsim's header) was removed"
[ -f "$tmp/re/series-train.csv" ] || fail "the second run's series-train.csv is missing"

finish
