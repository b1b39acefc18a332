#!/bin/sh
# The inference kind end to end (workload/infer.c, infer_llm.c, scenario/scen_infer.c):
#   - tests/fixtures/serving-recsys.yaml (2,000 requests/s for 2 min, 20 feature reads of 4 KiB
#     each from a QLC tier that a 500 GB burst writes to every minute, batches of up to 32 with a
#     2 ms wait on 8 replicas for 3 ms + 50 us per request) runs; its summary has the inference
#     section and the p99 during and outside the writes; its JSON has latency_p99; the same seed
#     gives the same JSON twice; and its figures hold against what is known independently of the
#     code that produced them:
#       arrivals within the 99.9% Poisson interval of 2,000/s x 120 s;
#       every request arrived is served, rejected or unfinished (conservation);
#       feature bytes = 20 reads x 4,096 B x the requests admitted;
#       the four mean parts add up to the mean latency;
#       replica utilization = (batches x 3 ms + served x 50 us) / (8 replicas x 120 s), the
#       batches being served / batch_mean;
#       with the replicas almost never all busy and 32 far above a batch's size, a batch leaves
#       when its first request has waited 2 ms, holding it and the Poisson(2,000/s x 2 ms = 4)
#       requests that came meanwhile: mean batch 1 + 4 = 5, and mean batch wait
#       (2 ms + 4 x 1 ms) / 5 = 1.2 ms (the later ones wait a uniform share of 2 ms), each within
#       the 99.9% interval of its estimator over the run's batches (delta method below);
#   - tests/fixtures/serving-llm.yaml (Llama 3.1 8B, fixed 500 prompt and 100 output tokens a
#     turn, KV cache in 1 GB of host memory per replica and 1 TB of the flash tier) runs, with
#     TTFT and TPOT in its summary and JSON, twice the same; turns are conserved; the KV shares
#     (host, local, storage, recomputed) add up to 1; the KV written to the tier is exactly
#     600 tokens x 131,072 B (Llama 3 8B in BF16: 2 x 32 layers x 8 KV heads x 128 x 2 B) per
#     turn served; output tokens lie between 100 x served and 100 x (served + unfinished);
#   - `aifsim validate` prints each service's line.
# Broken inference scenarios are in tests/cli/bad/infer-*.yaml (checked by errors.sh).
# Environment from `make check`: AIFSIM, AIFSIM_MODELS, top_srcdir. Skips (77) without a binary.
. "$(dirname "$0")/lib.sh"
: "${AIFSIM_MODELS:=$top_srcdir/models}"
export AIFSIM_MODELS
rec=tests/fixtures/serving-recsys.yaml
llm=tests/fixtures/serving-llm.yaml

# val FILE NAME: the value of metric NAME in JSON output FILE (empty when absent).
val() {
    sed -n "s/^ *\"$2\": {\"value\": \([^,]*\),.*/\1/p" "$1"
}

# check NAME AWK-CONDITION VARS...: fails with NAME unless the awk condition holds; VARS are
# name=value assignments for it. An empty value fails too.
check() {
    name=$1
    cond=$2
    shift 2
    for v in "$@"; do
        case "$v" in
        *=) fail "$name: ${v%=} is missing" && return ;;
        esac
    done
    awk "$@" "BEGIN { if (!($cond)) exit 1 }" </dev/null || fail "$name ($*)"
}

# ---- recommendation service ----------------------------------------------------------------
expect_status 0 "$AIFSIM" run "$rec" --json "$tmp/r1.json"
expect_grep "inference.recsys" "$tmp/out"
expect_grep "verdict: p99 latency" "$tmp/out"
expect_grep "p99 during checkpoint writes" "$tmp/out"
expect_grep "p99 without checkpoint writes" "$tmp/out"
expect_grep '"inference.recsys.latency_p99":' "$tmp/r1.json"
expect_status 0 "$AIFSIM" run "$rec" --json "$tmp/r2.json" -q
cmp -s "$tmp/r1.json" "$tmp/r2.json" || fail "recsys: the same seed gave different JSON"

j=$tmp/r1.json
arrived=$(val "$j" inference.recsys.arrived)
served=$(val "$j" inference.recsys.served)
rejected=$(val "$j" inference.recsys.rejected)
inflight=$(val "$j" inference.recsys.in_flight)
check "recsys: arrivals off the 99.9% Poisson interval of 240,000" \
    '(n - 240000) ^ 2 <= 3.2905 ^ 2 * 240000' -v n="$arrived"
check "recsys: arrived != served + rejected + unfinished" 'a == s + r + f' \
    -v a="$arrived" -v s="$served" -v r="$rejected" -v f="$inflight"
check "recsys: feature bytes != 20 x 4096 B x admitted requests" 'b == 20 * 4096 * (a - r)' \
    -v b="$(val "$j" inference.recsys.feature_bytes)" -v a="$arrived" -v r="$rejected"
check "recsys: the mean parts do not add up to the mean latency" \
    'm > 0 && (p1 + p2 + p3 + p4 - m) ^ 2 <= (1e-9 * m) ^ 2' \
    -v m="$(val "$j" inference.recsys.latency_mean)" \
    -v p1="$(val "$j" inference.recsys.reads_mean)" \
    -v p2="$(val "$j" inference.recsys.gpu_queue_mean)" \
    -v p3="$(val "$j" inference.recsys.batch_wait_mean)" \
    -v p4="$(val "$j" inference.recsys.service_mean)"
check "recsys: the tail's parts do not add up to 1" '(t1 + t2 + t3 + t4 - 1) ^ 2 <= 1e-18' \
    -v t1="$(val "$j" inference.recsys.tail_reads)" \
    -v t2="$(val "$j" inference.recsys.tail_gpu_queue)" \
    -v t3="$(val "$j" inference.recsys.tail_batch_wait)" \
    -v t4="$(val "$j" inference.recsys.tail_service)"
