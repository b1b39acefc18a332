#!/bin/sh
# Keeps the layering of doc/architecture.md ("Layers"): a layer includes only the layers it may use.
. "$(dirname "$0")/lib.sh"
allowed() {
    case "$1" in
    base) echo "base" ;;
    engine) echo "base engine" ;;
    model) echo "base engine model" ;;
    workload) echo "base engine model workload" ;;
    scenario) echo "base model workload scenario" ;;
    report) echo "base report" ;;
    plan) echo "base model workload scenario report plan" ;;
    cli) echo "base engine model workload scenario report plan cli" ;;
    esac
}
for f in src/*/*.c src/*/*.h; do
    layer=$(basename "$(dirname "$f")")
    ok=$(allowed "$layer")
    for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f"); do
        case " $ok " in
        *" $inc "*) ;;
        *) fail "$f ($layer) includes $inc/, which its layer may not use" ;;
        esac
    done
done
finish
