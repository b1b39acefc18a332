#!/bin/sh
# Where the output goes, and what happens when it cannot: `--json -` carries the JSON alone;
# every command exits 1 with "aifsim: error: writing standard output: ..." when standard output
# is full (/dev/full), cut short by a file-size limit or closed; --json refuses a read-only file
# and the scenario file itself, writes through a symlink and takes a 250-byte name. Also the
# catalog kinds and options that --help and the man page must list.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
scn=scenarios/compute-bound.yaml

# expect_stdout_error: the last command failed on standard output, with the message and 1.
expect_stdout_error() {
    grep -q "^aifsim: error: writing standard output: $1" "$tmp/err" \
        || fail "no \"writing standard output: $1\" on stderr: $(head -n 2 "$tmp/err")"
}

# --- `--json -`: the JSON alone on standard output, with or without -q -------------------------
for q in "" -q; do
    expect_status 0 "$AIFSIM" run $scn --json - $q
    head -c 1 "$tmp/out" | grep -q '{' || fail "run --json - $q: stdout does not start with {"
    tail -n 1 "$tmp/out" | grep -qx '}' || fail "run --json - $q: stdout does not end with }"
    grep -q "verdict:" "$tmp/out" && fail "run --json - $q: the summary is mixed into the JSON"
    expect_status 0 "$AIFSIM" size flash-qlc-node --read "1 TB/s" --json - $q
    head -c 1 "$tmp/out" | grep -q '{' || fail "size --json - $q: stdout does not start with {"
    grep -q "binding" "$tmp/out" || fail "size --json - $q: no JSON"
    grep -q "^  *nodes  " "$tmp/out" && fail "size --json - $q: the figures are mixed into the JSON"
done
# The JSON on stdout is the same as in a file.
"$AIFSIM" run $scn --json "$tmp/same.json" -q >/dev/null 2>&1
"$AIFSIM" run $scn --json - >"$tmp/stdout.json" 2>/dev/null
cmp -s "$tmp/same.json" "$tmp/stdout.json" || fail "run --json - differs from --json FILE"
rm -f "$tmp/same.json" "$tmp/stdout.json"

# --- standard output that cannot be written ----------------------------------------------------
if [ -w /dev/full ]; then
    for cmd in "run $scn" "run $scn --json -" "validate $scn" "catalog" "catalog gpus" \
        "size flash-qlc-node --read 1TB/s" "size flash-qlc-node --read 1TB/s --json -" \
        "--help" "--version" "run --help"; do
        # shellcheck disable=SC2086
        "$AIFSIM" $cmd >/dev/full 2>"$tmp/err"
        status=$?
        [ "$status" -eq 1 ] || fail "aifsim $cmd >/dev/full: exit status $status, expected 1"
        expect_stdout_error "No space left on device"
        n=$(grep -c "writing standard output" "$tmp/err")
        [ "$n" -eq 1 ] || fail "aifsim $cmd >/dev/full: reported $n times"
    done
    # A failed summary writes no JSON file.
    "$AIFSIM" run $scn --json "$tmp/after.json" >/dev/full 2>"$tmp/err"
    [ $? -eq 1 ] || fail "run --json FILE >/dev/full: not exit 1"
    [ -e "$tmp/after.json" ] && fail "run >/dev/full still wrote its --json file"
    # Bad input stays exit 2 even with stdout full; nothing was written.
    "$AIFSIM" run does-not-exist.yaml >/dev/full 2>"$tmp/err"
    [ $? -eq 2 ] || fail "a bad run with stdout full: not exit 2"
else
    echo "note: /dev/full is not writable here; its checks are skipped"
fi

# A file-size limit (SIGXFSZ is ignored, so the write fails with EFBIG and is reported) and a
# closed standard output (EBADF).
for cmd in "run $scn" "catalog" "validate $scn $scn $scn"; do
    # shellcheck disable=SC2086
    (ulimit -f 1 && exec "$AIFSIM" $cmd >"$tmp/limited" 2>"$tmp/err")
    status=$?
    [ "$status" -eq 1 ] || fail "aifsim $cmd under ulimit -f 1: exit status $status, expected 1"
    expect_stdout_error "File too large"
    # shellcheck disable=SC2086
    "$AIFSIM" $cmd >&- 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] || fail "aifsim $cmd >&-: exit status $status, expected 1"
    expect_stdout_error "Bad file descriptor"
done
rm -f "$tmp/limited"
# With stdout closed, the JSON file is not mistaken for it (descriptor 1 reused).
"$AIFSIM" run $scn -q --json "$tmp/fd1.json" >&- 2>"$tmp/err" || fail "run -q --json FILE >&- failed"
grep -q "computing" "$tmp/fd1.json" && fail "the summary landed in the JSON file"
rm -f "$tmp/fd1.json"