check "recsys: quantiles out of order" 'p50 <= p90 && p90 <= p99 && p99 <= p999' \
    -v p50="$(val "$j" inference.recsys.latency_p50)" \
    -v p90="$(val "$j" inference.recsys.latency_p90)" \
    -v p99="$(val "$j" inference.recsys.latency_p99)" \
    -v p999="$(val "$j" inference.recsys.latency_p999)"
bm=$(val "$j" inference.recsys.batch_mean)
# Batches still running at the end count in the utilization and not in served: at most 8 of at
# most 3 ms + 32 x 50 us, a relative 8 x 4.6 ms / 156 s = 2.4e-4 of the busy time.
check "recsys: replica utilization != (batches x 3 ms + served x 50 us) / (8 x 120 s)" \
    '((s / bm * 3e-3 + s * 50e-6) / 960 - u) ^ 2 <= (2.4e-4 * u) ^ 2' \
    -v s="$served" -v bm="$bm" -v u="$(val "$j" inference.recsys.replica_utilization)"
# Batches b = served / 5 (about 48,000). Batch size K = 1 + N, N ~ Poisson(4): Var K = 4, so the
# mean batch has standard error sqrt(4 / b). The wait sum of a batch, in ms, S = 2 + sum of N
# uniform(0, 2): E S = 6, Var S = 4 x E[W^2] = 16/3, Cov(S, K) = E W x Var N = 4; the ratio
# R = sum S / sum K = 1.2 has variance (Var S - 2 R Cov + R^2 Var K) / (b (E K)^2).
check "recsys: mean batch off 1 + 2,000/s x 2 ms = 5 (99.9%)" \
    '(bm - 5) ^ 2 <= 3.2905 ^ 2 * 4 / (s / 5)' -v bm="$bm" -v s="$served"
check "recsys: mean batch wait off (2 + 4 x 1) / 5 = 1.2 ms (99.9%)" \
    '(w * 1e3 - 1.2) ^ 2 <= 3.2905 ^ 2 * (16 / 3 - 2 * 1.2 * 4 + 1.44 * 4) / (s / 5 * 25)' \
    -v w="$(val "$j" inference.recsys.batch_wait_mean)" -v s="$served"
check "recsys: GPU queueing with the replicas 16% busy" 'q < 1e-5' \
    -v q="$(val "$j" inference.recsys.gpu_queue_mean)"

# ---- LLM service ---------------------------------------------------------------------------
expect_status 0 "$AIFSIM" run "$llm" --json "$tmp/l1.json"
expect_grep "inference.chat" "$tmp/out"
expect_grep "p99 time to first token" "$tmp/out"
expect_grep "p99 time per output token" "$tmp/out"
for m in latency_p99 ttft_p99 tpot_p99 kv_hit_host kv_hit_storage kv_storage_written; do
    expect_grep "\"inference.chat.$m\":" "$tmp/l1.json"
done
expect_status 0 "$AIFSIM" run "$llm" --json "$tmp/l2.json" -q
cmp -s "$tmp/l1.json" "$tmp/l2.json" || fail "llm: the same seed gave different JSON"

j=$tmp/l1.json
arrived=$(val "$j" inference.chat.arrived)
served=$(val "$j" inference.chat.served)
rejected=$(val "$j" inference.chat.rejected)
inflight=$(val "$j" inference.chat.in_flight)
check "llm: arrived != served + rejected + unfinished" 'a == s + r + f' \
    -v a="$arrived" -v s="$served" -v r="$rejected" -v f="$inflight"
check "llm: KV shares do not add up to 1" '(h + l + st + rc - 1) ^ 2 <= 1e-18' \
    -v h="$(val "$j" inference.chat.kv_hit_host)" -v l="$(val "$j" inference.chat.kv_hit_local)" \
    -v st="$(val "$j" inference.chat.kv_hit_storage)" \
    -v rc="$(val "$j" inference.chat.kv_recomputed)"
check "llm: KV reloaded from the tier without storage hits, or the reverse" \
    '(st > 0) == (rd > 0)' -v st="$(val "$j" inference.chat.kv_hit_storage)" \
    -v rd="$(val "$j" inference.chat.kv_storage_read)"
check "llm: KV written != 600 tokens x 131,072 B per turn served" 'w == s * 600 * 131072' \
    -v w="$(val "$j" inference.chat.kv_storage_written)" -v s="$served"
check "llm: output tokens outside [100 x served, 100 x (served + unfinished)]" \
    't * 300 >= 100 * s - 1e-6 && t * 300 <= 100 * (s + f) + 1e-6' \
    -v t="$(val "$j" inference.chat.tokens_per_second)" -v s="$served" -v f="$inflight"
check "llm: first token after the whole answer" 't <= e' \
    -v t="$(val "$j" inference.chat.ttft_p50)" -v e="$(val "$j" inference.chat.latency_p50)"

# ---- validate --------------------------------------------------------------------------------
expect_status 0 "$AIFSIM" validate "$rec" "$llm"
expect_grep "inference recsys: 2 k/s on 8 replicas of 1 GPUs of serve, 20 reads of 4.096 kB from hot, batches of up to 32, p99 objective 50 ms" \
    "$tmp/out"
expect_grep "inference chat: 1/s on 8 replicas of 1 GPUs of chat, llama3-8b (bf16 weights, bf16 KV), 500 prompt and 100 output tokens a turn, 3 turns a conversation on average, 20 s apart, KV cache in 1 GB host memory at 50 GB/s per replica, then 1 TB of hot, TTFT objective 500 ms, TPOT objective 50 ms" \
    "$tmp/out"
finish
