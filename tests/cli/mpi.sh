#!/bin/sh
# `mpirun -n K aifsim sweep` (a build with --with-mpi, plan/sweep_mpi.h): with 2 and 3 ranks the
# database holds what the threaded sweep's (-j 1) holds, every table but the two timestamps
# compared as an SQL dump (every metric with its label and dimension, every series, the run ids in
# the same order), and the table and the CSV are the same bytes; mpirun -n 1 is the threaded
# sweep. Only rank 0 writes and prints: a point that fails, a bad --vary, --help and a database
# that cannot be opened are each reported once, with the exit status of a plain sweep. SIGINT to
# rank 0 stores the runs that finished and exits 130, and --resume under mpirun finishes the
# sweep, equal to an uninterrupted one; resumed once more, it runs nothing and ends.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir, AIFSIM_WITH_MPI (yes in a
# build configured --with-mpi). Skips (77) without MPI in the build, without mpirun or without
# sqlite3.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

if [ "${AIFSIM_WITH_MPI:-no}" != yes ]; then
    echo "skip: aifsim is built without MPI (configure --with-mpi)"
    exit 77
fi
for p in mpirun sqlite3; do
    if ! command -v "$p" >/dev/null 2>&1; then
        echo "skip: no $p"
        exit 77
    fi
done
# Open MPI refuses root without these two, and more ranks than cores without oversubscription
# (this machine may have 2 cores for 3 ranks); the shared-memory transport's single-copy mode
# needs ptrace rights that containers often withhold, and plain copies work everywhere.
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMPI_MCA_rmaps_base_oversubscribe \
    OMPI_MCA_btl_vader_single_copy_mechanism
# Open MPI leaves memory of its plug-ins, unloaded by then, at MPI_Finalize: LeakSanitizer would
# report it with frames no suppression can name. The other checks of AddressSanitizer and UBSan
# stay on (and sweep.sh checks the same code for leaks without MPI).
if [ "${AIFSIM_SANITIZED:-no}" = yes ]; then
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    export ASAN_OPTIONS
fi

scn=scenarios/storage-short.yaml

# dump DB: the whole database in SQL but the times it was written at.
dump() {
    cp "$1" "$tmp/dump.db"
    sqlite3 -batch "$tmp/dump.db" "UPDATE runs SET stored_at = ''; UPDATE sweeps SET created_at = '';"
    sqlite3 -batch "$tmp/dump.db" .dump
    rm -f "$tmp/dump.db"
}

# count FIXED FILE: the number of lines holding FIXED.
count() {
    grep -cF -- "$1" "$2"
}

# --- 2 and 3 ranks (and 1) against -j 1: the same database, table and CSV.
grid="--vary storage.flash.nodes=4..7 --vary duration=20min,40min --replications 2"
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" sweep "$scn" $grid -j 1 --db "$tmp/j1.db" --csv "$tmp/csv-j1"
sed 1d "$tmp/out" | sed '$d' >"$tmp/j1.t"
dump "$tmp/j1.db" >"$tmp/j1.dump"
[ "$(sqlite3 "$tmp/j1.db" 'SELECT count(*) FROM sweep_runs')" = 16 ] || fail "-j 1: expected 16 runs"
[ "$(grep -c '^INSERT INTO series' "$tmp/j1.dump")" -gt 16 ] || fail "-j 1 stored no series"
for k in 2 3 1; do
    # shellcheck disable=SC2086
    expect_status 0 mpirun -n "$k" "$AIFSIM" sweep "$scn" $grid -j 2 --db "$tmp/n$k.db" \
        --csv "$tmp/csv-n$k"
    [ "$(count "8 of 8 points" "$tmp/out")" = 1 ] || fail "-n $k: the table printed $(count "8 of 8 points" "$tmp/out") times"
    sed 1d "$tmp/out" | sed '$d' >"$tmp/n$k.t"
    cmp -s "$tmp/j1.t" "$tmp/n$k.t" || fail "mpirun -n $k printed another table than -j 1"
    cmp -s "$tmp/csv-j1/sweep.csv" "$tmp/csv-n$k/sweep.csv" ||
        fail "mpirun -n $k wrote another sweep.csv than -j 1"
    dump "$tmp/n$k.db" >"$tmp/n$k.dump"
    cmp -s "$tmp/j1.dump" "$tmp/n$k.dump" || {
        fail "mpirun -n $k stored other results than -j 1"
        diff "$tmp/j1.dump" "$tmp/n$k.dump" | head -n 5 | cut -c 1-200
    }
done

# --- Only rank 0 speaks: each message once, the plain sweep's exit status.
expect_status 2 mpirun -n 3 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=2,4 \
    --set 'duration=10 min'
[ "$(count "in point 1 (storage.flash.nodes=2) of the sweep" "$tmp/err")" = 1 ] ||
    fail "a failed point: its note $(count "in point 1" "$tmp/err") times"