# --- --json targets ----------------------------------------------------------------------------
mkdir "$tmp/o"
# A read-only file is refused before the run and left as it was.
echo "precious" >"$tmp/o/ro.json"
chmod 444 "$tmp/o/ro.json"
expect_status 1 "$AIFSIM" run $scn -q --json "$tmp/o/ro.json"
expect_grep "cannot write $tmp/o/ro.json: the file is read-only" "$tmp/err"
[ "$(cat "$tmp/o/ro.json")" = precious ] || fail "a read-only --json file was replaced"
[ "$(stat -c %a "$tmp/o/ro.json")" = 444 ] || fail "a read-only --json file changed mode"
expect_status 1 "$AIFSIM" size flash-qlc-node --read 1TB/s -q --json "$tmp/o/ro.json"
[ "$(cat "$tmp/o/ro.json")" = precious ] || fail "size replaced a read-only --json file"
rm -f "$tmp/o/ro.json"

# A symlink is written through: the file it names gets the JSON, the link stays a link.
echo old >"$tmp/o/real.json"
ln -s real.json "$tmp/o/link.json"
expect_status 0 "$AIFSIM" run $scn -q --json "$tmp/o/link.json"
[ -L "$tmp/o/link.json" ] || fail "--json through a symlink replaced the link"
grep -q '"run.seed"' "$tmp/o/real.json" || fail "--json through a symlink did not write its file"
rm -f "$tmp/o/link.json" "$tmp/o/real.json"

# The scenario file itself, under its own name, through a symlink or a hard link: refused
# before the run (exit 2) and untouched.
cp $scn "$tmp/o/s.yaml"
ln -s s.yaml "$tmp/o/sym.yaml"
ln "$tmp/o/s.yaml" "$tmp/o/hard.yaml"
for out in "$tmp/o/s.yaml" "$tmp/o/sym.yaml" "$tmp/o/hard.yaml" "$tmp/o/../o/s.yaml"; do
    expect_status 2 "$AIFSIM" run "$tmp/o/s.yaml" --json "$out"
    expect_grep "is the scenario file" "$tmp/err"
    cmp -s $scn "$tmp/o/s.yaml" || fail "--json $out damaged the scenario"
    [ -s "$tmp/out" ] && fail "--json $out: the run started"
done
rm -f "$tmp/o/s.yaml" "$tmp/o/sym.yaml" "$tmp/o/hard.yaml"

# A 250-byte name (the temporary file's name must not grow past NAME_MAX).
long=$(printf '%0250d' 0 | tr 0 n)
expect_status 0 "$AIFSIM" run $scn -q --json "$tmp/o/$long"
grep -q '"run.seed"' "$tmp/o/$long" || fail "a 250-byte --json name was not written"
rm -f "$tmp/o/$long"
[ -z "$(ls -A "$tmp/o")" ] || fail "files left in the output directory: $(ls -A "$tmp/o")"

# --- what --help and the man page list ---------------------------------------------------------
# The catalog kinds, from the catalog command's own error message (derived from the schema).
"$AIFSIM" catalog no-such-kind-at-all >/dev/null 2>"$tmp/err"
kinds=$(sed -n 's/.*expected one of //p' "$tmp/err" | tr -d ,)
[ -n "$kinds" ] || fail "no list of catalog kinds in: $(cat "$tmp/err")"
"$AIFSIM" --help >"$tmp/help"
"$AIFSIM" catalog --help >"$tmp/cathelp"
man=$top_srcdir/doc/aifsim.1.in
catsyn=$(sed -n '/^\.B aifsim catalog$/,/^\.br$/p' "$man")
for k in $kinds; do
    grep -q "$k" "$tmp/help" || fail "aifsim --help does not list the catalog kind $k"
    grep -q "$k" "$tmp/cathelp" || fail "aifsim catalog --help does not list $k"
    printf '%s\n' "$catsyn" | grep -q "| $k \]\|\[ $k |\|| $k |" \
        || fail "the man page's synopsis of catalog does not list $k"
done
# Every option of validate's usage is in its man synopsis.
valsyn=$(sed -n '/^\.B aifsim validate$/,/^\.br$/p' "$man")
"$AIFSIM" validate --help | sed -n '1p' | grep -o -- '--[a-z-]*' | sort -u >"$tmp/valopts"
while read -r opt; do
    esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    printf '%s\n' "$valsyn" | grep -q -- "$esc" \
        || fail "the man page's synopsis of validate lacks $opt"
done <"$tmp/valopts"
grep -q -- "--seed" "$tmp/valopts" || fail "validate --help does not show --seed"
finish
