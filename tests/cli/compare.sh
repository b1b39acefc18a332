#!/bin/sh
# `aifsim compare`: a scenario against itself differs nowhere; a variant with twice the storage
# nodes changes the tier's power and the storage capital by what the catalog implies (the idle
# power and price of the added nodes, as `aifsim size` resolves them from the catalog); in the
# JSON every diff is b - a and every ratio b / a - 1; side A is exactly what `aifsim run` gives;
# `--json -` prints the JSON alone; a failing write or run leaves no file; bad uses exit 2; Ctrl-C
# stops both runs (they go at once, on two threads) and exits 130 with no output.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

# flagship: one tier "hot" (its system and node count read from the file), in the hyperscale
# facility; the variant has twice the nodes.
scn=scenarios/flagship.yaml
tier=hot
system=$(awk -v t="$tier" '$0 ~ "tier: " t "$" { f = 1 } f && $1 == "system:" { print $2; exit }' "$scn")
na=$(awk -v t="$tier" '$0 ~ "tier: " t "$" { f = 1 } f && $1 == "nodes:" { print $2; exit }' "$scn")
[ -n "$system" ] && [ -n "$na" ] || { fail "no system or node count for tier $tier in $scn"; finish; }
nb=$((2 * na))

# rows FILE: the numeric rows of a compare JSON file, one per line: name a b diff ratio (null
# where the JSON has null). Text rows are left out.
rows() {
    sed -n 's/^    {"name": "\([^"]*\)", "unit": "[^"]*", "a": \([^,"]*\), "b": \([^,"]*\), "diff": \([^,]*\), "ratio": \([^}]*\)},*$/\1 \2 \3 \4 \5/p' "$1"
}

# jrow FILE NAME FIELD: field a, b, diff or ratio of metric NAME.
jrow() {
    rows "$1" | awk -v n="$2" -v f="$3" '$1 == n { print (f == "a" ? $2 : f == "b" ? $3 : f == "diff" ? $4 : $5) }'
}

# same A B [REL]: numbers A and B agree within relative tolerance REL (default 1e-9).
same() {
    awk -v a="$1" -v b="$2" -v r="${3:-1e-9}" \
        'BEGIN { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a); exit !(a != "" && b != "" && d <= r * (m > 1 ? m : 1)) }'
}

# check_rows FILE: every numeric row has diff = b - a and ratio = b / a - 1 (null when a is 0),
# to the last bit but for the rounding of the division, and the file has rows at all.
check_rows() {
    [ "$(rows "$1" | wc -l)" -gt 20 ] || fail "$1: too few numeric rows"
    rows "$1" | awk '
        function abs(x) { return x < 0 ? -x : x }
        $2 == "null" || $3 == "null" {
            if ($4 != "null" || $5 != "null") { print "FAIL: " $1 ": diff or ratio without both values"; bad++ }
            next
        }
        {
            a = $2 + 0; b = $3 + 0
            if ($4 == "null" || $4 + 0 != b - a) { print "FAIL: " $1 ": diff " $4 ", b - a = " b - a; bad++ }
            if (a == 0) {
                if ($5 != "null") { print "FAIL: " $1 ": ratio " $5 " over a = 0"; bad++ }
            } else if ($5 == "null" || abs($5 - (b / a - 1)) > 1e-12 * (abs(b / a) > 1 ? abs(b / a) : 1)) {
                print "FAIL: " $1 ": ratio " $5 ", b / a - 1 = " b / a - 1; bad++
            }
        }
        END { exit bad > 0 }' || fail "$1: diff or ratio does not match the values"
}

# --- A scenario against itself: zero differences everywhere (two files, and a variant whose
# override repeats the file's value).
expect_status 0 "$AIFSIM" compare "$scn" "$scn" --json "$tmp/self.json"
expect_grep "the two runs agree on every one" "$tmp/out"
check_rows "$tmp/self.json"
rows "$tmp/self.json" | awk '$2 != $3 || ($4 != 0 && $4 != "null") || ($5 != 0 && $5 != "null") { print "FAIL: " $0; bad++ } END { exit bad > 0 }' \
    || fail "a scenario compared with itself differs"
