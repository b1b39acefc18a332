#!/bin/sh
# sweepbench: the wall time of a 100-point sweep (scenarios/storage-short.yaml, 10 storage node
# counts x 10 durations of 1 h to 10 h, no outputs) on -j 1 and on -j 2, the best of three runs
# each, and their ratio: about 0.5 is expected on two idle cores, since the points are
# independent runs and only the main thread's ordering and table stand between them. The load
# average is printed beside it, since other processes on the cores make the ratio meaningless.
# Run from the build directory (`make bench`), or with AIFSIM and top_srcdir set.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${AIFSIM:=./aifsim}"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
best() {
    b=
    for _ in 1 2 3; do
        s=$(date +%s.%N)
        "$AIFSIM" sweep "$top_srcdir/scenarios/storage-short.yaml" --vary storage.flash.nodes=3..12 \
            --vary 'duration=1h..10h:1h' -j "$1" -q --no-progress || exit 1
        e=$(date +%s.%N)
        b=$(echo "$s $e ${b:-1e9}" | awk '{ t = $2 - $1; print (t < $3 ? t : $3) }')
    done
    echo "$b"
}
t1=$(best 1)
t2=$(best 2)
echo "sweepbench: 100 points, -j 1 $t1 s, -j 2 $t2 s, ratio $(echo "$t1 $t2" | awk '{ printf "%.2f", $2 / $1 }')" \
    "(load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null), $(getconf _NPROCESSORS_ONLN) CPUs)"
