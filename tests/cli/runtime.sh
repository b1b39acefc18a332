#!/bin/sh
# Run-time robustness: a scenario that validates runs to its end, whatever the values inside the
# documented ranges.
. "$(dirname "$0")/lib.sh"

# No reserve for the look-ups: while a checkpoint burst and the training reads fill the devices,
# the look-up queue's speed, 1 - load / devices, comes out as a rounding residue (~1e-16) instead
# of 0, and a completion at that speed once overflowed the clock ("completion beyond the end of
# time"). Checkpoint weights 2, 3 and 1e6 (the top of the documented range) each hit it.
for w in 2 3 1e6; do
    expect_status 0 "$AIFSIM" run scenarios/mixed-burst.yaml --set storage.hot.reserve=0 \
        --set workloads.ckpt.qos.weight=$w
    expect_grep "verdict:" "$tmp/out"
done

# QoS weights at both ends of the range, (0, 1e6], with and without the reserve (the first
# case also stopped on the look-up queue; tests/unit/test_flow.c covers the flow solver at the
# extremes of weight, scale and group size together).
for r in 0 10%; do
    expect_status 0 "$AIFSIM" run scenarios/mixed-burst.yaml --set storage.hot.reserve=$r \
        --set workloads.video.qos.weight=1e-12 --set workloads.ckpt.qos.weight=1e6
    expect_grep "verdict:" "$tmp/out"
done
finish
