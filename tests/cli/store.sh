#!/bin/sh
# The results store: `aifsim run FILE --db FILE` appends runs (one row each, with their series),
# `aifsim runs` lists them, `runs show` prints a run exactly as `run` printed it and gives back the
# scenario text, `runs diff` names the inputs and the results that changed; a run killed in the
# middle of its transaction (AIFSIM_TEST_STORE_PAUSE, report/store.h) leaves the database intact
# with every earlier run and none of its own, while a reader still lists the runs; a failed commit
# stores nothing, and a failed run leaves no database it made; a newer schema, another file or a bad use is refused with exit 2, a database
# that cannot be opened exits 1.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
# Uses the sqlite3 program where it is installed (tools/setup installs it) for what only SQL sees.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

scn=scenarios/flagship.yaml
tier=hot
na=$(awk -v t="$tier" '$0 ~ "tier: " t "$" { f = 1 } f && $1 == "nodes:" { print $2; exit }' "$scn")
[ -n "$na" ] || { fail "no node count for tier $tier in $scn"; finish; }
nb=$((2 * na))
db=$tmp/runs.db
have_sqlite=false
command -v sqlite3 >/dev/null 2>&1 && have_sqlite=true
# sql QUERY: the query's output on $db (only with sqlite3).
sql() {
    sqlite3 -batch "$db" "$1"
}

# --- Two runs, two rows.
expect_status 0 "$AIFSIM" run "$scn" --db "$db"
expect_grep "stored as run 1 in $db" "$tmp/out"
cp "$tmp/out" "$tmp/run1.txt"
expect_status 0 "$AIFSIM" run "$scn" --db "$db" --set "storage.$tier.nodes=$nb"
expect_grep "stored as run 2 in $db" "$tmp/out"
expect_status 0 "$AIFSIM" runs --db "$db"
expect_grep "2 runs in $db" "$tmp/out"
grep -q "^ *1  .*  flagship  .*  none$" "$tmp/out" || fail "runs: no row for run 1"
grep -q "^ *2  .*  flagship  .*  storage.$tier.nodes=$nb$" "$tmp/out" || fail "runs: no row for run 2"
grep -q "USD" "$tmp/out" || fail "runs: no total cost"
expect_grep "% (" "$tmp/out"
[ "$(wc -l <"$tmp/out")" -eq 4 ] || fail "runs: expected a title, a heading and 2 rows"
if $have_sqlite; then
    [ "$(sql 'SELECT count(*) FROM runs')" = 2 ] || fail "2 runs, the database holds $(sql 'SELECT count(*) FROM runs')"
    [ "$(sql 'PRAGMA journal_mode')" = wal ] || fail "the database is not in WAL mode"
    [ "$(sql 'PRAGMA user_version')" = 2 ] || fail "schema version $(sql 'PRAGMA user_version')"
    # Every metric of the run, in order, with its unit; the series at duration / 240.
    "$AIFSIM" run "$scn" --json "$tmp/run.json" -q || fail "run --json failed"
    sed -n 's/^  "\([^"]*\)": {"value": [^,]*, "unit": "\([^"]*\)".*/\1 \2/p; s/^  "\([^"]*\)": {"text".*/\1 text/p' \
        "$tmp/run.json" >"$tmp/json.names"
    sql "SELECT name || ' ' || unit FROM metrics WHERE run_id = 1 ORDER BY pos" >"$tmp/db.names"
    cmp -s "$tmp/json.names" "$tmp/db.names" || fail "the stored metrics are not the run's (names, order or units)"
    [ "$(sql 'SELECT count(*) FROM series WHERE run_id = 1')" -gt 10 ] || fail "too few series stored"
    [ "$(sql 'SELECT count(*) FROM series WHERE run_id = 1 AND (n <> 240 OR length(v) <> 8 * n OR dt <> 90)')" = 0 ] ||
        fail "a series is not 240 windows of 90 s"
    [ "$(sql "SELECT seed || ' ' || duration_s || ' ' || overrides FROM runs WHERE id = 2")" = "42 21600.0 storage.$tier.nodes=$nb" ] ||
        fail "run 2's provenance: $(sql 'SELECT seed, duration_s, overrides FROM runs WHERE id = 2')"
    [ "$(sql "SELECT count(*) FROM runs WHERE scenario_hash = (SELECT text FROM metrics WHERE run_id = 1 AND name = 'run.scenario_hash')")" = 2 ] ||
        fail "run.scenario_hash is not the runs' scenario_hash"