grep '"unit": "text"' "$tmp/self.json" | grep -v '"a": \(.*\), "b": \1, "diff": null' \
    | grep . && fail "a text metric of a scenario compared with itself differs"
expect_status 0 "$AIFSIM" compare "$scn" --set "storage.$tier.nodes=$na" --all
expect_grep "the two runs agree on every one" "$tmp/out"

# --- Side A is what `aifsim run` gives: every metric of run's JSON, value for value.
"$AIFSIM" run "$scn" --json "$tmp/run.json" >/dev/null 2>&1 || fail "run $scn failed"
expect_status 0 "$AIFSIM" compare "$scn" --set "storage.$tier.nodes=$nb" --json "$tmp/var.json"
sed -n 's/^  "\([^"]*\)": {"value": \([^,]*\),.*/\1 \2/p' "$tmp/run.json" >"$tmp/run.rows"
[ "$(wc -l <"$tmp/run.rows")" -gt 20 ] || fail "run's JSON has too few metrics"
rows "$tmp/var.json" | awk 'NR == FNR { v[$1] = $2; next } $1 in v { if (v[$1] != $2) { print "FAIL: " $1 ": run " v[$1] ", compare A " $2; bad++ } n++ }
    END { exit bad > 0 || n < 20 }' "$tmp/run.rows" - || fail "compare's A is not run's result"

# --- Twice the storage nodes. The catalog's figures for na and nb nodes of the system, as
# `aifsim size` resolves them: idle power and price of the tier.
sized() {
    "$AIFSIM" size "$system" --capacity "1 TB" --min-nodes "$1" --json - |
        sed -n "s/^ *\"$2\": {\"value\": \([^,]*\),.*/\1/p"
}
idle_a=$(sized $na idle_power)
idle_b=$(sized $nb idle_power)
price_a=$(sized $na price)
price_b=$(sized $nb price)
[ -n "$idle_a" ] && [ -n "$price_b" ] || fail "no idle power or price from aifsim size"
check_rows "$tmp/var.json"
# The tier's power grows by the added nodes' idle power: the devices' busy time, and so their
# power above idle, is the same for the same bytes (within the few the faster tier adds).
got=$(jrow "$tmp/var.json" "storage.$tier.power" diff)
want=$(awk -v a="$idle_a" -v b="$idle_b" 'BEGIN { printf "%.17g", b - a }')
awk -v g="$got" 'BEGIN { exit !(g > 0) }' || fail "storage power did not grow: diff $got"
same "$got" "$want" 1e-4 || fail "storage power: B - A = $got W, the added nodes idle at $want W"
# Storage capital: a storage share of the capital, where the run reports one, grows with the
# node count (ratio nb / na - 1); else the whole capital grows by the added nodes' price
# amortized over the facility's life for the run's duration.
cap=$(rows "$tmp/var.json" | awk '$1 ~ /^cost\.capital/ && $1 ~ /storage/ && $1 !~ /tco/ { print $1; exit }')
if [ -n "$cap" ]; then
    got=$(jrow "$tmp/var.json" "$cap" ratio)
    same "$got" "$(awk -v a=$na -v b=$nb 'BEGIN { printf "%.17g", b / a - 1 }')" ||
        fail "$cap: ratio $got, the node counts give $nb/$na - 1"
else
    life=$(sed -n '/^  - name: hyperscale/,/^  - name/s/^ *amortization: { value: \([0-9.]*\) y.*/\1/p' \
        "$AIFSIM_MODELS/facility.yaml")
    [ -n "$life" ] || fail "no amortization for hyperscale in the catalog"
    dur=$(jrow "$tmp/var.json" run.duration a)
    got=$(jrow "$tmp/var.json" cost.capital diff)
    want=$(awk -v a="$price_a" -v b="$price_b" -v t="$dur" -v y="$life" \
        'BEGIN { printf "%.17g", (b - a) * t / (y * 365 * 86400) }')
    same "$got" "$want" 1e-9 || fail "cost.capital: B - A = $got USD, the added nodes give $want"
