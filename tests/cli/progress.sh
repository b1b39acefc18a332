#!/bin/sh
# Progress and Ctrl-C in `aifsim run`. With standard error not a terminal a long run prints
# nothing there; on a terminal (a pty from util-linux `script`) a progress line appears
# ("aifsim: simulated ... of ..., ... events/s, about ... left", rewritten in place with \r) and
# is cleared at the end, also with -q and not with --no-progress. SIGINT ends a long run early:
# exit 130, a message on stderr at once, the summary opening with PARTIAL RESULTS, whole JSON
# and CSV outputs that carry run.partial and cover the simulated time reached (run.duration
# below the scenario's, the series ending there, every metric the same as a run of that
# duration's); a Ctrl-C typed on the terminal does the same;
# and a second SIGINT right after the first still leaves no temporary file and no half-written
# output. The SIGINT checks need `env --default-signal` (coreutils 8.31) or perl to undo the
# ignored SIGINT a shell gives background commands; the terminal checks need `script`.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

# A scenario that runs for minutes (about 4e7 events per simulated day): interrupted long before
# its end.
cat >"$tmp/long.yaml" <<'EOF'
aifsim: 1
name: long
duration: 30 d
max_events: 1e10
cluster:
  - pool: train
    node: dgx-h100
    nodes: 2
storage:
  - tier: hot
    system: flash-qlc-node
    nodes: 1
workloads:
  - train:
      name: vit
      pool: train
      step_time: 1 ms
      batch_per_gpu: 256
      dataset: { tier: hot, size: 50 TB, sample_size: 110 kB }
EOF
# The same for a few seconds (a progress line shows after one; the sanitizer build is slower).
hours=12
[ "${AIFSIM_SANITIZED:-no}" = yes ] && hours=3
short="--set duration=${hours}h"

# --- standard error not a terminal: nothing on it ------------------------------------------
expect_status 0 "$AIFSIM" run "$tmp/long.yaml" $short -q
[ -s "$tmp/err" ] && fail "a run with stderr not a terminal printed: $(head -c 200 "$tmp/err")"