fi

# --- show: the run's summary as run printed it (title aside), the series, the scenario's bytes.
expect_status 0 "$AIFSIM" runs show 1 --db "$db"
expect_grep "run 1 of $db: flagship ($scn), stored " "$tmp/out"
sed '1d; /^stored as run/d' "$tmp/run1.txt" | sed '$d' >"$tmp/want"
sed '1d; /^time series: /,$d' "$tmp/out" | sed '$d' >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || {
    fail "runs show 1 is not the summary run printed"
    diff "$tmp/want" "$tmp/got" | head -n 10
}
expect_grep "time series: " "$tmp/out"
expect_grep "  pool.llm.gpu_utilization " "$tmp/out"
expect_grep "240 x 1.5 min" "$tmp/out"
expect_status 0 "$AIFSIM" runs show 2 --scenario --db "$db"
cmp -s "$tmp/out" "$scn" || fail "runs show --scenario is not the scenario file"

# --- diff: an override changed, and what it changed in the results.
expect_status 0 "$AIFSIM" runs diff 1 2 --db "$db"
expect_grep "overrides        differs: none -> storage.$tier.nodes=$nb" "$tmp/out"
expect_grep "scenario text    same: hash " "$tmp/out"
expect_grep "seed             same: 42" "$tmp/out"
expect_grep "1 input differs: overrides" "$tmp/out"
expect_grep "  B: flagship ($scn, seed 42, --set storage.$tier.nodes=$nb)" "$tmp/out"
awk -v g="storage.$tier" '/^[^ ]/ { in_g = ($0 == g) } in_g && /^  storage nodes  / { found = 1; exit !($(NF - 1) == "+'"$na"'") }
    END { if (!found) exit 1 }' "$tmp/out" || fail "diff does not show the tier's nodes up by $na"
awk -v g="storage.$tier" '/^[^ ]/ { in_g = ($0 == g) } in_g && /^  average power  / { found = 1; exit !($(NF - 2) ~ /^\+/) }
    END { if (!found) exit 1 }' "$tmp/out" || fail "diff does not show the tier's power up"
expect_grep "metrics shown" "$tmp/out"
awk 'length($0) > 100 { bad++ } END { exit bad > 0 }' "$tmp/out" || fail "a diff line is over 100 columns"
expect_status 0 "$AIFSIM" runs diff 1 1 --db "$db" --all
expect_grep "the inputs are the same" "$tmp/out"
expect_grep "the two runs agree on every one" "$tmp/out"
# A scenario file with one line changed, and another seed: the line and the seed named.
sed "s/^\( *nodes: \)$na\$/\1$nb/" "$scn" >"$tmp/variant.yaml"
line=$(grep -n "^ *nodes: $nb\$" "$tmp/variant.yaml" | head -n 1 | cut -d: -f1)
[ -n "$line" ] || fail "could not make the variant"
expect_status 0 "$AIFSIM" run "$tmp/variant.yaml" --seed 7 --db "$db" -q
[ -s "$tmp/out" ] && fail "run -q --db printed something"
expect_status 0 "$AIFSIM" runs diff 1 3 --db "$db"
expect_grep "scenario text    differs: hash " "$tmp/out"
expect_grep "      - $line:     nodes: $na" "$tmp/out"
expect_grep "      + $line:     nodes: $nb" "$tmp/out"
expect_grep "(1 line removed, 1 added" "$tmp/out"
expect_grep "seed             differs: 42 -> 7" "$tmp/out"
expect_grep "4 inputs differ: scenario file, scenario text, overrides, seed" "$tmp/out"
# --interval sets the windows of the stored series.
expect_status 0 "$AIFSIM" run "$scn" --db "$db" --interval "1 h" -q
expect_status 0 "$AIFSIM" runs show 4 --db "$db"
expect_grep "6 x 1 h" "$tmp/out"