fi
# The table: the headline rows, the override as B's heading, the tier's power up by a "+".
expect_status 0 "$AIFSIM" compare "$scn" --set "storage.$tier.nodes=$nb"
expect_grep "  B: flagship ($scn, seed 42, --set storage.$tier.nodes=$nb)" "$tmp/out"
expect_grep "storage.$tier.nodes=$nb  " "$tmp/out"
for label in computing "waiting for data" "read from devices" "average power" "IT power" \
    "facility power (PUE)" "capital (amortized)" "per useful GPU-hour"; do
    expect_grep "  $label  " "$tmp/out"
done
grep -q "bytes read" "$tmp/out" && fail "the headline table holds a metric it should leave out"
awk -v g="storage.$tier" '/^[^ ]/ { in_g = ($0 == g) } in_g && /^  average power  / { found = 1; exit !($(NF - 2) ~ /^\+/ && $NF ~ /^\+/) }
    END { if (!found) exit 1 }' "$tmp/out" || fail "the table does not show the tier's power up"
awk 'length($0) > 100 { bad++ } END { exit bad > 0 }' "$tmp/out" || fail "a line is over 100 columns"
expect_status 0 "$AIFSIM" compare "$scn" --set "storage.$tier.nodes=$nb" --all
expect_grep "bytes read" "$tmp/out"
awk 'length($0) > 100 { bad++ } END { exit bad > 0 }' "$tmp/out" || fail "an --all line is over 100 columns"

# --- Two different scenarios: rows of both, texts that differ marked, the JSON consistent.
expect_status 0 "$AIFSIM" compare scenarios/storage-fits.yaml scenarios/storage-short.yaml \
    --json "$tmp/two.json"
expect_grep "compare storage-fits with storage-short" "$tmp/out"
expect_grep "differs" "$tmp/out"
check_rows "$tmp/two.json"
expect_grep '"b": {"file": "scenarios/storage-short.yaml", "name": "storage-short", "seed": 42, "overrides": []}' \
    "$tmp/two.json"

# --- --json - : the JSON alone on stdout, the same bytes as the file; -q prints nothing.
expect_status 0 "$AIFSIM" compare "$scn" --set "storage.$tier.nodes=$nb" --json -
head -n 1 "$tmp/out" | grep -qx '{' || fail "--json -: stdout does not start with {"
tail -n 1 "$tmp/out" | grep -qx '}' || fail "--json -: stdout does not end with }"
grep -q 'aifsim\|  A: ' "$tmp/out" && fail "--json -: the table is mixed into the JSON"
cmp -s "$tmp/out" "$tmp/var.json" || fail "--json - differs from --json FILE"
expect_status 0 "$AIFSIM" compare "$scn" --set "storage.$tier.nodes=$nb" -q
[ -s "$tmp/out" ] && fail "-q printed something"
expect_status 0 "$AIFSIM" compare "$scn" --set "storage.$tier.nodes=$nb" --seed 7 --json -
expect_grep '"a": {"file": "scenarios/flagship.yaml", "name": "flagship", "seed": 7, "overrides": ["seed=7"]}' "$tmp/out"
expect_grep "\"overrides\": [\"storage.$tier.nodes=$nb\", \"seed=7\"]}" "$tmp/out"

# --- Nothing half-written: a variant that cannot be built (flagship's data sets need more than one
# node), an output that fails.
expect_status 2 "$AIFSIM" compare "$scn" --set "storage.$tier.nodes=1" --json "$tmp/no.json"
expect_grep "note: building scenario B: $scn --set storage.$tier.nodes=1" "$tmp/err"
[ -e "$tmp/no.json" ] && fail "a compare that could not run wrote its JSON"
mkdir "$tmp/w"
(cd "$tmp/w" && AIFSIM_FAULT_COUNT=1 "$AIFSIM" compare "$top_srcdir/$scn" --set \
    "storage.$tier.nodes=$nb" --json out.json >/dev/null 2>"$tmp/count") || fail "counted run failed"
