#!/bin/sh
# `aifsim run --trace FILE`: the timeline as Chrome/Perfetto trace events, checked against the
# run's own metrics: the trace is valid JSON in the trace-event form; each job's spans tile the
# run (no gap, no overlap) and add up to its duration; each state's spans add up to its share of
# the run (computing: GPU utilization plus the work failures undid; waiting for data; checkpoint
# stall; down; reloading), and with pipeline parallelism and stragglers a step's compute, its
# bubble and straggler wait, and its model-parallel traffic add up to the GPU utilization, the
# bubble plus the straggler wait, and the exposed communication; there is one failure instant
# per failure; counters come from the series; --trace-events bounds the record and counts what it
# dropped; --trace-from/--trace-to keep the events overlapping a window; bad uses exit 2 and
# write nothing.
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without python3.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }

scn=scenarios/llm-pretrain-failures.yaml
expect_status 0 "$AIFSIM" run "$scn" --trace "$tmp/t.json" --json "$tmp/r.json" -q
python3 - "$tmp/t.json" "$tmp/r.json" <<'PY' || fail "the trace does not match the run"
import json, sys
t = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
ev = t["traceEvents"]
T = r["run.duration"]["value"]
threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["name"] == "thread_name"}
bad = 0
for (pid, tid), name in threads.items():
    key = "train." + name + ".gpu_utilization"
    if key not in r:
        continue
    spans = sorted((e for e in ev if e.get("tid") == tid and e["pid"] == pid and e["ph"] == "X"),
                   key=lambda e: e["ts"])
    end = 0.0
    for e in spans:
        if abs(e["ts"] - end) > 1e-3:  # microseconds, written to the nanosecond
            print("gap or overlap in", name, "at", e["ts"], "after", end); bad += 1; break
        end = e["ts"] + e["dur"]
    if abs(end - T * 1e6) > 1e-3:
        print(name, "spans end at", end, "us, the run at", T * 1e6); bad += 1
    # Each state's spans add up to its share of the run; computing includes the work a failure
    # later undid (the GPUs computed it).
    def share(m):
        return r.get("train." + name + "." + m, {}).get("value", 0)
    for state, want in (("computing", share("gpu_utilization") + share("lost_work")),
                        ("waiting for data", share("data_wait")),
                        ("checkpoint stall", share("checkpoint_stall")),
                        ("down (failure)", share("restart")),
                        ("reloading checkpoint", share("reload"))):
        got = sum(e["dur"] for e in spans if e["name"] == state) / 1e6
        if abs(got - want * T) > 1e-6 * max(1, want * T):
            print(name, state, got, "s, the metrics say", want * T); bad += 1
    fails = sum(1 for e in ev if e.get("tid") == tid and e["ph"] == "i" and e["name"] == "failure")
    nf = r.get("failures." + name + ".count", {}).get("value", 0)
    if fails != nf:
        print(name, fails, "failure instants,", nf, "failures"); bad += 1
counters = [e for e in ev if e["ph"] == "C"]
if not counters or t["otherData"]["counters"] != len(counters):
    print("counters", len(counters), t["otherData"]["counters"]); bad += 1
if t["otherData"]["dropped"] != 0 or t["otherData"]["run.scenario"] != r.get("run.scenario", {}).get("text"):
    print("otherData", t["otherData"]); bad += 1
sys.exit(1 if bad else 0)
PY

# A step's parts: compute, then the pipeline bubble and the straggler wait, then model-parallel
# traffic, each adding up to its metric (compute-bound with 4 pipeline stages of 16 micro-batches
# and a 5% straggler spread).
expect_status 0 "$AIFSIM" run scenarios/compute-bound.yaml --trace "$tmp/p.json" --json "$tmp/p-r.json" -q \
    --set 'workloads[0].train.parallel={tensor: 8, pipeline: 4, microbatches: 16, straggler_spread: 0.05}'
python3 - "$tmp/p.json" "$tmp/p-r.json" <<'PY' || fail "a step's parts in the trace do not match the run"
import json, sys
t = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
T = r["run.duration"]["value"]
got = {}
for e in t["traceEvents"]:
    if e["ph"] == "X":
        got[e["name"]] = got.get(e["name"], 0) + e["dur"] / 1e6
m = lambda k: r["train.llm-70b." + k]["value"]
bad = 0
for state, want in (("computing", m("gpu_utilization")),
                    ("bubble and stragglers", m("pipeline_bubble") + m("straggler_wait")),
                    ("communicating", m("exposed_communication"))):
    if not want > 0 or abs(got.get(state, 0) - want * T) > 1e-6 * want * T:
        print(state, got.get(state, 0), "s, the metrics say", want * T); bad += 1
sys.exit(1 if bad else 0)
PY

# The bound: 50 events kept, the rest counted as dropped.
expect_status 0 "$AIFSIM" run "$scn" --trace "$tmp/b.json" --trace-events 50 -q
python3 - "$tmp/b.json" <<'PY' || fail "--trace-events does not bound the record"
import json, sys
t = json.load(open(sys.argv[1]))
n = sum(1 for e in t["traceEvents"] if e["ph"] in "Xi")
o = t["otherData"]
sys.exit(0 if n == 50 and o["events"] == 50 and o["dropped"] > 0 else 1)
PY

# The window: every span and instant overlaps [1 h, 2 h].
expect_status 0 "$AIFSIM" run "$scn" --trace "$tmp/w.json" --trace-from "1 h" --trace-to "2 h" -q
python3 - "$tmp/w.json" <<'PY' || fail "--trace-from/--trace-to keep events outside the window"
import json, sys
t = json.load(open(sys.argv[1]))
lo, hi = 3600e6, 7200e6
ok = all(e["ts"] <= hi and e["ts"] + e.get("dur", 0) >= lo
         for e in t["traceEvents"] if e["ph"] in "XiC")
sys.exit(0 if ok and any(e["ph"] == "X" for e in t["traceEvents"]) else 1)
PY

# Deterministic: the same run gives the same bytes.
expect_status 0 "$AIFSIM" run "$scn" --trace "$tmp/t2.json" -q
cmp -s "$tmp/t.json" "$tmp/t2.json" || fail "two runs give different traces"

# Bad uses: exit 2, nothing written.
expect_status 2 "$AIFSIM" run "$scn" --trace
expect_status 2 "$AIFSIM" run "$scn" --trace "$tmp/x.json" --trace-events 0
expect_status 2 "$AIFSIM" run "$scn" --trace "$tmp/x.json" --trace-from "2 h" --trace-to "1 h"
expect_status 2 "$AIFSIM" run "$scn" --trace "$tmp/x.json" --trace-from "5 GB"
expect_status 2 "$AIFSIM" run "$scn" --trace "$scn"
[ -e "$tmp/x.json" ] && fail "a refused run wrote its trace"
finish