# --- A run killed inside its transaction: the database intact, the earlier runs all there, the
# killed one absent; a reader lists the runs meanwhile. Once with SIGKILL, once with SIGTERM
# (the handler that removes temporary outputs, then dies).
for sig in KILL TERM; do
    before=$("$AIFSIM" runs --db "$db" | sed -n 's/^\([0-9]*\) runs in .*/\1/p')
    perr=$tmp/pause-$sig.err
    AIFSIM_TEST_STORE_PAUSE=60 "$AIFSIM" run "$scn" --db "$db" --interval "10 s" -q 2>"$perr" &
    pid=$!
    n=0
    while ! grep -qs "aifsim: store: paused" "$perr" && [ $n -lt 300 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    grep -qs "aifsim: store: paused" "$perr" || fail "SIG$sig: the run never paused in its transaction"
    [ -s "$db-wal" ] || fail "SIG$sig: nothing of the transaction reached the write-ahead log"
    expect_status 0 "$AIFSIM" runs --db "$db"
    expect_grep "$before runs in $db" "$tmp/out"
    kill -s "$sig" "$pid"
    { wait "$pid"; } 2>/dev/null
    st=$?
    [ "$st" -gt 128 ] || fail "SIG$sig: the paused run exited $st, not by the signal"
    if $have_sqlite; then
        [ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "SIG$sig: integrity_check: $(sql 'PRAGMA integrity_check')"
        [ "$(sql 'SELECT count(*) FROM runs')" = "$before" ] || fail "SIG$sig: runs $(sql 'SELECT count(*) FROM runs'), expected $before"
        [ "$(sql "SELECT count(*) FROM metrics WHERE run_id > $before")" = 0 ] || fail "SIG$sig: metrics of the killed run remain"
        [ "$(sql "SELECT count(*) FROM series WHERE run_id > $before")" = 0 ] || fail "SIG$sig: series of the killed run remain"
        [ "$(sql "SELECT count(DISTINCT run_id) FROM metrics")" = "$before" ] || fail "SIG$sig: an earlier run lost its metrics"
    fi
    expect_status 0 "$AIFSIM" runs --db "$db"
    expect_grep "$before runs in $db" "$tmp/out"
    expect_status 0 "$AIFSIM" runs show "$before" --db "$db"
    expect_status 2 "$AIFSIM" runs show $((before + 1)) --db "$db"
done
# The next run takes the next id.
expect_status 0 "$AIFSIM" run "$scn" --db "$db"
expect_grep "stored as run $((before + 1)) in $db" "$tmp/out"

# --- A failed commit (AIFSIM_FAULT_WRITE on the last output operation): exit 1, nothing stored.
count=$("$AIFSIM" runs --db "$db" | sed -n 's/^\([0-9]*\) runs in .*/\1/p')
AIFSIM_FAULT_COUNT=1 "$AIFSIM" run "$scn" --db "$db" -q 2>"$tmp/count" || fail "counted run failed"
writes=$(sed -n 's/^aifsim: faults: [0-9]* allocations, \([0-9]*\) writes$/\1/p' "$tmp/count")
[ -n "$writes" ] || fail "no write count: $(cat "$tmp/count")"
expect_status 1 env AIFSIM_FAULT_WRITE="${writes:-1}" "$AIFSIM" run "$scn" --db "$db" -q
expect_grep "results database $db: storing the run: database or disk is full" "$tmp/err"
expect_status 0 "$AIFSIM" runs --db "$db"
expect_grep "$((count + 1)) runs in $db" "$tmp/out"

# --- Bad uses: exit 2 naming the mistake, nothing on stdout; a database that cannot be opened: 1.
expect_status 0 "$AIFSIM" runs --help
expect_grep "usage: aifsim runs --db FILE" "$tmp/out"
expect_status 0 "$AIFSIM" --help
expect_grep "  runs  " "$tmp/out"
bad() {
    expect_status 2 "$AIFSIM" "$@"
    [ -s "$tmp/out" ] && fail "$*: printed on stdout although it failed"
}
bad run "$scn" --db
expect_grep "option --db needs a value" "$tmp/err"
bad runs
expect_grep "needs --db FILE" "$tmp/err"
bad runs --db "$tmp/missing.db"
expect_grep "results database $tmp/missing.db: no such file" "$tmp/err"
[ -e "$tmp/missing.db" ] && fail "runs made a database"
bad runs show --db "$db"
expect_grep '`aifsim runs show` needs a run id, got 0' "$tmp/err"
bad runs show one --db "$db"
expect_grep 'expects a run id such as "3"' "$tmp/err"
bad runs show 0 --db "$db"
expect_grep 'got "0"' "$tmp/err"
bad runs show 99 --db "$db"
expect_grep "holds no run 99" "$tmp/err"
bad runs diff 1 --db "$db"
expect_grep "needs two run ids, got 1" "$tmp/err"
bad runs diff 1 99 --db "$db"
expect_grep "holds no run 99" "$tmp/err"
bad runs shwo 1 --db "$db"
expect_grep 'did you mean "show"?' "$tmp/err"
bad runs 1 --db "$db"
bad runs --all --db "$db"
expect_grep "--all is for \`aifsim runs diff\`" "$tmp/err"
bad runs show 1 --frobnicate --db "$db"
expect_grep 'unknown option "--frobnicate" for `aifsim runs`' "$tmp/err"
cp "$scn" "$tmp/scn.yaml"
bad run "$tmp/scn.yaml" --db "$tmp/scn.yaml"
cmp -s "$scn" "$tmp/scn.yaml" || fail "--db over the scenario changed it"
bad run "$scn" --db "$tmp/out.json" --json "$tmp/out.json"
expect_grep "would overwrite the results database" "$tmp/err"
printf 'not a database\n%.0s' $(seq 1 200) >"$tmp/text.db"
cp "$tmp/text.db" "$tmp/text.orig"
bad run "$scn" --db "$tmp/text.db"
expect_grep "not a SQLite database" "$tmp/err"
cmp -s "$tmp/text.db" "$tmp/text.orig" || fail "a file that is no database was changed"
bad runs --db "$tmp/text.db"
if $have_sqlite; then
    sqlite3 -batch "$tmp/new.db" "PRAGMA application_id = 1095127885; CREATE TABLE runs (x); PRAGMA user_version = 5;"
    bad run "$scn" --db "$tmp/new.db"
    expect_grep "has schema version 5, newer than this aifsim reads (version 2)" "$tmp/err"
    bad runs --db "$tmp/new.db"
    [ "$(sqlite3 -batch "$tmp/new.db" 'PRAGMA user_version')" = 5 ] || fail "the newer database was changed"
fi
bad run "$scn" --db -
expect_grep 'results database "-": expected the name of a database file' "$tmp/err"
[ -e ./- ] && fail "a refused --db - left a file named - behind"
bad runs --db ""
expect_grep 'results database "": expected the name of a database file' "$tmp/err"
# A name SQLite would take for an in-memory database is a file like any other.
(cd "$tmp" && "$AIFSIM" run "$top_srcdir/$scn" --db :memory: -q) || fail "--db :memory: failed"
[ -s "$tmp/:memory:" ] || fail "--db :memory: did not make the file :memory:"
(cd "$tmp" && "$AIFSIM" runs --db :memory: | grep -q "^1 run in :memory:") || fail "runs --db :memory:"
expect_status 1 "$AIFSIM" run "$scn" --db "$tmp/no/such/dir/r.db" -q
expect_grep "results database $tmp/no/such/dir/r.db: unable to open database file" "$tmp/err"

# --- Clean under valgrind (where it is installed and the build has no sanitizers): storing,
# listing, showing and diffing.
if command -v valgrind >/dev/null 2>&1 && [ "${AIFSIM_SANITIZED:-no}" != yes ]; then
    for args in "run $scn --db $tmp/vg.db -q" "run $scn --db $tmp/vg.db --set storage.$tier.nodes=$nb -q" \
        "runs --db $tmp/vg.db" "runs show 2 --db $tmp/vg.db" "runs diff 1 2 --db $tmp/vg.db --all"; do
        # shellcheck disable=SC2086
        valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            "$AIFSIM" $args >"$tmp/out" 2>"$tmp/err" || {
            sed 's/^/  /' "$tmp/err" | head -n 40
            fail "valgrind reported errors on aifsim $args"
        }
    done
fi
# --- A failed run leaves no database it made (nothing would be in it), and one that was there
# keeps its runs.
expect_status 2 "$AIFSIM" run scenarios/flash-512.yaml --set storage.flash.nodes=1 --db "$tmp/none.db" -q
ls "$tmp"/none.db* >/dev/null 2>&1 && fail "a failed run left $(ls "$tmp"/none.db*)"
expect_status 2 "$AIFSIM" run scenarios/flash-512.yaml --set storage.flash.nodes=1 --db "$db" -q
[ -f "$db" ] || fail "a failed run removed a database that was there"
expect_status 0 "$AIFSIM" runs --db "$db"
expect_grep "runs in $db" "$tmp/out"

finish
