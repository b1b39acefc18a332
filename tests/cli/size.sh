#!/bin/sh
# `aifsim size`, the storage sizing helper: node counts checked against arithmetic done here
# from the figures in models/storage.yaml and models/links.yaml (read at test time, so a change
# of catalog figures does not break the test), which constraint binds, relations between the
# tier figures, --compare, the JSON file, and every input mistake (exit 2, option named).
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS

# fig FILE ENTRY FIELD: the value of FIELD of catalog entry ENTRY, in SI base units (bytes,
# bytes/s, 1/s, W, USD), or of a plain word or number as written.
fig() {
    awk -v entry="$2" -v field="$3" '
        function si(v,    n, u, m) {
            n = v + 0
            u = v
            sub(/^[-+0-9.eE]+ */, "", u)
            m = 1
            if (u ~ /^k/) m = 1e3
            else if (u ~ /^M/) m = 1e6
            else if (u ~ /^G/) m = 1e9
            else if (u ~ /^T/) m = 1e12
            else if (u ~ /^P/) m = 1e15
            if (u ~ /^Ki/) m = 1024
            else if (u ~ /^Mi/) m = 1024 ^ 2
            else if (u ~ /^Gi/) m = 1024 ^ 3
            else if (u ~ /^Ti/) m = 1024 ^ 4
            if (u ~ /^[kMGTP]?b\//) m = m / 8
            return n * m
        }
        /^  - name: / { cur = $3 }
        cur == entry && $1 == field ":" {
            line = $0
            if (line ~ /value:/) {
                sub(/.*value: */, "", line)
                sub(/,.*/, "", line)
                sub(/ *}.*/, "", line)
                printf "%.17g\n", si(line)
            } else {
                sub(/^[^:]*: */, "", line)
                print line
            }
            exit
        }' "$AIFSIM_MODELS/$1.yaml"
}