# --- SIGINT --------------------------------------------------------------------------------
# $with_sigint CMD... (lib.sh): runs CMD (by exec, so $! is its pid) with SIGINT at its default:
# a background command of a non-interactive shell has it ignored, and aifsim leaves an ignored
# SIGINT ignored.
# Whatever happens, no run is left behind.
pid=
spid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; [ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT

# end_within PID SECONDS: waits for PID to end, killing it after SECONDS; false if it had to.
end_within() {
    i=0
    while kill -0 "$1" 2>/dev/null && [ "$i" -lt $(($2 * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -0 "$1" 2>/dev/null || return 0
    kill -KILL "$1"
    return 1
}

# wait_for FILE PATTERN SECONDS: waits until FILE holds PATTERN (a fixed string).
wait_for() {
    i=0
    while [ "$i" -lt $(($3 * 10)) ]; do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

if [ -n "$with_sigint" ]; then
    $with_sigint "$AIFSIM" run "$tmp/long.yaml" --json "$tmp/p.json" --csv "$tmp/pcsv" \
        >"$tmp/p.out" 2>"$tmp/p.err" &
    pid=$!
    # Loading takes milliseconds; a second in, the run is well under way.
    sleep 1
    kill -INT "$pid"
    end_within "$pid" 30 || fail "SIGINT: the run did not end within 30 s"
    wait "$pid"
    status=$?
    [ "$status" -eq 130 ] || fail "SIGINT: exit status $status, expected 130 ($(cat "$tmp/p.err"))"
    grep -q '^aifsim: interrupted at .* of 30 d simulated; finishing the accounting and writing the results so far (Ctrl-C again to quit at once)$' "$tmp/p.err" \
        || fail "SIGINT: no message on stderr: $(cat "$tmp/p.err")"
    head -n 1 "$tmp/p.out" | grep -q '^PARTIAL RESULTS: interrupted at .* of 30 d simulated (Ctrl-C); every figure covers the time run$' \
        || fail "SIGINT: the summary does not open with PARTIAL: $(head -n 1 "$tmp/p.out")"
    grep -q '^  PARTIAL  *interrupted at ' "$tmp/p.out" || fail "SIGINT: no run.partial in the summary"
    grep -q '^  "run.partial": {"text": "interrupted at [0-9.]* [a-z]* of 30 d simulated"},$' "$tmp/p.json" \
        || fail "SIGINT: no run.partial in the JSON"
    tail -n 1 "$tmp/p.json" | grep -qx '}' || fail "SIGINT: the JSON is not whole"
    dur=$(sed -n 's/^  "run.duration": {"value": \([^,]*\), .*/\1/p' "$tmp/p.json")
    awk -v d="$dur" 'BEGIN { exit !(d > 0 && d < 30 * 86400) }' \
        || fail "SIGINT: run.duration $dur is not the time reached"
    grep -q '^run.partial,interrupted at .* of 30 d simulated,text,PARTIAL$' "$tmp/pcsv/summary.csv" \
        || fail "SIGINT: no run.partial in summary.csv"
    last=$(tail -n 1 "$tmp/pcsv/series-pool.csv" | cut -d, -f2)
    [ "$last" = "$dur" ] || fail "SIGINT: the series end at $last, the run at $dur"
    ls -A "$tmp/pcsv" | grep -q '\.tmp$' && fail "SIGINT: a temporary file is left"
    # Every figure covers the time run: the metrics are those of a run of that duration.
    expect_status 0 "$AIFSIM" run "$tmp/long.yaml" --set "duration=$dur s" --json "$tmp/cut.json" -q
    grep -v '"run.partial"\|"run.overrides"' "$tmp/p.json" >"$tmp/p.cmp"
    grep -v '"run.partial"\|"run.overrides"' "$tmp/cut.json" >"$tmp/cut.cmp"
    cmp -s "$tmp/p.cmp" "$tmp/cut.cmp" || {
        fail "SIGINT: the metrics differ from those of a run of the time reached ($dur s)"
        diff "$tmp/p.cmp" "$tmp/cut.cmp" | head -n 6
    }

    # Two SIGINTs in a row: the second quits at once (or the first has already finished);
    # either way no temporary file and no half-written output.
    mkdir "$tmp/two"
    $with_sigint "$AIFSIM" run "$tmp/long.yaml" --json "$tmp/two/p.json" --csv "$tmp/two/csv" \
        >/dev/null 2>"$tmp/two.err" &
    pid=$!
    sleep 1
    kill -INT "$pid"
    kill -INT "$pid" 2>/dev/null
    end_within "$pid" 30 || fail "two SIGINTs: the run did not end within 30 s"
    wait "$pid"
    status=$?
    [ "$status" -eq 130 ] || fail "two SIGINTs: exit status $status, expected 130"
    find "$tmp/two" -name '*.tmp' | grep -q . && fail "two SIGINTs: a temporary file is left"
    if [ -e "$tmp/two/p.json" ]; then
        tail -n 1 "$tmp/two/p.json" | grep -qx '}' || fail "two SIGINTs: a half-written JSON"
    fi
else
    echo "note: neither env --default-signal nor perl: the SIGINT checks are skipped"
fi

# --- on a terminal ---------------------------------------------------------------------------
if ! command -v script >/dev/null 2>&1 || ! script -q -e -c true /dev/null </dev/null >/dev/null 2>&1; then
    echo "skip: no util-linux script to run aifsim on a terminal"
    [ "$failures" -eq 0 ] && exit 77
    finish
fi
# on_tty FILE CMD: runs the shell command CMD on a pty, what the terminal shows into FILE.
on_tty() {
    out=$1
    shift
    script -q -e -c "$*" /dev/null </dev/null >"$out" 2>&1
}
on_tty "$tmp/tty1" "'$AIFSIM' run '$tmp/long.yaml' $short -q"
status=$?
[ "$status" -eq 0 ] || fail "on a terminal: exit status $status"
grep -q 'aifsim: simulated [0-9.]* [a-z]* of '"$hours"' h ([0-9.]*%), [0-9.]* [kM]* *events/s, \(about [0-9.]* [a-z]* left\|estimating the time left\)' "$tmp/tty1" \
    || fail "on a terminal: no progress line in: $(head -c 300 "$tmp/tty1")"
# Rewritten in place (\r, never a newline), and cleared at the end ("\r<blanks>\r").
[ "$(tr -cd '\n' <"$tmp/tty1" | wc -c)" -eq 0 ] || fail "on a terminal: the progress line is not rewritten in place"
tail -c 1 "$tmp/tty1" | od -An -c | grep -q '\\r' || fail "on a terminal: the line is not cleared at the end"
tr '\r' '\n' <"$tmp/tty1" | tail -n 1 | grep -q '^ *$' \
    || fail "on a terminal: the line is not cleared at the end"
# --no-progress: nothing.
on_tty "$tmp/tty2" "'$AIFSIM' run '$tmp/long.yaml' $short -q --no-progress"
[ -s "$tmp/tty2" ] && fail "--no-progress: printed $(head -c 200 "$tmp/tty2")"

# Ctrl-C typed on the terminal, once the progress line shows: the same partial results. (script
# runs in the background here, so it too needs SIGINT back at its default for aifsim to get it.)
if [ -n "$with_sigint" ]; then
    mkfifo "$tmp/keys" || exit 99
    $with_sigint script -q -e -c "'$AIFSIM' run '$tmp/long.yaml' --json '$tmp/k.json'" /dev/null \
        <"$tmp/keys" >"$tmp/tty3" 2>&1 &
    spid=$!
    exec 3>"$tmp/keys"
    if wait_for "$tmp/tty3" "aifsim: simulated" 60; then
        printf '\003' >&3
    else
        fail "Ctrl-C on a terminal: no progress line within 60 s"
    fi
    end_within "$spid" 30 || fail "Ctrl-C on a terminal: the run did not end within 30 s"
    exec 3>&-
    wait "$spid"
    status=$?
    [ "$status" -eq 130 ] || fail "Ctrl-C on a terminal: exit status $status, expected 130"
    grep -q 'aifsim: interrupted at ' "$tmp/tty3" || fail "Ctrl-C on a terminal: no message"
    grep -q 'PARTIAL RESULTS: interrupted at ' "$tmp/tty3" || fail "Ctrl-C on a terminal: no PARTIAL"
    grep -q '"run.partial"' "$tmp/k.json" || fail "Ctrl-C on a terminal: no run.partial in the JSON"
fi

finish