writes=$(sed -n 's/^aifsim: faults: [0-9]* allocations, \([0-9]*\) writes$/\1/p' "$tmp/count")
[ -n "$writes" ] && [ "$writes" -gt 3 ] || fail "no write count: $(cat "$tmp/count")"
rm -f "$tmp/w/out.json"
for n in $(awk -v t="${writes:-0}" 'BEGIN { for (n = 1; n <= t; n++) if (n <= 4 || n % 97 == 0 || n > t - 3) print n }'); do
    (cd "$tmp/w" && AIFSIM_FAULT_WRITE=$n "$AIFSIM" compare "$top_srcdir/$scn" --set \
        "storage.$tier.nodes=$nb" --json out.json >/dev/null 2>"$tmp/err")
    st=$?
    [ "$st" -eq 1 ] || fail "AIFSIM_FAULT_WRITE=$n: exit status $st, expected 1"
    grep -q 'No space left on device' "$tmp/err" || fail "AIFSIM_FAULT_WRITE=$n: no reason given"
    [ -z "$(ls -A "$tmp/w")" ] || {
        fail "AIFSIM_FAULT_WRITE=$n left $(ls -A "$tmp/w")"
        rm -rf "$tmp/w" && mkdir "$tmp/w"
    }
done

# --- Bad uses: exit 2, the mistake named, nothing on stdout.
expect_status 0 "$AIFSIM" compare --help
expect_grep "usage: aifsim compare" "$tmp/out"
expect_status 0 "$AIFSIM" --help
expect_grep "  compare A B " "$tmp/out"
# bad ARGS...: exit 2 with nothing on stdout.
bad() {
    expect_status 2 "$AIFSIM" compare "$@"
    [ -s "$tmp/out" ] && fail "compare $*: printed on stdout although it failed"
}
bad
expect_grep "needs two scenario files" "$tmp/err"
bad "$scn"
expect_grep "needs a second scenario file, or --set" "$tmp/err"
bad "$scn" "$scn" "$scn"
expect_grep "takes one or two scenario files, got a third" "$tmp/err"
bad "$scn" "$scn" --frobnicate
expect_grep 'unknown option "--frobnicate" for `aifsim compare`' "$tmp/err"
bad "$scn" --set
expect_grep "option --set needs a value" "$tmp/err"
bad "$scn" --set storage.hot.nodes
expect_grep "expected PATH=VALUE" "$tmp/err"
bad "$scn" --set storage.hot.nodes=eight
expect_grep 'storage[0].nodes: expected a positive integer, got "eight"' "$tmp/err"
bad "$scn" does-not-exist.yaml
expect_grep "does-not-exist.yaml" "$tmp/err"
expect_grep "note: in scenario B: does-not-exist.yaml" "$tmp/err"
bad "$scn" "$scn" --json "$scn"
expect_grep "is the scenario file" "$tmp/err"
[ "$(grep -c 'is the scenario file' "$tmp/err")" -eq 1 ] || fail "the same refusal twice"
# --- Ctrl-C: both runs stop, exit 130, no JSON. The flagship pair takes seconds; the interrupt
# comes after half a second.
if [ -n "$with_sigint" ]; then
    $with_sigint "$AIFSIM" compare scenarios/flagship-flash.yaml scenarios/flagship-disk.yaml \
        --json "$tmp/cut.json" >"$tmp/cut.out" 2>"$tmp/cut.err" &
    pid=$!
    sleep 0.5
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    st=$?
    if [ "$st" -eq 0 ]; then
        echo "note: the comparison ended before the interrupt"
    else
        [ "$st" -eq 130 ] || fail "an interrupted compare exited $st, expected 130"
        expect_grep "interrupted: no comparison written" "$tmp/cut.err"
        [ -e "$tmp/cut.json" ] && fail "an interrupted compare wrote its JSON"
        [ -s "$tmp/cut.out" ] && fail "an interrupted compare printed a table"
    fi
fi

finish