[ "$(count "1 of 2 runs failed" "$tmp/err")" = 1 ] || fail "a failed point: no single count"
[ "$(count "1 of 2 points" "$tmp/out")" = 1 ] || fail "a failed point: the table not once"
expect_status 2 mpirun -n 2 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4,four
[ "$(count "the value \"four\" is not one" "$tmp/err")" = 1 ] ||
    fail "a bad --vary: reported $(count "the value \"four\"" "$tmp/err") times"
[ ! -s "$tmp/out" ] || fail "a bad --vary printed a table"
expect_status 0 mpirun -n 2 "$AIFSIM" sweep --help
[ "$(count "usage: aifsim sweep" "$tmp/out")" = 1 ] || fail "--help printed $(count "usage:" "$tmp/out") times"
expect_grep "Ignored under mpirun" "$tmp/out"
# Rank 0 alone opens the database; the others learn it failed and end quietly.
expect_status 1 mpirun -n 3 "$AIFSIM" sweep "$scn" --vary storage.flash.nodes=4,5 \
    --db "$tmp/no/such/dir/x.db"
[ "$(count "unable to open database file" "$tmp/err")" = 1 ] ||
    fail "a database that cannot be opened: reported $(count "unable to open" "$tmp/err") times"

# --- SIGINT to rank 0, then --resume under mpirun: what an uninterrupted sweep stores. A shell
# starts background commands with SIGINT ignored: $with_sigint (lib.sh) restores it; the wrapper
# records rank 0's process id.
grid2="--vary storage.flash.nodes=4..9 --vary duration=8h,16h"
# shellcheck disable=SC2086
expect_status 0 "$AIFSIM" sweep "$scn" $grid2 -j 2 --db "$tmp/full.db" -q
# shellcheck disable=SC2016,SC2086
$with_sigint mpirun -n 3 sh -c 'echo $$ >"$0.$OMPI_COMM_WORLD_RANK"; exec "$@"' "$tmp/pid" \
    "$AIFSIM" sweep "$scn" $grid2 --db "$tmp/cut.db" -q >"$tmp/cut.out" 2>"$tmp/cut.err" &
mp=$!
wait_rows "$tmp/cut.db" sweep_runs 4 "$mp"
[ -s "$tmp/pid.0" ] && kill -INT "$(cat "$tmp/pid.0")" 2>/dev/null
wait "$mp"
st=$?
stored=$(sqlite3 "$tmp/cut.db" 'SELECT count(*) FROM sweep_runs')
if [ "$st" -eq 0 ]; then
    echo "note: the sweep ended before the interrupt; the resume check runs on a whole sweep"
else
    [ "$st" -eq 130 ] || fail "an interrupted MPI sweep exited $st, expected 130: $(cat "$tmp/cut.err")"
    [ "$(count "sweep interrupted" "$tmp/cut.err")" = 1 ] ||
        fail "no single word of the interruption: $(cat "$tmp/cut.err")"
    [ "$stored" -ge 4 ] && [ "$stored" -lt 12 ] || fail "interrupted: $stored runs stored"
fi
# shellcheck disable=SC2086
expect_status 0 mpirun -n 2 "$AIFSIM" sweep "$scn" $grid2 --db "$tmp/cut.db" --resume -q
[ "$st" -eq 0 ] || expect_grep "$stored of 12 runs stored, $((12 - stored)) to run" "$tmp/err"
[ "$(sqlite3 "$tmp/cut.db" 'SELECT count(*) FROM sweeps')" = 1 ] || fail "--resume started another sweep"
sql="SELECT s.point, s.replication, m.pos, m.name, quote(m.value), m.dim, m.label, m.text
     FROM sweep_runs s JOIN metrics m ON m.run_id = s.run_id ORDER BY 1, 2, 3;
     SELECT s.point, s.replication, x.pos, x.name, x.dim, x.dt, x.n, hex(x.v)
     FROM sweep_runs s JOIN series x ON x.run_id = s.run_id ORDER BY 1, 2, 3;"
sqlite3 -batch "$tmp/full.db" "$sql" >"$tmp/full.rows"
sqlite3 -batch "$tmp/cut.db" "$sql" >"$tmp/cut.rows"
cmp -s "$tmp/full.rows" "$tmp/cut.rows" || fail "interrupted and resumed under mpirun differs from uninterrupted"
# Resuming a finished sweep hands out no job: the ranks end all the same.
# shellcheck disable=SC2086
expect_status 0 mpirun -n 3 "$AIFSIM" sweep "$scn" $grid2 --db "$tmp/cut.db" --resume
expect_grep "12 of 12 runs stored, 0 to run" "$tmp/err"
[ "$(count "12 of 12 points" "$tmp/out")" = 1 ] || fail "a finished sweep resumed: the table not once"

finish
