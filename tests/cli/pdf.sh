#!/bin/sh
# `aifsim run --pdf FILE --png DIR` and `aifsim compare ... --pdf FILE --png DIR`: the PDF opens
# (pdfinfo's page count is the cover and one page per four charts), its text (pdftotext) carries
# the headline figures the summary prints for the same run, and those figures are the JSON's
# values as the summary formats them; the same run gives the same bytes (PDF and PNG); the PNGs
# are one per chart with names in report order; the comparison's PDF carries the differences
# `aifsim compare` prints; `--pdf -` puts the PDF alone on stdout; bad paths exit 1 (cannot
# write) or 2 (bad use) and leave nothing behind, and so does every failing output operation.
# `aifsim report --db FILE --run ID` rebuilds from a stored run the very PDF `run --pdf` wrote
# (and with two runs, the one `compare --pdf` writes). A serving workload's findings and chart say
# what the summary says of it (tests/fixtures/serving-recsys.yaml and serving-llm.yaml).
# The flagship pair runs for 20 simulated minutes to keep this quick. Skips (77) without
# pdfinfo and pdftotext (Debian: poppler-utils).
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
for tool in pdfinfo pdftotext; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "skip: $tool is not installed (Debian: apt-get install poppler-utils)"
        exit 77
    fi
done

flash=scenarios/flagship-flash.yaml
disk=scenarios/flagship-disk.yaml
short='duration=20 min'

# pages FILE: the page count pdfinfo reads.
pages() {
    pdfinfo "$1" 2>/dev/null | awk '$1 == "Pages:" { print $2 }'
}

# text FILE [-layout]: the PDF's text on one line, runs of white space as one space (in reading
# order, or with -layout line by line as laid out: a table's rows whole).
text() {
    pdftotext ${2:-} -enc UTF-8 "$1" - 2>/dev/null | tr '\n\t' '  ' | tr -s ' '
}

# expect_in TEXTFILE STRING WHAT: STRING occurs in TEXTFILE.
expect_in() {
    grep -qF -- "$2" "$1" || fail "$3: \"$2\" not in the PDF's text"
}

# value SUMMARY GROUP LABEL: the value the summary prints for LABEL in group GROUP (its lines
# are "  %-34s %14s": label, value).
value() {
    awk -v g="$2" -v l="$3" '
        /^[^ ]/ { grp = $0 }
        grp == g && substr($0, 1, 2) == "  " {
            lab = substr($0, 3, 34); sub(/ +$/, "", lab)
            if (lab == l) { v = substr($0, 38); sub(/^ +/, "", v); print v; exit }
        }' "$1"
}

# jval FILE NAME: the value of metric NAME in a run's JSON.
jval() {
    sed -n "s/^  \"$2\": {\"value\": \\([^,]*\\),.*/\\1/p" "$1"
}

# --- A run: the PDF opens, has the cover and the chart pages, and carries the headline figures.
expect_status 0 "$AIFSIM" run "$flash" --set "$short" --json "$tmp/r.json" --pdf "$tmp/r.pdf" \
    --png "$tmp/png"