# calc EXPR: evaluates an arithmetic awk expression of numbers, + - * / ( ) and the functions
# ceil, min and max, printed as %.17g. (No comparisons: a ">" would redirect awk's output.)
calc() {
    awk "function ceil(x) { return x == int(x) ? x : (x > 0 ? int(x) + 1 : int(x)) }
         function min(a, b) { return a < b ? a : b }
         function max(a, b) { return a < b ? b : a }
         BEGIN { printf \"%.17g\\n\", $1 }"
}

# jnum FILE KEY [N]: the number of the N-th (default 1st) line starting "KEY": in a JSON file of
# ours, where every figure sits on one line: "KEY": 10 or "KEY": {"value": 10, ...} or
# "KEY": {"need": 10, ...}.
jnum() {
    sed -n "s/^ *\"$2\": *{*\"*[a-z]*\"*:* *\([-0-9.e+]*\).*/\1/p" "$1" | sed -n "${3:-1}p"
}

# jstr FILE KEY [N]: the N-th string value of KEY.
jstr() {
    sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1" | sed -n "${3:-1}p"
}

# same A B [REL]: numbers A and B agree within relative tolerance REL (default 1e-9).
same() {
    awk -v a="$1" -v b="$2" -v r="${3:-1e-9}" \
        'BEGIN { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a); exit !(a != "" && b != "" && d <= r * (m > 1 ? m : 1)) }'
}

# check_eq WHAT GOT WANT: fails unless GOT and WANT are the same number.
check_eq() {
    same "$2" "$3" || fail "$1: got \"$2\", expected \"$3\""
}

# Per-node figures of the systems used below, from the catalog files.
node_usable() {
    calc "$(fig storage "$1" devices) * $(fig storage "$1" device_capacity) * $(fig storage "$1" usable_fraction)"
}
node_read() {
    nic=$(fig storage "$1" nic)
    calc "min($(fig storage "$1" devices) * $(fig storage "$1" device_read), $(fig storage "$1" nics) * $(fig links "$nic" rate))"
}
node_write() {
    nic=$(fig storage "$1" nic)
    calc "min($(fig storage "$1" devices) * $(fig storage "$1" device_write), $(fig storage "$1" nics) * $(fig links "$nic" rate))"
}

qlc=flash-qlc-node
hdd=hdd-nearline-node
[ -n "$(fig storage $qlc devices)" ] || fail "cannot read $qlc from $AIFSIM_MODELS/storage.yaml"
[ -n "$(fig links roce-400 rate)" ] || fail "cannot read roce-400 from $AIFSIM_MODELS/links.yaml"

# ---- help and the command table ----
expect_status 0 "$AIFSIM" size --help
expect_grep "usage: aifsim size SYSTEM" "$tmp/out"
expect_grep "--read-iops RATE" "$tmp/out"
expect_status 0 "$AIFSIM" --help
expect_grep "size SYSTEM" "$tmp/out"
expect_status 2 "$AIFSIM" sise
expect_grep 'did you mean "size"?' "$tmp/err"

# ---- capacity binds: 10 PB on QLC flash ----
nodes=$(calc "ceil(10e15 / $(node_usable $qlc))")
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --json "$tmp/cap.json"
check_eq "$qlc --capacity 10 PB nodes" "$(jnum "$tmp/cap.json" nodes)" "$nodes"
[ "$(jstr "$tmp/cap.json" binding)" = capacity ] || fail "$qlc --capacity 10 PB: capacity does not bind"
check_eq "$qlc capacity need" "$(jnum "$tmp/cap.json" capacity 2)" "$(calc "10e15 / $(node_usable $qlc)")"
expect_grep "tier: $nodes x $qlc (capacity binds)" "$tmp/out"
grep -q "^  capacity .* $nodes \*\$" "$tmp/out" || fail "capacity row not marked as binding"
expect_grep "10 PB" "$tmp/out"
# The tier's figures follow from the node count.
check_eq "usable capacity" "$(jnum "$tmp/cap.json" usable_capacity)" "$(calc "$nodes * $(node_usable $qlc)")"
check_eq "read bandwidth" "$(jnum "$tmp/cap.json" read_bandwidth 3)" "$(calc "$nodes * $(node_read $qlc)")"
check_eq "write bandwidth" "$(jnum "$tmp/cap.json" write_bandwidth 3)" "$(calc "$nodes * $(node_write $qlc)")"
# node_price SYSTEM: chassis + devices x device price, the node's price with its drives.
node_price() {
    calc "$(fig storage "$1" chassis_price) + $(fig storage "$1" devices) * $(fig storage "$1" device_price)"
}
check_eq "price" "$(jnum "$tmp/cap.json" price)" "$(calc "$nodes * $(node_price $qlc)")"
check_eq "rack units" "$(jnum "$tmp/cap.json" rack_units)" "$(calc "$nodes * $(fig storage $qlc rack_units)")"
idle=$(jnum "$tmp/cap.json" idle_power)
load=$(jnum "$tmp/cap.json" load_power)
active=$(jnum "$tmp/cap.json" active_power)
busy=$(jnum "$tmp/cap.json" device_busy)
awk -v i="$idle" -v l="$load" -v a="$active" 'BEGIN { exit !(i > 0 && i <= l && l <= a) }' \
    || fail "power not ordered idle <= at load <= all busy: $idle, $load, $active"
# Holding data without serving it keeps the devices idle.
check_eq "device busy with no traffic" "$busy" 0
check_eq "power at load with no traffic" "$load" "$idle"
for w in "usable capacity" "read bandwidth" "device busy" "power idle" "power at load" \
    "power all busy" "rack units" "price"; do
    expect_grep "  $w " "$tmp/out"
done

# ---- read bandwidth binds: 1 TB/s on QLC flash, 100 GB/s per node through 2 x 400 GbE ----
nodes=$(calc "ceil(1e12 / $(node_read $qlc))")
expect_status 0 "$AIFSIM" size $qlc --read "1 TB/s" --json "$tmp/read.json"
check_eq "$qlc --read 1 TB/s nodes" "$(jnum "$tmp/read.json" nodes)" "$nodes"
[ "$(jstr "$tmp/read.json" binding)" = read_bandwidth ] || fail "$qlc --read 1 TB/s: read bandwidth does not bind"
expect_grep "tier: $nodes x $qlc (read bandwidth binds)" "$tmp/out"
# Streaming reads at the full tier rate keep the devices busy their read share, below 100%.
busy=$(jnum "$tmp/read.json" device_busy)
awk -v b="$busy" 'BEGIN { exit !(b > 0 && b <= 1) }' || fail "device busy $busy not in (0, 1]"
awk -v l="$(jnum "$tmp/read.json" load_power)" -v i="$(jnum "$tmp/read.json" idle_power)" \
    'BEGIN { exit !(l > i) }' || fail "power at load not above idle under reads"
# Bits and bytes: 8 Tb/s is 1 TB/s.
expect_status 0 "$AIFSIM" size $qlc --read "8 Tb/s" --json "$tmp/bits.json"
check_eq "$qlc --read 8 Tb/s nodes" "$(jnum "$tmp/bits.json" nodes)" "$nodes"

# Both demands: the larger count wins and its constraint binds.
cap=$(calc "ceil(10e15 / $(node_usable $qlc))")
rd=$(calc "ceil(1e12 / $(node_read $qlc))")
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --read "1 TB/s" --json "$tmp/both.json"
check_eq "both demands nodes" "$(jnum "$tmp/both.json" nodes)" "$(calc "max($cap, $rd)")"

# ---- disk: 100 GB/s needs ceil(100e9 / (102 x 150 MB/s)) nodes ----
nodes=$(calc "ceil(100e9 / $(node_read $hdd))")
expect_status 0 "$AIFSIM" size $hdd --read "100 GB/s" --json "$tmp/hdd.json"
check_eq "$hdd --read 100 GB/s nodes" "$(jnum "$tmp/hdd.json" nodes)" "$nodes"
[ "$(jstr "$tmp/hdd.json" binding)" = read_bandwidth ] || fail "$hdd: read bandwidth does not bind"

# ---- random reads: an op costs 1/IOPS + size/bandwidth of device time ----
dev=$(fig storage $hdd devices)
ops=$(calc "$dev / (1 / $(fig storage $hdd device_read_iops) + 4096 / $(fig storage $hdd device_read))")
nodes=$(calc "ceil(500000 / $ops)")
expect_status 0 "$AIFSIM" size $hdd --read-iops 500k/s --json "$tmp/iops.json"
check_eq "$hdd --read-iops 500k/s nodes" "$(jnum "$tmp/iops.json" nodes)" "$nodes"
[ "$(jstr "$tmp/iops.json" binding)" = read_iops ] || fail "$hdd: read iops does not bind"
check_eq "default op size" "$(jnum "$tmp/iops.json" read_op_size)" 4096
expect_grep "500 k/s of 4.096 kB" "$tmp/out"
# The IOPS spellings agree, and a larger op size never needs fewer nodes.
expect_status 0 "$AIFSIM" size $hdd --read-iops "500 kIOPS" --json "$tmp/iops2.json"
check_eq "500 kIOPS nodes" "$(jnum "$tmp/iops2.json" nodes)" "$nodes"
expect_status 0 "$AIFSIM" size $hdd --read-iops 500k/s --op-size "1 MiB" --json "$tmp/iops3.json"
check_eq "--op-size 1 MiB" "$(jnum "$tmp/iops3.json" read_op_size)" 1048576
awk -v a="$(jnum "$tmp/iops3.json" nodes)" -v b="$nodes" 'BEGIN { exit !(a >= b) }' \
    || fail "1 MiB reads need fewer nodes than 4 KiB reads"
expect_status 0 "$AIFSIM" size $hdd --write-iops 10k/s --op-size "64 KiB" --write-op-size "8 KiB" \
    --json "$tmp/wop.json"
check_eq "--write-op-size wins over --op-size" "$(jnum "$tmp/wop.json" write_op_size)" 8192
expect_status 0 "$AIFSIM" size $hdd --capacity "1 PB" --op-size "1 MiB"
expect_grep "warning: --op-size: has no effect" "$tmp/err"

# ---- the minimum ----
expect_status 0 "$AIFSIM" size $qlc --capacity "1 TB" --min-nodes 12 --json "$tmp/min.json"
check_eq "--min-nodes 12" "$(jnum "$tmp/min.json" nodes)" 12
[ "$(jstr "$tmp/min.json" binding)" = minimum_nodes ] || fail "--min-nodes 12 does not bind"
expect_status 0 "$AIFSIM" size $qlc --capacity "1 TB" --json "$tmp/one.json"
check_eq "a tiny demand needs one node" "$(jnum "$tmp/one.json" nodes)" 1

# ---- flash against disk ----
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --read "1 TB/s" --compare $hdd \
    --json "$tmp/cmp.json"
expect_grep "$qlc" "$tmp/out"
expect_grep "$hdd" "$tmp/out"
expect_grep "ratio" "$tmp/out"
expect_grep "$hdd needs " "$tmp/out"
na=$(jnum "$tmp/cmp.json" nodes 1)
nb=$(jnum "$tmp/cmp.json" nodes 2)
check_eq "--compare first system" "$na" "$(jnum "$tmp/both.json" nodes)"
hcap=$(calc "ceil(10e15 / $(node_usable $hdd))")
hrd=$(calc "ceil(1e12 / $(node_read $hdd))")
check_eq "--compare second system" "$nb" "$(calc "max($hcap, $hrd)")"
check_eq "nodes ratio" "$(sed -n 's/^    "nodes": \([^,]*\),*$/\1/p' "$tmp/cmp.json")" "$(calc "$nb / $na")"
check_eq "price ratio" "$(sed -n 's/^    "price": \([^,]*\),*$/\1/p' "$tmp/cmp.json")" \
    "$(calc "($nb * $(node_price $hdd)) / ($na * $(node_price $qlc))")"
check_eq "rack units ratio" "$(sed -n 's/^    "rack_units": \([^,]*\),*$/\1/p' "$tmp/cmp.json")" \
    "$(calc "($nb * $(fig storage $hdd rack_units)) / ($na * $(fig storage $qlc rack_units))")"
check_eq "power ratio" "$(sed -n 's/^    "load_power": \([^,]*\),*$/\1/p' "$tmp/cmp.json")" \
    "$(calc "$(jnum "$tmp/cmp.json" load_power 2) / $(jnum "$tmp/cmp.json" load_power 1)")"

# ---- JSON output ----
for f in cap read hdd iops min cmp; do
    [ -s "$tmp/$f.json" ] || fail "$f.json was not written"
done
if command -v python3 >/dev/null 2>&1; then
    for f in cap read hdd iops min cmp; do
        python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/$f.json" \
            || fail "$f.json is not valid JSON"
    done
fi
expect_status 0 "$AIFSIM" size $qlc --read "1 TB/s" --json - -q
[ "$(jnum "$tmp/out" nodes)" = "$(jnum "$tmp/read.json" nodes)" ] || fail "--json - differs"
cmp -s "$tmp/out" "$tmp/read.json" || fail "--json - is not the file's content"
# A failed write exits 1 and leaves nothing behind; an existing file is kept whole.
expect_status 1 env AIFSIM_TEST_FAIL_WRITE=2 "$AIFSIM" size $qlc --read "1 TB/s" --json "$tmp/f.json"
[ ! -e "$tmp/f.json" ] || fail "a failed JSON write left $tmp/f.json"
ls -a "$tmp" | grep -q '^\.f\.json\.' && fail "a failed JSON write left a temporary file"
echo old >"$tmp/keep.json"
expect_status 1 env AIFSIM_TEST_FAIL_WRITE=2 "$AIFSIM" size $qlc --read "1 TB/s" --json "$tmp/keep.json"
[ "$(cat "$tmp/keep.json")" = old ] || fail "a failed write damaged an existing output"

# ---- mistakes: exit 2, the option named with what it expects, nothing written ----
expect_status 2 "$AIFSIM" size $qlc --read "5 apples" --json "$tmp/bad.json"
expect_grep 'aifsim: error: --read: expected a bandwidth such as "25 GB/s", got "5 apples"' "$tmp/err"
[ ! -e "$tmp/bad.json" ] || fail "bad input wrote a JSON file"
[ ! -s "$tmp/out" ] || fail "bad input printed on stdout"
expect_status 2 "$AIFSIM" size $qlc --capacity "1 TB/s"
expect_grep '--capacity: expected a size such as' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read-iops 500k
expect_grep '--read-iops: expected a rate such as' "$tmp/err"
expect_grep '"500 k/s"' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read "-5 GB/s"
expect_grep '--read: expected a bandwidth such as "25 GB/s" that is not negative, got "-5 GB/s"' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read-iops 1k/s --op-size "0 B"
expect_grep '--op-size: expected a size' "$tmp/err"
expect_grep 'above zero' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read "1 TB/s" --min-nodes 0
expect_grep '--min-nodes: expected a whole number of nodes' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read "1 TB/s" --min-nodes 1.5
expect_grep '--min-nodes: expected a whole number' "$tmp/err"
# Every mistake in one run.
expect_status 2 "$AIFSIM" size $qlc --read "5 apples" --write "3 pears" --capcity "1 PB"
expect_grep '--read: expected' "$tmp/err"
expect_grep '--write: expected' "$tmp/err"
expect_grep 'unknown option "--capcity"' "$tmp/err"
expect_grep 'did you mean "--capacity"?' "$tmp/err"
# Unknown systems get a near miss, or the list.
expect_status 2 "$AIFSIM" size flash-qlc-nod --read "1 TB/s"
expect_grep 'unknown storage system "flash-qlc-nod"; did you mean "flash-qlc-node"?' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read "1 TB/s" --compare hdd-nearline
expect_grep '--compare: unknown storage system "hdd-nearline"' "$tmp/err"
expect_status 2 "$AIFSIM" size zzz --read "1 TB/s"
expect_grep "expected one of" "$tmp/err"
expect_grep "$qlc" "$tmp/err"
# Missing pieces.
expect_status 2 "$AIFSIM" size $qlc
expect_grep "needs at least one demand" "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read "0 B/s"
expect_grep "needs at least one demand" "$tmp/err"
expect_status 2 "$AIFSIM" size --read "1 TB/s"
expect_grep "needs a storage system" "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read
expect_grep "option --read needs a value" "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc $hdd --read "1 TB/s"
expect_grep "--compare $hdd" "$tmp/err"
# A demand beyond any plannable tier is refused, not rounded.
expect_status 2 "$AIFSIM" size $hdd --capacity "1e30 B"
expect_grep "nodes, more than" "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read "1 TB/s" --models "$tmp/no-such-dir"
expect_grep "no-such-dir" "$tmp/err"
# --- One model of a file read for `size` and `run`. The storage-bound job with one 110 kB image
# per file reads 512 GPUs x 256 / 200 ms = 655,360 files/s; sized for file reads (two operations
# each, plus the bytes) the disk tier needs 91 nodes, and the run agrees: 91 nodes keep the GPUs
# busy, 90 do not quite. Sized as single random reads it would say 48, which the run refutes.
expect_status 0 "$AIFSIM" size $hdd --file-reads 655360/s --file-size "110 kB"
expect_grep "tier: 91 x hdd-nearline-node (read iops binds)" "$tmp/out"
expect_grep "file reads  655.4 k/s of 110 kB" "$tmp/out"
one_file="--set workloads.vit-b16.dataset.samples_per_file=1"
expect_status 0 "$AIFSIM" run scenarios/storage-bound.yaml $one_file --set storage.disk.nodes=91
expect_grep "computing                                  99.99%" "$tmp/out"
expect_status 0 "$AIFSIM" run scenarios/storage-bound.yaml $one_file --set storage.disk.nodes=90
expect_grep "computing                                  99.57%" "$tmp/out"
expect_status 0 "$AIFSIM" run scenarios/storage-bound.yaml $one_file --set storage.disk.nodes=48
expect_grep "verdict: data-bound; GPUs busy 53.11% of the time" "$tmp/out"
expect_status 2 "$AIFSIM" size $hdd --file-reads 1k/s
expect_grep "--file-reads needs --file-size" "$tmp/err"
expect_status 2 "$AIFSIM" size $hdd --file-reads 1k/s --file-size "1 MB" --read-iops 5/s
expect_grep "--file-reads and --read-iops both describe the random reads" "$tmp/err"
# ==== the planning options: --set, --devices, --headroom, --erasure/--fill, --usable, the
# facility, the power basis, and why the binding constraint binds ====
year=31536000
# jsys FILE KEY [N]: as jnum, for the N-th system's figure (keys under "systems" only).
jsys() {
    sed -n '/"systems"/,$p' "$1" | sed -n "s/^ *\"$2\": *{*\"*[a-z]*\"*:* *\([-0-9.e+]*\).*/\1/p" | sed -n "${3:-1}p"
}
# ffig PRESET FIELD: a facility figure as written, its number only ("0.08 USD/kWh" -> 0.08).
ffig() {
    fig facility "$1" "$2" | sed 's/ .*//; s/%$//'
}

# ---- --set overrides any catalog field of SYSTEM, with units ----
dev=$(fig storage $qlc devices)
nodes=$(calc "ceil(10e15 / ($dev * 30.72e12 * $(fig storage $qlc usable_fraction)))")
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --set device_capacity=30.72TB \
    --set "chassis_price=15000 USD" --json "$tmp/set.json"
check_eq "--set device_capacity=30.72TB nodes" "$(jnum "$tmp/set.json" nodes)" "$nodes"
check_eq "--set chassis_price price" "$(jnum "$tmp/set.json" price)" \
    "$(calc "$nodes * (15000 + $dev * $(fig storage $qlc device_price))")"
expect_grep "--set: device_capacity=30.72TB chassis_price=15000 USD" "$tmp/out"
expect_grep '"overrides": ["device_capacity=30.72TB", "chassis_price=15000 USD"]' "$tmp/set.json"
# A reference swaps the catalog entry: 2 x 200 GbE ports cap a QLC node at 50 GB/s.
expect_status 0 "$AIFSIM" size $qlc --read "1 TB/s" --set nic=ethernet-200 --json "$tmp/nic.json"
check_eq "--set nic=ethernet-200 node read" "$(jnum "$tmp/nic.json" node_read_bandwidth)" \
    "$(calc "min($dev * $(fig storage $qlc device_read), $(fig storage $qlc nics) * $(fig links ethernet-200 rate))")"
# --set-b overrides SYSTEM2 only.
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --compare $qlc --set-b device_capacity=30.72TB \
    --json "$tmp/setb.json"
check_eq "--set-b leaves SYSTEM alone" "$(jnum "$tmp/setb.json" nodes 1)" "$(jnum "$tmp/cap.json" nodes)"
check_eq "--set-b changes SYSTEM2" "$(jnum "$tmp/setb.json" nodes 2)" "$nodes"
expect_grep "--set-b: device_capacity=30.72TB" "$tmp/out"
# Mistakes: the field's own message, "did you mean", every one in one run.
expect_status 2 "$AIFSIM" size $qlc --capacity "1 PB" --set device_capacit=1TB --set device_read=5apples \
    --set nic=roce-40 --set devices=0 --set foo
expect_grep '--set:1:1: error: flash-qlc-node: unknown key "device_capacit"; did you mean "device_capacity"?' "$tmp/err"
expect_grep '--set:1:13: error: flash-qlc-node.device_read: expected a bandwidth such as "25 GB/s", got "5apples"' "$tmp/err"
expect_grep 'flash-qlc-node.nic: unknown link "roce-40"; did you mean "roce-400"?' "$tmp/err"
expect_grep 'flash-qlc-node.devices: expected a positive integer, got "0"' "$tmp/err"
expect_grep '--set:1:1: error: expected FIELD=VALUE such as "device_capacity=30.72 TB"' "$tmp/err"
[ ! -s "$tmp/out" ] || fail "a bad --set printed on stdout"
expect_status 2 "$AIFSIM" size $qlc --capacity "1 PB" --set-b devices=8
expect_grep "--set-b: overrides SYSTEM2, which needs --compare SYSTEM2" "$tmp/err"

# ---- --devices N: a partly populated box costs and draws less ----
# 16 QLC drives read 16 x 7 GB/s = 112 GB/s, still past the two 400 GbE ports: the same node
# count for 1 TB/s as 32 drives, at chassis + 16 drives a node.
nread=$(calc "min(16 * $(fig storage $qlc device_read), $(fig storage $qlc nics) * $(fig links roce-400 rate))")
nodes=$(calc "ceil(1e12 / $nread)")
expect_status 0 "$AIFSIM" size $qlc --read "1 TB/s" --devices 16 --json "$tmp/d16.json"
check_eq "--devices 16 nodes" "$(jnum "$tmp/d16.json" nodes)" "$nodes"
check_eq "--devices 16 per node" "$(jnum "$tmp/d16.json" devices_per_node)" 16
check_eq "--devices 16 bays" "$(jnum "$tmp/d16.json" bays)" "$dev"
check_eq "--devices 16 price" "$(jnum "$tmp/d16.json" price)" \
    "$(calc "$nodes * ($(fig storage $qlc chassis_price) + 16 * $(fig storage $qlc device_price))")"
# Power all busy: server + enclosure + NIC ports + 16 drives at their hungrier state.
check_eq "--devices 16 power all busy" "$(jnum "$tmp/d16.json" active_power)" \
    "$(calc "$nodes * ($(fig storage $qlc server_power) + $(fig storage $qlc enclosure_power) + $(fig storage $qlc nics) * $(fig links roce-400 port_power) + 16 * max($(fig storage $qlc device_read_power), $(fig storage $qlc device_write_power)))")"
expect_grep "per node: 16 of $dev drives (--devices)" "$tmp/out"
awk -v a="$(jnum "$tmp/d16.json" price)" -v b="$(jnum "$tmp/read.json" price)" \
    -v p="$(jnum "$tmp/d16.json" load_power)" -v q="$(jnum "$tmp/read.json" load_power)" \
    'BEGIN { exit !(a < b && p < q) }' || fail "16 drives a node do not cost and draw less than $dev"
# --set devices=N describes the box: its bays become N.
expect_status 0 "$AIFSIM" size $qlc --read "1 TB/s" --set devices=16 --json "$tmp/s16.json"
check_eq "--set devices=16 price" "$(jnum "$tmp/s16.json" price)" "$(jnum "$tmp/d16.json" price)"
check_eq "--set devices=16 bays" "$(jnum "$tmp/s16.json" bays)" 16
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --json "$tmp/def.json"
# --devices auto: the chosen count costs no more over the lifetime than its neighbours or every
# bay filled (each run on its own), and for 1 PB at 1 TB/s it leaves bays empty.
expect_status 0 "$AIFSIM" size $qlc --capacity "1 PB" --read "1 TB/s" --devices auto --json "$tmp/auto.json"
best=$(jnum "$tmp/auto.json" devices_per_node)
tco=$(jsys "$tmp/auto.json" tco)
expect_grep "auto chose $best of $dev" "$tmp/out"
[ "$(jstr "$tmp/auto.json" devices_from)" = auto ] || fail "--devices auto: devices_from is not auto"
awk -v b="$best" -v n="$dev" 'BEGIN { exit !(b >= 1 && b < n) }' \
    || fail "--devices auto for 1 PB at 1 TB/s chose $best of $dev drives"
for k in $((best - 1)) $((best + 1)) "$dev"; do
    [ "$k" -ge 1 ] && [ "$k" -le "$dev" ] || continue
    expect_status 0 "$AIFSIM" size $qlc --capacity "1 PB" --read "1 TB/s" --devices "$k" --json "$tmp/k.json"
    awk -v a="$tco" -v b="$(jsys "$tmp/k.json" tco)" 'BEGIN { exit !(a <= b) }' \
        || fail "--devices auto chose $best (TCO $tco), but $k drives cost $(jsys "$tmp/k.json" tco)"
done
# Capacity alone: auto keeps the node count of full boxes (another chassis costs more than the
# drives it saves) and leaves out the drives that rounding up to whole full boxes would add:
# 10 PB on 8 nodes needs ceil(10e15 / (8 x drive x usable)) drives a node, not all of them.
n=$(calc "ceil(10e15 / $(node_usable $qlc))")
d=$(calc "ceil(10e15 / ($n * $(fig storage $qlc device_capacity) * $(fig storage $qlc usable_fraction)))")
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --devices auto --json "$tmp/autocap.json"
check_eq "--devices auto for capacity: nodes" "$(jnum "$tmp/autocap.json" nodes)" "$n"
check_eq "--devices auto for capacity: drives" "$(jnum "$tmp/autocap.json" devices_per_node)" "$d"
awk -v a="$(jsys "$tmp/autocap.json" tco)" -v b="$(jsys "$tmp/def.json" tco)" 'BEGIN { exit !(a <= b) }' \
    || fail "--devices auto for capacity costs more than every bay filled"
# An erasure code sets the fewest drives tried.
expect_status 0 "$AIFSIM" size $qlc --read "1 TB/s" --devices auto --erasure 8+2 --json "$tmp/autoec.json"
grep -q '"tried_from": 10' "$tmp/autoec.json" || fail "--devices auto --erasure 8+2 does not start at 10 drives"
expect_status 2 "$AIFSIM" size $qlc --read "1 TB/s" --devices 40
expect_grep "--devices: $qlc has $dev drive bays (its devices); expected 1 to $dev or auto, got 40" "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read "1 TB/s" --devices many
expect_grep '--devices: expected a whole number of drives per node such as "16" or "auto", got "many"' "$tmp/err"

# ---- --headroom: devices and NICs at most that busy; bandwidth and IOPS sized at demand / h ----
nodes=$(calc "ceil(1e12 / 0.7 / $(node_read $qlc))")
expect_status 0 "$AIFSIM" size $qlc --read "1 TB/s" --headroom 70% --json "$tmp/head.json"
check_eq "--headroom 70% nodes" "$(jnum "$tmp/head.json" nodes)" "$nodes"
check_eq "--headroom 70% read need" "$(jnum "$tmp/head.json" read_bandwidth 2)" "$(calc "1e12 / 0.7 / $(node_read $qlc)")"
check_eq "--headroom in the JSON" "$(jnum "$tmp/head.json" headroom)" 0.7
# The NICs carry the demand itself: 1 TB/s over the nodes' ports.
check_eq "--headroom NIC busy" "$(jnum "$tmp/head.json" nic_busy)" \
    "$(calc "1e12 / ($nodes * $(fig storage $qlc nics) * $(fig links roce-400 rate))")"
awk -v b="$(jnum "$tmp/head.json" nic_busy)" 'BEGIN { exit !(b <= 0.7) }' || fail "NICs busier than the headroom"
expect_grep "headroom           70%" "$tmp/out"
expect_grep "needed at 70% headroom" "$tmp/out"
# Capacity is not scaled.
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --headroom 50% --json "$tmp/headcap.json"
check_eq "--headroom leaves capacity" "$(jnum "$tmp/headcap.json" nodes)" "$(jnum "$tmp/cap.json" nodes)"
expect_status 2 "$AIFSIM" size $qlc --read "1 TB/s" --headroom 0
expect_grep '--headroom: expected a value in (0, 1], got "0"' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --read "1 TB/s" --headroom 150%
expect_grep '--headroom: expected a value in (0, 1], got "150%"' "$tmp/err"

# ---- usable fraction: --usable, or --erasure K+M and --fill ----
u=$(calc "10 / 12 * 0.85")
nodes=$(calc "ceil(10e15 / ($dev * $(fig storage $qlc device_capacity) * $u))")
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --erasure 10+2 --fill 85% --json "$tmp/ec.json"
check_eq "--erasure 10+2 --fill 85% usable fraction" "$(jsys "$tmp/ec.json" usable_fraction)" "$u"
check_eq "--erasure 10+2 --fill 85% nodes" "$(jnum "$tmp/ec.json" nodes)" "$nodes"
expect_grep "(70.83% of raw: erasure 10+2 x fill 85%)" "$tmp/out"
[ "$(jstr "$tmp/ec.json" usable_fraction_from)" = erasure ] || fail "usable_fraction_from is not erasure"
# 8+2 at 90% is the catalog's 0.72: the same tier.
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --erasure 8+2 --fill 90% --json "$tmp/ec2.json"
check_eq "--erasure 8+2 --fill 90% nodes" "$(jnum "$tmp/ec2.json" nodes)" "$(jnum "$tmp/cap.json" nodes)"
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --usable 0.5 --json "$tmp/u.json"
check_eq "--usable 0.5 nodes" "$(jnum "$tmp/u.json" nodes)" \
    "$(calc "ceil(10e15 / ($dev * $(fig storage $qlc device_capacity) * 0.5))")"
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --fill 90%
expect_grep "warning: --fill: without --erasure the usable fraction is the fill alone" "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --usable 0.8 --erasure 8+2
expect_grep "--usable: give the usable fraction either as --usable or as --erasure and --fill" "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --erasure 8
expect_grep '--erasure: expected data+parity drives per stripe such as "8+2"' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --erasure 0+2
expect_grep '--erasure: expected data+parity' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --usable 1.2
expect_grep '--usable: expected a value in (0, 1], got "1.2"' "$tmp/err"

# ---- the facility: presets and overrides; W/TB, energy per year and TCO from the cost model ----
pue=$(printf '%g' "$(ffig enterprise pue)")
eprice=$(ffig enterprise energy_price)
slife=$(ffig enterprise storage_life)
maint=$(ffig enterprise maintenance)
life=$(ffig enterprise lifetime)
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --read "200 GB/s" --facility enterprise \
    --json "$tmp/fac.json"
[ "$(jstr "$tmp/fac.json" name)" = enterprise ] || fail "--facility enterprise not in the JSON"
check_eq "facility PUE" "$(jnum "$tmp/fac.json" pue)" "$pue"
p=$(jsys "$tmp/fac.json" power)
check_eq "power on the load basis" "$p" "$(jnum "$tmp/fac.json" load_power)"
check_eq "facility power" "$(jsys "$tmp/fac.json" facility_power)" "$(calc "$p * $pue")"
check_eq "W per usable byte" "$(jsys "$tmp/fac.json" power_per_usable_capacity)" \
    "$(calc "$p / $(jnum "$tmp/fac.json" usable_capacity)")"
check_eq "energy per year" "$(jsys "$tmp/fac.json" energy_per_year)" "$(calc "$p * $pue * $year")"
check_eq "energy cost per year" "$(jsys "$tmp/fac.json" energy_cost_per_year)" \
    "$(calc "$p * $pue * $year / 3.6e6 * $eprice")"
price=$(jnum "$tmp/fac.json" price)
check_eq "TCO capital" "$(jsys "$tmp/fac.json" tco_capital)" "$(calc "$price * $life / $slife")"
check_eq "TCO maintenance" "$(jsys "$tmp/fac.json" tco_maintenance)" "$(calc "$price * $maint / 100 * $life")"
check_eq "TCO energy" "$(jsys "$tmp/fac.json" tco_energy)" "$(calc "$p * $pue * $year / 3.6e6 * $eprice * $life")"
check_eq "TCO adds up" "$(jsys "$tmp/fac.json" tco)" \
    "$(calc "$(jsys "$tmp/fac.json" tco_capital) + $(jsys "$tmp/fac.json" tco_maintenance) + $(jsys "$tmp/fac.json" tco_energy) + $(jsys "$tmp/fac.json" tco_space)")"
# Whole boxes in racks of the preset's units and power.
ru=$(ffig enterprise rack_units)
check_eq "racks" "$(jsys "$tmp/fac.json" racks)" \
    "$(calc "ceil($(jnum "$tmp/fac.json" nodes) / min(int($ru / $(fig storage $qlc rack_units)), int($(ffig enterprise rack_power) * 1000 / $(jsys "$tmp/fac.json" node_max_power))))")"
expect_grep "facility: enterprise: PUE $pue" "$tmp/out"
expect_grep "TCO over $life y" "$tmp/out"
# Overrides of the preset.
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --read "200 GB/s" --facility enterprise --pue 1.3 \
    --energy-price "0.2 USD/kWh" --lifetime "7 y" --json "$tmp/fac2.json"
check_eq "--pue" "$(jnum "$tmp/fac2.json" pue)" 1.3
check_eq "--energy-price" "$(jnum "$tmp/fac2.json" energy_price)" "$(calc "0.2 / 3.6e6")"
check_eq "--lifetime" "$(jnum "$tmp/fac2.json" lifetime)" "$(calc "7 * $year")"
check_eq "--lifetime stretches the capital" "$(jsys "$tmp/fac2.json" tco_capital)" "$(calc "$price * 7 / $slife")"
expect_grep "PUE 1.3 (--pue)" "$tmp/out"
# The default is the hyperscale preset.
[ "$(jstr "$tmp/def.json" name)" = hyperscale ] || fail "the default facility is not hyperscale"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --facility colo
expect_grep '--facility: unknown facility preset "colo"' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --facility colocatoin
expect_grep 'did you mean "colocation"?' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --pue 0.9
expect_grep '--pue: expected at least 1, got "0.9"' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --lifetime 5
expect_grep '--lifetime: expected a time such as' "$tmp/err"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --energy-price "0.1 USD"
expect_grep '--energy-price: ' "$tmp/err"

# ---- the power basis ----
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --read "200 GB/s" --power-basis busy --json "$tmp/busy.json"
check_eq "--power-basis busy power" "$(jsys "$tmp/busy.json" power)" "$(jnum "$tmp/busy.json" active_power)"
check_eq "--power-basis busy energy" "$(jsys "$tmp/busy.json" energy_per_year)" \
    "$(calc "$(jnum "$tmp/busy.json" active_power) * $(ffig hyperscale pue) * $year")"
[ "$(jstr "$tmp/busy.json" power_basis)" = busy ] || fail "power_basis is not busy"
expect_grep "power (basis: all busy)" "$tmp/out"
expect_grep "W per usable TB (all busy)" "$tmp/out"
expect_grep "power basis: all busy (--power-basis busy)" "$tmp/out"
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --read "200 GB/s" --compare $hdd --power-basis busy \
    --json "$tmp/busy2.json"
check_eq "--compare compares the basis power" "$(sed -n 's/^    "power": \([^,]*\),*$/\1/p' "$tmp/busy2.json")" \
    "$(calc "$(jnum "$tmp/busy2.json" active_power 2) / $(jnum "$tmp/busy2.json" active_power 1)")"
expect_grep "the power all busy" "$tmp/out"
expect_status 2 "$AIFSIM" size $qlc --capacity "10 PB" --power-basis bussy
expect_grep '--power-basis: expected load or busy, got "bussy"; did you mean "busy"?' "$tmp/err"

# ---- why: which constraint binds and how far the others are over-provisioned ----
# Capacity-bound: 10 PB at 200 GB/s on QLC flash.
cap=$(calc "10e15 / $(node_usable $qlc)")
rd=$(calc "200e9 / $(node_read $qlc)")
n=$(calc "ceil($cap)")
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --read "200 GB/s" --json "$tmp/why1.json"
expect_grep "why: capacity binds: $n nodes" "$tmp/out"
expect_grep "read bandwidth needs only $(printf '%.4g' "$rd"), so $(printf '%.3g' "$(calc "$n / $rd")")x over-provisioned in read bandwidth" "$tmp/out"
check_eq "read overprovisioning" "$(sed -n 's/.*"read_bandwidth": {"need": [^,]*, "nodes": [0-9]*, "overprovisioning": \([^}]*\)}.*/\1/p' "$tmp/why1.json")" "$(calc "$n / $rd")"
# Bandwidth-bound: 1 PB at 1 TB/s.
cap=$(calc "1e15 / $(node_usable $qlc)")
n=$(calc "ceil(1e12 / $(node_read $qlc))")
expect_status 0 "$AIFSIM" size $qlc --capacity "1 PB" --read "1 TB/s"
expect_grep "why: read bandwidth binds: $n nodes" "$tmp/out"
expect_grep "capacity needs only $(printf '%.4g' "$cap"), so $(printf '%.3g' "$(calc "$n / $cap")")x over-provisioned in capacity" "$tmp/out"
# The NICs run flat out without headroom, and the output says so.
expect_grep "the NICs are 100% busy at the demand" "$tmp/out"
# Disk against flash: each system says why.
expect_status 0 "$AIFSIM" size $qlc --capacity "10 PB" --read "200 GB/s" --compare $hdd
expect_grep "why ($qlc): capacity binds" "$tmp/out"
expect_grep "why ($hdd): read bandwidth binds" "$tmp/out"
expect_grep "TCO over" "$tmp/out"
for f in set setb d16 auto head ec fac fac2 busy busy2 why1; do
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/$f.json" \
            || fail "$f.json is not valid JSON"
    fi
done
finish