cp "$tmp/out" "$tmp/summary"
[ -s "$tmp/r.pdf" ] || fail "run --pdf wrote no file"
np=$(pages "$tmp/r.pdf")
charts=$(ls "$tmp/png" 2>/dev/null | wc -l)
# Two jobs, one tier (throughput, fill), power, energy, two cost charts, one look-up stream and
# the timeline: ten charts, four to a page after the cover.
[ "$charts" -eq 10 ] || fail "run --png wrote $charts charts, expected 10"
[ "$np" = "$(( 1 + (charts + 3) / 4 ))" ] || fail "run --pdf: $np pages, expected $(( 1 + (charts + 3) / 4 ))"
text "$tmp/r.pdf" >"$tmp/r.txt"
expect_in "$tmp/r.txt" "CAPACITY REPORT" "cover"
expect_in "$tmp/r.txt" "flagship-flash" "cover"
expect_in "$tmp/r.txt" "Findings" "cover"
expect_in "$tmp/r.txt" "Headline figures" "cover"
expect_in "$tmp/r.txt" "$(sed -n 's/^  scenario text hash *//p' "$tmp/summary")" "provenance"
expect_in "$tmp/r.txt" "$(sed -n 's/^  model catalog hash *//p' "$tmp/summary")" "provenance"
# The figures the summary prints, in the PDF as printed.
for spec in "train.llm-70b|computing" "train.video|computing" "storage.hot|read from devices" \
    "lookup.features|p99 latency" "facility|facility power (PUE)" "facility|facility power at peak" \
    "facility|facility energy" "facility|carbon (energy)" "facility|embodied carbon (equipment)" \
    "facility|racks" "cost|purchase price (all equipment)" "cost|total" \
    "cost|per useful GPU-hour" "cost|per million tokens trained" "cost|TCO over the lifetime"; do
    g=${spec%%|*}
    l=${spec#*|}
    v=$(value "$tmp/summary" "$g" "$l")
    if [ -z "$v" ]; then
        fail "no \"$l\" in the summary's $g"
        continue
    fi
    expect_in "$tmp/r.txt" "$v" "$g $l"
done
# ... and those are the JSON's values: shares in %, power in kW, USD, to 4 significant digits.
for job in llm-70b video; do
    u=$(awk -v x="$(jval "$tmp/r.json" "train.$job.gpu_utilization")" 'BEGIN { printf "%.4g%%", 100 * x }')
    [ "$u" = "$(value "$tmp/summary" "train.$job" computing)" ] || fail "train.$job.gpu_utilization: JSON $u"
    expect_in "$tmp/r.txt" "GPU utilization, $job $u" "headline $job"
done
p=$(awk -v x="$(jval "$tmp/r.json" facility.power)" 'BEGIN { printf "%.4g kW", x / 1000 }')
[ "$p" = "$(value "$tmp/summary" facility "facility power (PUE)")" ] || fail "facility.power: JSON $p"
expect_in "$tmp/r.txt" "facility power, mean $p" "headline facility power"
c=$(awk -v x="$(jval "$tmp/r.json" cost.per_useful_gpu_hour)" 'BEGIN { printf "%.4g USD", x }')
expect_in "$tmp/r.txt" "cost per useful GPU-hour $c" "headline cost per GPU-hour"
# Chart titles and axes carry their units.
for t in "GPU time of video" "Throughput of tier hot against its bandwidth" "Fill of tier hot" \
    "Power by component" "Facility energy" "Cost of the run" "TCO over" \
    "Latency of look-ups features against the objective" "Checkpoints and failures over time" \
    "streaming read bandwidth" "usable capacity" "objective (p99) 50 ms" "rate, GB/s" "power, kW"; do
    expect_in "$tmp/r.txt" "$t" "charts"
done
# PNG names in report order.
n=1
for id in attribution-llm-70b attribution-video throughput-hot fill-hot power energy cost-run \
    cost-tco latency-features timeline; do
    f=$(printf '%s/%02d-%s.png' "$tmp/png" "$n" "$id")
    if [ ! -s "$f" ]; then
        fail "no $(basename "$f")"
    elif [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" != "211PNG" ]; then
        fail "$(basename "$f") is not a PNG file"
    fi
    n=$((n + 1))
done

# --- Determinism: the same run gives the same PDF and PNG bytes, and no creation date.
expect_status 0 "$AIFSIM" run "$flash" --set "$short" -q --pdf "$tmp/r2.pdf" --png "$tmp/png2"
cmp -s "$tmp/r.pdf" "$tmp/r2.pdf" || fail "the same run gave different PDF bytes"
for f in "$tmp"/png/*.png; do
    cmp -s "$f" "$tmp/png2/$(basename "$f")" || fail "the same run gave a different $(basename "$f")"
done
grep -aq CreationDate "$tmp/r.pdf" && fail "the PDF holds a creation date"

# --- --pdf - : the PDF alone on stdout.
"$AIFSIM" run "$flash" --set "$short" --pdf - >"$tmp/stdout.pdf" 2>"$tmp/err" || fail "run --pdf - failed"
[ "$(head -c 5 "$tmp/stdout.pdf")" = "%PDF-" ] || fail "run --pdf -: stdout is not a PDF"
cmp -s "$tmp/r.pdf" "$tmp/stdout.pdf" || fail "run --pdf - differs from the file"

# --- A comparison: cover, the headline table with the differences compare prints, paired charts.
expect_status 0 "$AIFSIM" compare "$flash" "$disk" --set "$short" --pdf "$tmp/c.pdf" --png "$tmp/cpng"
cp "$tmp/out" "$tmp/ctable"
np=$(pages "$tmp/c.pdf")
[ -n "$np" ] && [ "$np" -ge 6 ] || fail "compare --pdf: ${np:-no} pages"
text "$tmp/c.pdf" >"$tmp/c.txt"
text "$tmp/c.pdf" -layout >"$tmp/c.layout"
expect_in "$tmp/c.txt" "flagship-flash against flagship-disk" "compare cover"
expect_in "$tmp/c.txt" "What differs" "compare cover"
expect_in "$tmp/c.txt" "Headline figures side by side" "compare table"
# Rows of compare's table are in the PDF's table: B - A (a number, with its unit when it has
# one) and B / A - 1, the last columns, as printed.
awk '/^storage.hot$/ { s = 1; next } /^[^ ]/ { s = 0 }
    s && /average power|storage nodes|rack units/ {
        d = $(NF - 1)
        if (d !~ /^[-+0-9<]/) d = $(NF - 2) " " d
        print d "|" $NF
    }' "$tmp/ctable" >"$tmp/rows"
[ "$(wc -l <"$tmp/rows")" -eq 3 ] || fail "compare's table has no storage.hot rows"
while IFS='|' read -r diff change; do
    expect_in "$tmp/c.layout" "$diff $change" "compare row"
done <"$tmp/rows"
expect_in "$tmp/c.txt" "A: flagship-flash" "paired charts"
expect_in "$tmp/c.txt" "B: flagship-disk" "paired charts"
[ "$(ls "$tmp/cpng" | wc -l)" -ge 9 ] || fail "compare --png wrote $(ls "$tmp/cpng" | wc -l) files"
[ -s "$tmp/cpng/01-attribution-llm-70b.png" ] || fail "compare --png: no 01-attribution-llm-70b.png"
expect_status 0 "$AIFSIM" compare "$flash" "$disk" --set "$short" -q --pdf "$tmp/c2.pdf"
cmp -s "$tmp/c.pdf" "$tmp/c2.pdf" || fail "the same comparison gave different PDF bytes"

# --- Serving: a service's findings hold its latency against its objective as the summary and
# the JSON give them, with and without the burst's writes, what its slowest 1% waited for; an
# LLM service's its first-token and per-token p99 against theirs and its KV caches; each service
# has its p99 chart with the objective; a comparison says how each run's p99 meets it.
recsys=tests/fixtures/serving-recsys.yaml
llm=tests/fixtures/serving-llm.yaml
expect_status 0 "$AIFSIM" run "$recsys" --json "$tmp/s.json" --pdf "$tmp/s.pdf" --png "$tmp/spng"
cp "$tmp/out" "$tmp/ssummary"
text "$tmp/s.pdf" >"$tmp/s.txt"
sv() { value "$tmp/ssummary" inference.recsys "$1"; }
p99=$(sv "p99 latency")
[ -n "$p99" ] || fail "no p99 latency in the summary of $recsys"
# The verdict from the JSON, independently of the report's code: p99 against the objective.
verdict=$(awk -v p="$(jval "$tmp/s.json" inference.recsys.latency_p99)" \
    -v s="$(jval "$tmp/s.json" inference.recsys.slo)" 'BEGIN { print (p <= s ? "meets" : "MISSES") }')
expect_in "$tmp/s.txt" "Service recsys (8 replicas, $(sv "replica utilization") busy, answering $(sv "requests per second"))" "serving finding"
expect_in "$tmp/s.txt" "p99 latency $p99 $verdict the 50 ms objective; $(sv "requests within the objective") of requests are answered within it" "serving verdict"
expect_in "$tmp/s.txt" "While checkpoints or bursts write to the tier it reads from, its p99 is $(sv "p99 during checkpoint writes")" "serving writes"
expect_in "$tmp/s.txt" "against $(sv "p99 without checkpoint writes") otherwise." "serving writes"
expect_in "$tmp/s.txt" "The slowest 1% of requests spend" "serving tail"
expect_in "$tmp/s.txt" "p99 latency, service recsys $p99 (objective 50 ms)" "serving headline"
expect_in "$tmp/s.txt" "p99 latency of service recsys against the objective" "serving chart"
expect_in "$tmp/s.txt" "objective (p99) 50 ms" "serving chart"
expect_in "$tmp/s.txt" "p99 during checkpoint writes $(sv "p99 during checkpoint writes")" "serving chart"
[ -s "$tmp/spng/07-serving-recsys.png" ] || fail "run --png: no 07-serving-recsys.png: $(ls "$tmp/spng")"
expect_status 0 "$AIFSIM" run "$llm" --pdf "$tmp/l.pdf"
cp "$tmp/out" "$tmp/lsummary"
text "$tmp/l.pdf" >"$tmp/l.txt"
lv() { value "$tmp/lsummary" inference.chat "$1"; }
expect_in "$tmp/l.txt" "p99 time to first token $(lv "p99 time to first token") meets the 500 ms objective and p99 time per output token $(lv "p99 time per output token") meets the 50 ms objective; $(lv "requests within the objective") of turns meet both" "LLM verdict"
expect_in "$tmp/l.txt" "found their KV cache in host memory for $(lv "KV reloaded from host memory"), on the storage tier for $(lv "KV reloaded from the storage tier")" "LLM KV"
expect_in "$tmp/l.txt" "The reloads saved $(lv "prefill GPU time saved") of prefill GPU time" "LLM KV"
expect_in "$tmp/l.txt" "The storage tier served $(lv "KV read from the storage tier") of KV cache reloads and took $(lv "KV written to the storage tier") of KV cache writes into the $(lv "KV capacity on the storage tier")" "LLM KV"
expect_in "$tmp/l.txt" "p99 latency of service chat, prompt to last token" "LLM chart"
expect_status 0 "$AIFSIM" compare "$recsys" --set storage.hot.reserve=30% -q --pdf "$tmp/sc.pdf"
text "$tmp/sc.pdf" >"$tmp/sc.txt"
expect_in "$tmp/sc.txt" "The recsys service's p99 latency is $p99 on serving-recsys ($verdict the 50 ms objective)" "compare serving"
expect_in "$tmp/sc.txt" "A: serving-recsys" "compare serving chart"

# --- aifsim report: a stored run's report rebuilt from the database, without running, is the
# one `run --pdf` wrote; two stored runs give the one `compare --pdf` writes.
expect_status 0 "$AIFSIM" run "$flash" --set "$short" -q --db "$tmp/runs.db" --pdf "$tmp/db-run.pdf"
expect_status 0 "$AIFSIM" run "$disk" --set "$short" -q --db "$tmp/runs.db"
expect_status 0 "$AIFSIM" report --db "$tmp/runs.db" --run 1 --pdf "$tmp/db1.pdf" --png "$tmp/dbpng"
cmp -s "$tmp/db-run.pdf" "$tmp/db1.pdf" || fail "report --run 1 differs from run --pdf"
cmp -s "$tmp/r.pdf" "$tmp/db1.pdf" || fail "report --run 1 differs from the first run's PDF"
for f in "$tmp"/png/*.png; do
    cmp -s "$f" "$tmp/dbpng/$(basename "$f")" || fail "report --png: $(basename "$f") differs"
done
expect_status 0 "$AIFSIM" report --db "$tmp/runs.db" --run 1 --run 2 --pdf "$tmp/db12.pdf"
cmp -s "$tmp/c.pdf" "$tmp/db12.pdf" || fail "report --run 1 --run 2 differs from compare --pdf"
expect_status 2 "$AIFSIM" report --db "$tmp/runs.db" --run 3 --pdf "$tmp/none.pdf"
expect_grep "holds no run 3" "$tmp/err"
expect_status 2 "$AIFSIM" report --db "$tmp/no.db" --run 1 --pdf "$tmp/none.pdf"
expect_status 2 "$AIFSIM" report --db "$tmp/runs.db" --pdf "$tmp/none.pdf"
expect_status 2 "$AIFSIM" report --db "$tmp/runs.db" --run 1
expect_status 2 "$AIFSIM" report --db "$tmp/runs.db" --run x --pdf "$tmp/none.pdf"
expect_status 2 "$AIFSIM" report --db "$tmp/runs.db" --run 1 --pdf "$tmp/runs.db"
[ -e "$tmp/none.pdf" ] && fail "a refused report wrote its PDF"
[ -e "$tmp/no.db" ] && fail "report created the database it was to read"

# --- Bad paths and uses: exit 1 for what cannot be written, 2 for bad use; nothing left behind.
mkdir "$tmp/bad"
expect_status 1 "$AIFSIM" run "$flash" --set "$short" -q --pdf "$tmp/bad/missing/r.pdf"
expect_grep "cannot write" "$tmp/err"
expect_status 1 "$AIFSIM" run "$flash" --set "$short" -q --pdf "$tmp/bad"
: >"$tmp/bad/file"
expect_status 1 "$AIFSIM" run "$flash" --set "$short" -q --png "$tmp/bad/file"
expect_grep "cannot write PNG files into" "$tmp/err"
expect_status 1 "$AIFSIM" run "$flash" --set "$short" -q --png "$tmp/bad/no/such"
expect_status 1 "$AIFSIM" compare "$flash" "$disk" --set "$short" -q --pdf "$tmp/bad/missing/c.pdf"
expect_status 2 "$AIFSIM" run "$flash" --pdf "$flash"
expect_status 2 "$AIFSIM" run "$flash" --pdf - --json -
expect_status 2 "$AIFSIM" run "$flash" --pdf
expect_status 2 "$AIFSIM" run "$flash" --png -
expect_status 2 "$AIFSIM" compare "$flash" "$disk" --pdf "$disk"
expect_status 2 "$AIFSIM" compare "$flash" "$disk" --interval 0s
expect_status 1 "$AIFSIM" report --db "$tmp/runs.db" --run 1 --pdf "$tmp/bad/missing/r.pdf"
[ "$(ls -A "$tmp/bad")" = "file" ] || fail "a failed --pdf or --png left files: $(ls -A "$tmp/bad")"

# --- Every failing output operation of a PDF run exits 1 and leaves no PDF and no temporary.
mkdir "$tmp/faults"
(cd "$tmp/faults" && AIFSIM_FAULT_COUNT=1 "$AIFSIM" run "$top_srcdir/$flash" --set "$short" -q \
    --pdf r.pdf >/dev/null 2>"$tmp/count")
writes=$(sed -n 's/.*faults: [0-9]* allocations, \([0-9]*\) writes.*/\1/p' "$tmp/count")
[ -n "$writes" ] && [ "$writes" -ge 3 ] || fail "no output operations counted: $(cat "$tmp/count")"
rm -f "$tmp/faults/r.pdf"
i=1
while [ -n "$writes" ] && [ "$i" -le "$writes" ]; do
    (cd "$tmp/faults" && AIFSIM_FAULT_WRITE=$i "$AIFSIM" run "$top_srcdir/$flash" --set "$short" \
        -q --pdf r.pdf >/dev/null 2>"$tmp/err")
    st=$?
    [ "$st" -eq 1 ] || fail "AIFSIM_FAULT_WRITE=$i: exit status $st, expected 1"
    [ -z "$(ls -A "$tmp/faults")" ] || fail "AIFSIM_FAULT_WRITE=$i left $(ls -A "$tmp/faults")"
    rm -f "$tmp/faults"/* "$tmp/faults"/.aifsim-*
    i=$((i + 1))
done
finish
