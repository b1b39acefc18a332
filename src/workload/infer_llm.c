/*
 * infer_llm: LLM serving in the serving kind (af_llm_serve_config): conversations, KV-cache
 * tiers and continuous batching, on the replicas of a pool. The model's costs are the roofline
 * of model/llm.h; this file is the queueing and the storage traffic around them.
 *
 * Conversations. The arrival process gives new conversations. A conversation has a geometric
 * number of turns (mean `turns`); after a turn's answer the next turn comes an exponential think
 * time later (mean think_s). Each turn brings prompt_tokens new tokens and asks for output_tokens
 * (fixed or exponential, whole tokens, at least one); the conversation's history (every earlier
 * prompt and answer) is its context. All turns of a conversation go to the replica that served
 * its first turn (the one with the fewest turns outstanding then), as prefix-aware routers do.
 *
 * KV-cache tiers. A turn needs the KV cache of its history. Between turns it leaves HBM for the
 * tiers below (host memory, local NVMe, a shared storage tier), which form one LRU stack by
 * bytes (model/llm.h, "KV tiers"; workload/kvstack.h): every finished turn pushes its
 * conversation's KV, ctx x kv_B bytes, onto the top, leaving its older copy; a conversation's
 * depth is the bytes above its entry, each other conversation counted once at its latest size
 * (an exact LRU reuse distance by bytes), and its KV is in the first tier whose cumulative
 * capacity (per-replica tiers count once per replica) covers that depth, or in none: a push that
 * takes an entry past the capacity of all tiers evicts it for good. Che's approximation
 * (model/llm.h), with the rate of bytes pushed, is a lower bound on these hits: it counts a
 * conversation that pushed twice in between twice, at both sizes. The turn then reloads it at the
 * tier's bandwidth or recomputes it with its prefill, whichever is faster (af_llm_kv_restore_s,
 * with a storage tier's rate taken as its path's rate alone). Host and local reloads take bytes /
 * bandwidth; a storage-tier reload is a flow on the tier's devices and network, sharing them with
 * checkpoints and training reads, and every finished turn writes its new KV (prompt and answer)
 * to the storage tier as a flow too (write-through, as LMCache and Dynamo's KV manager do with
 * their lowest tier). The KV capacity given on a storage tier is taken from its usable bytes.
 *
 * Continuous batching (Orca, OSDI'22; vLLM). A replica runs iterations back to back while it has
 * work. An iteration admits waiting turns in arrival order while the batch has room (max_batch,
 * and the KV cache: a turn reserves its whole final length, context + prompt + output, so that no
 * running sequence is ever preempted), prefills them, and runs one decode step for the sequences
 * already running: its time is the admitted prefills' roofline times plus the decode step's.
 * A prefilled turn has its first token at the end of the iteration; each later iteration gives
 * each running sequence one more token.
 *
 * Latencies: TTFT = arrival to first token (KV reload, waiting for a batch slot and the prefill
 * included), TPOT = (E2E - TTFT) / (output - 1) (vLLM's benchmark definitions). The parts of a
 * turn's E2E latency: KV reload (as "reads"), waiting for a batch slot (as "GPU queueing") and
 * service (its prefill and decode iterations).
 */
#include "base/alloc.h"
#include "base/metrics.h"
#include "workload/infer_int.h"
#include "workload/kvstack.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

/* A conversation. */
typedef struct conv {
    double ctx;          /* tokens of history */
    uint32_t replica;    /* the replica serving it */
    double first_prompt; /* its first prompt\'s tokens from a trace, or 0 (drawn) */
    uint32_t turns_left;
    uint32_t next; /* free list */
} conv;

/* A replica's continuous batch. */
typedef struct llm_rep {
    uint32_t *active; /* requests in the batch: running ones first, then the nnew admitted
                       * this iteration */
    uint32_t nactive, nnew;
    double ctx_tokens; /* sum over the running ones of their context so far, tokens */
    double kv_tokens;  /* KV reserved by the batch: each one's final length, tokens */
    uint32_t wait_head, wait_tail, nwait; /* waiting turns, FIFO through req.next */
    uint32_t outstanding;                 /* turns of its conversations admitted and not done */
    bool running;
    af_timer timer;
    af_time_ns iter_start, iter_end;
    double busy_s; /* iterations completed, s */
} llm_rep;

struct llm_svc {
    af_llm_replica rep;   /* the model on one replica */
    double kv_B;          /* KV bytes per token */
    double kv_cap_tokens; /* KV cache of one replica, tokens */
    uint32_t max_batch;
    llm_rep *reps;
    conv *convs;
    uint32_t cap_convs, free_conv, live_convs;
    double kv_counter; /* bytes pushed onto the KV stack so far */
    af_kvstack *stack; /* the KV tiers' LRU stack by bytes, or NULL without tiers */
    size_t nkv;
    double
        cum_cap[AF_KV_MAX_TIERS]; /* cumulative capacities, bytes, per-replica tiers x replicas */
    double reload_Bps[AF_KV_MAX_TIERS]; /* per-replica bandwidth (host, local); alone rate (tier) */
    size_t store;                       /* index of the storage tier among kv tiers, or SIZE_MAX */
    af_tier_state *store_tier;
    af_path read_path, write_path;
    double read_scale, write_scale;
    /* counts */
    uint64_t turns, followups, hits[AF_KV_MAX_TIERS], recomputed, missed;
    double saved_s; /* prefill time the reloads saved, replica-seconds */
    double reload_B[AF_KV_MAX_TIERS], write_B;
    double store_cap_B; /* KV capacity the storage tier gave, bytes */
    double tokens_out;
    lat_hist ttft, tpot;
};

static inline struct llm_svc *L(const svc *s)
{
    return s->llm;
}

/* Whole tokens drawn with mean m (fixed: m rounded; exponential: rounded up), at least 1. */
static uint32_t draw_tokens(svc *s, double m, af_service_dist d)
{
    double x = d == AF_SERVICE_EXPONENTIAL ? ceil(gsl_ran_exponential(s->rng_serve, m)) : round(m);
    return x < 1 ? 1 : x > 1e7 ? 10000000u : (uint32_t)x;
}

/* ---- conversations -------------------------------------------------------------------------- */

static uint32_t conv_alloc(svc *s)
{
    struct llm_svc *l = L(s);
    if (l->free_conv == NO_REQ) {
        uint32_t old = l->cap_convs, cap = old ? old * 2 : 256;
        l->convs = af_realloc_array(l->convs, cap, sizeof *l->convs);
        for (uint32_t i = old; i < cap; i++)
            l->convs[i].next = i + 1 < cap ? i + 1 : NO_REQ;
        l->free_conv = old;
        l->cap_convs = cap;
    }
    uint32_t i = l->free_conv;
    l->free_conv = l->convs[i].next;
    if (l->stack) /* a new conversation has no KV cache, whatever the index's last user left */
        af_kvstack_detach(l->stack, i);
    l->live_convs++;
    return i;
}

static void conv_release(svc *s, uint32_t i)
{
    struct llm_svc *l = L(s);
    l->convs[i].next = l->free_conv;
    l->free_conv = i;
    l->live_convs--;
}

/* ---- the batch ------------------------------------------------------------------------------ */

static void rep_iterate(svc *s, uint32_t ri);

/* Turn i's KV is in HBM (reloaded, or none needed): it waits for its replica's batch. */
static void turn_ready(svc *s, uint32_t i)
{
    struct llm_svc *l = L(s);
    req *r = &s->reqs[i];
    af_time_ns now = af_sim_now(s->world->sim);
    r->part[PART_READS] = af_time_to_s(now - r->arrive_ns);
    r->ready_ns = now;
    r->next = NO_REQ;
    llm_rep *p = &l->reps[l->convs[r->conv].replica];
    if (p->nwait)
        s->reqs[p->wait_tail].next = i;
    else
        p->wait_head = i;
    p->wait_tail = i;
    p->nwait++;
    if (!p->running)
        rep_iterate(s, l->convs[r->conv].replica);
}

static void kv_loaded(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)w;
    (void)bytes;
    (void)id;
    turn_ready(owner, (uint32_t)arg);
}

static const af_xfer_ops kv_read_ops = {.done = kv_loaded};
/* A KV write-through is fire-and-forget: the turn did not wait for it. */
static void kv_written(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)w;
    (void)owner;
    (void)arg;
    (void)bytes;
    (void)id;
}

static const af_xfer_ops kv_write_ops = {.done = kv_written};

static void kv_loaded_event(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    turn_ready(ctx, (uint32_t)arg);
}

/* Starts an iteration of replica ri now, or leaves it idle when it has nothing to do. */
static void rep_iterate(svc *s, uint32_t ri)
{
    struct llm_svc *l = L(s);
    llm_rep *p = &l->reps[ri];
    af_sim *sim = s->world->sim;
    af_time_ns now = af_sim_now(sim);
    uint32_t old = p->nactive;
    double t = 0;
    while (p->nwait > 0 && p->nactive < l->max_batch) {
        uint32_t h = p->wait_head;
        req *r = &s->reqs[h];
        double need = r->ctx + r->prompt + r->output;
        if (p->nactive > 0 && p->kv_tokens + need > l->kv_cap_tokens)
            break;
        p->wait_head = r->next;
        p->nwait--;
        p->active[p->nactive++] = h;
        p->kv_tokens += need;
        r->part[PART_GPU_QUEUE] = af_time_to_s(now - r->ready_ns);
        t += af_llm_prefill_cost(&l->rep, r->prefill, r->cached).time_s;
    }
    p->nnew = p->nactive - old;
    if (old > 0)
        t += af_llm_decode_cost(&l->rep, old, p->ctx_tokens).time_s;
    if (p->nactive == 0) {
        p->running = false;
        return;
    }
    af_time_ns end = af_time_add(now, af_time_from_s(t));
    if (end == now)
        end = now + 1; /* an iteration takes time: never loop within one instant */
    p->running = true;
    p->iter_start = now;
    p->iter_end = end;
    af_sim_timer_set(sim, p->timer, end);
}

/* Turn i is answered: its latency, its conversation's KV pushed onto the stack (and written to
 * the storage tier), the next turn scheduled. */
static void turn_done(svc *s, uint32_t i);

static void next_turn(af_sim *sim, void *ctx, uint64_t arg);

static void rep_iteration_end(af_sim *sim, void *ctx, uint64_t arg)
{
    svc *s = ctx;
    struct llm_svc *l = L(s);
    uint32_t ri = (uint32_t)arg;
    llm_rep *p = &l->reps[ri];
    af_time_ns now = af_sim_now(sim);
    p->busy_s += af_time_to_s(now - p->iter_start);
    uint32_t old = p->nactive - p->nnew;
    uint32_t keep = 0;
    for (uint32_t k = 0; k < p->nactive; k++) {
        uint32_t i = p->active[k];
        req *r = &s->reqs[i];
        l->tokens_out++;
        if (k < old) {
            r->left--;
            p->ctx_tokens += 1;
        } else {
            r->first_ns = now;
            r->left = r->output - 1;
            p->ctx_tokens += r->ctx + r->prompt + 1;
        }
        if (r->left == 0) {
            p->ctx_tokens -= r->ctx + r->prompt + r->output;
            p->kv_tokens -= r->ctx + r->prompt + r->output;
            p->outstanding--;
            turn_done(s, i);
        } else {
            p->active[keep++] = i;
        }
    }
    p->nactive = keep;
    p->nnew = 0;
    if (p->nactive == 0) {
        p->ctx_tokens = 0; /* no drift from the additions and subtractions */
        p->kv_tokens = 0;
    }
    rep_iterate(s, ri);
}

static void turn_done(svc *s, uint32_t i)
{
    struct llm_svc *l = L(s);
    af_world *w = s->world;
    req *r = &s->reqs[i];
    af_time_ns now = af_sim_now(w->sim);
    double e2e = af_time_to_s(now - r->arrive_ns);
    double ttft = af_time_to_s(r->first_ns - r->arrive_ns);
    double tpot = af_llm_tpot_s(e2e, ttft, r->output);
    r->part[PART_SERVICE] = e2e - r->part[PART_READS] - r->part[PART_GPU_QUEUE];
    if (r->part[PART_SERVICE] < 0)
        r->part[PART_SERVICE] = 0;
    double none[PART__COUNT] = {0};
    infer_hist_add(&l->ttft, ttft, none);
    if (r->output > 1)
        infer_hist_add(&l->tpot, tpot, none);
    const af_llm_serve_config *c = &s->cfg->llm;
    bool ok = (c->ttft_slo_s <= 0 || ttft <= c->ttft_slo_s) &&
              (c->tpot_slo_s <= 0 || r->output <= 1 || tpot <= c->tpot_slo_s);
    if (ok && (c->ttft_slo_s > 0 || c->tpot_slo_s > 0))
        s->slo_met++;
    /* the conversation's KV goes onto the stack; the new part is written to the storage tier */
    uint32_t ci = r->conv;
    conv *cv = &l->convs[ci];
    double added = (double)r->prompt + r->output;
    cv->ctx += added;
    l->kv_counter += cv->ctx * l->kv_B;
    if (l->stack)
        af_kvstack_push(l->stack, ci, cv->ctx * l->kv_B);
    if (l->store_tier) {
        double bytes = added * l->kv_B;
        af_devuse dev = {(uint32_t)(l->store_tier - w->tiers), true, l->write_scale};
        af_xfer_start(w, &l->write_path, bytes, 1, 0, 1, &dev, 1, &kv_write_ops, s, 0);
        l->write_B += bytes;
    }
    infer_served(s, i);
    if (--cv->turns_left == 0) {
        conv_release(s, ci);
        return;
    }
    double think = gsl_ran_exponential(s->rng_serve, c->think_s > 0 ? c->think_s : 1e-9);
    af_time_ns at = af_time_add(now, af_time_from_s(think));
    if (at >= w->end_ns) {
        conv_release(s, ci); /* its next turn would come after the run */
        return;
    }
    af_sim_at(w->sim, at, next_turn, s, ci);
}

/* A turn of conversation ci arrives now. */
static void turn_start(svc *s, uint32_t ci)
{
    struct llm_svc *l = L(s);
    af_world *w = s->world;
    const af_llm_serve_config *c = &s->cfg->llm;
    conv *cv = &l->convs[ci];
    s->arrived++;
    l->turns++;
    if (s->in_system >= s->limit) {
        s->rejected++;
        conv_release(s, ci); /* a refused user does not come back */
        return;
    }
    uint32_t i = infer_req_alloc(s);
    req *r = &s->reqs[i];
    memset(r->part, 0, sizeof r->part);
    r->arrive_ns = af_sim_now(w->sim);
    r->writes = s->tier_writing;
    r->conv = ci;
    r->prompt = cv->ctx <= 0 && cv->first_prompt > 0
                    ? (uint32_t)cv->first_prompt
                    : draw_tokens(s, c->prompt_tokens, c->prompt_dist);
    r->output = draw_tokens(s, c->output_tokens, c->output_dist);
    r->ctx = cv->ctx;
    r->cached = 0;
    r->prefill = r->ctx + r->prompt;
    l->reps[cv->replica].outstanding++;
    if (cv->ctx <= 0) {
        turn_ready(s, i);
        return;
    }
    /* a later turn: where is its history's KV? */
    l->followups++;
    double dist = l->stack ? af_kvstack_depth(l->stack, ci) : INFINITY;
    size_t k = 0;
    while (k < l->nkv && l->cum_cap[k] < dist)
        k++;
    if (k == l->nkv) {
        l->missed++;
        turn_ready(s, i);
        return;
    }
    bool reload = false;
    double restore_s = af_llm_kv_restore_s(&l->rep, r->ctx, l->reload_Bps[k], &reload);
    (void)restore_s;
    if (!reload) {
        l->recomputed++;
        turn_ready(s, i);
        return;
    }
    double bytes = r->ctx * l->kv_B;
    l->hits[k]++;
    l->reload_B[k] += bytes;
    l->saved_s += af_llm_kv_recompute_s(&l->rep, r->ctx);
    r->cached = r->ctx;
    r->prefill = r->prompt;
    if (k == l->store) {
        af_devuse dev = {(uint32_t)(l->store_tier - w->tiers), false, l->read_scale};
        af_xfer_start(w, &l->read_path, bytes, 1, 0, 1, &dev, 1, &kv_read_ops, s, i);
        return;
    }
    af_time_ns delay = af_time_from_s(bytes / l->reload_Bps[k]);
    af_sim_after(w->sim, delay, kv_loaded_event, s, i);
}

static void next_turn(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    turn_start(ctx, (uint32_t)arg);
}

void infer_llm_arrive(svc *s, double size)
{
    struct llm_svc *l = L(s);
    const af_llm_serve_config *c = &s->cfg->llm;
    uint32_t ci = conv_alloc(s);
    conv *cv = &l->convs[ci];
    cv->ctx = 0;
    /* geometric number of turns with mean `turns` (at least one) */
    double p = c->turns > 1 ? 1 / c->turns : 1;
    cv->turns_left = p >= 1 ? 1 : gsl_ran_geometric(s->rng_serve, p);
    uint32_t best = 0;
    for (uint32_t k = 1; k < s->replicas; k++)
        if (l->reps[k].outstanding < l->reps[best].outstanding)
            best = k;
    cv->replica = best;
    cv->first_prompt = size > 0 ? (size > 1e7 ? 1e7 : ceil(size)) : 0;
    turn_start(s, ci);
}

/* ---- build, accounting, report -------------------------------------------------------------- */

int infer_llm_build(af_world *w, svc *s, af_diag *d)
{
    const af_infer_config *c = s->cfg;
    const af_llm_serve_config *lc = &c->llm;
    const af_pool_config *pc = &w->cfg->pools[c->pool];
    struct llm_svc *l = af_calloc(1, sizeof *l);
    s->llm = l;
    l->rep = (af_llm_replica){.llm = &lc->model,
                              .gpu = &pc->node.gpu,
                              .gpus = (int)c->gpus_per_replica,
                              .weights = lc->weights,
                              .kv = lc->kv,
                              .mfu = lc->mfu,
                              .mbu = lc->mbu,
                              .mem_fraction = lc->mem_fraction};
    l->kv_B = af_llm_kv_token_B(&lc->model, lc->kv);
    l->kv_cap_tokens = af_llm_kv_capacity_tokens(&l->rep);
    double first = lc->prompt_tokens + lc->output_tokens;
    if (!(l->kv_cap_tokens >= first)) {
        af_diag_error(d,
                      "inference \"%s\": a replica of %lld %s GPUs holds %.0f tokens of KV cache "
                      "after the weights of %s, less than one turn of %.0f tokens (give "
                      "gpus_per_replica more GPUs, or a smaller model or precision)",
                      c->name, (long long)c->gpus_per_replica, pc->node.gpu.name,
                      l->kv_cap_tokens > 0 ? l->kv_cap_tokens : 0, lc->model.name, first);
        return AF_EINPUT;
    }
    int64_t fit = af_llm_max_batch(&l->rep, first);
    l->max_batch = lc->max_batch > 0 ? lc->max_batch : (uint32_t)(fit > 65536 ? 65536 : fit);
    if (l->max_batch < 1)
        l->max_batch = 1;
    if ((double)s->replicas * l->max_batch > 64e6) {
        af_diag_error(d,
                      "inference \"%s\": %u replicas with batches of up to %u turns are more than "
                      "this version keeps in service at once (64 million); set llm.max_batch",
                      c->name, s->replicas, l->max_batch);
        return AF_EINPUT;
    }
    l->reps = af_calloc(s->replicas, sizeof *l->reps);
    for (uint32_t k = 0; k < s->replicas; k++) {
        l->reps[k].active = af_calloc(l->max_batch, sizeof *l->reps[k].active);
        l->reps[k].timer = af_sim_timer_new(w->sim, rep_iteration_end, s, k);
    }
    l->free_conv = NO_REQ;
    l->store = SIZE_MAX;
    l->nkv = lc->nkv;
    double cum = 0;
    for (size_t k = 0; k < lc->nkv; k++) {
        const af_kv_tier_config *kt = &lc->kv_tiers[k];
        if (kt->where == AF_KV_TIER) {
            af_tier_state *ts = &w->tiers[kt->tier];
            const af_storage_spec *sp = &ts->cfg->system;
            double op = 1048576;
            l->store = k;
            l->store_tier = ts;
            size_t tep = af_ep_tier(w, kt->tier);
            l->read_scale = af_dev_scale(sp, false, op, 1);
            l->write_scale = af_dev_scale(sp, true, op, 1);
            af_path_push(&l->read_path, ts->dev, l->read_scale);
            af_path_net(w, &l->read_path, tep, af_ep_pool(c->pool));
            af_path_net(w, &l->write_path, af_ep_pool(c->pool), tep);
            af_path_push(&l->write_path, ts->dev, l->write_scale);
            l->reload_Bps[k] = af_qos_alone_Bps(w, &l->read_path);
            cum += kt->capacity_B; /* taken from the tier at the start (infer_llm_start) */
        } else {
            l->reload_Bps[k] = kt->bandwidth_Bps;
            cum += kt->capacity_B * s->replicas;
        }
        l->cum_cap[k] = cum;
    }
    infer_hist_init(&l->ttft);
    infer_hist_init(&l->tpot);
    return AF_OK;
}

void infer_llm_start(svc *s)
{
    struct llm_svc *l = L(s);
    if (l->store_tier) {
        /* The KV capacity on the storage tier is space the data sets leave: what does not fit
         * is not there (the tiers below shrink with it), and is not a refused write either. */
        const af_kv_tier_config *kt = &s->cfg->llm.kv_tiers[l->store];
        af_tier_state *ts = l->store_tier;
        double room = ts->usable_B - ts->used_B;
        double got = kt->capacity_B < room ? kt->capacity_B : room > 0 ? room : 0;
        af_tier_take(ts, got);
        l->store_cap_B = got;
        double short_B = kt->capacity_B - got;
        for (size_t k = l->store; k < l->nkv; k++)
            l->cum_cap[k] -= short_B;
    }
    /* the tiers' LRU stack: past the capacity of all of them, a KV cache is gone */
    if (l->nkv > 0)
        l->stack = af_kvstack_new(l->cum_cap[l->nkv - 1]);
}

/* Per turn at most: its arrival (or next-turn event) and a KV reload's end; and the
 * iterations, each of which gives every sequence of its batch a token (so at most one per output
 * token) and takes at least a decode step of one short sequence on its replica. Conversations
 * come at the arrival rate and bring `turns` turns each (bounded at twice the mean with a margin:
 * the geometric count's tail over many conversations). */
double infer_llm_events(const af_world *w, const svc *s)
{
    const af_infer_config *c = s->cfg;
    const struct llm_svc *l = L(s);
    double T = w->cfg->duration_s;
    double n = af_arrivals_expected(&c->arrivals, 0, T);
    n = n + 6 * sqrt(n) + 1;
    double turns = n * (c->llm.turns > 1 ? c->llm.turns : 1) * 2 + 100;
    /* output tokens: exactly turns x m when fixed; exponential sums stay below their mean plus
     * six standard deviations, and one turn below 40 m (probability e^-40) */
    double m = c->llm.output_tokens + 1;
    double tokens = c->llm.output_dist == AF_SERVICE_FIXED
                        ? turns * m
                        : turns * m + 6 * m * sqrt(turns) + 40 * m;
    double step = af_llm_decode_cost(&l->rep, 1, 1).time_s;
    double iters = step > 0 ? fmin(tokens, s->replicas * (T / step + 1)) : tokens;
    return 2 * turns + iters;
}

double infer_llm_busy_s(const svc *s, af_time_ns now)
{
    const struct llm_svc *l = L(s);
    double busy = 0;
    for (uint32_t k = 0; k < s->replicas; k++) {
        busy += l->reps[k].busy_s;
        if (l->reps[k].running && now > l->reps[k].iter_start)
            busy += af_time_to_s((now < l->reps[k].iter_end ? now : l->reps[k].iter_end) -
                                 l->reps[k].iter_start);
    }
    return busy;
}

void infer_llm_finish(svc *s, af_time_ns end_ns)
{
    (void)s;
    (void)end_ns;
}

void infer_llm_report(const svc *s, af_results *r)
{
    const struct llm_svc *l = L(s);
    const af_infer_config *c = s->cfg;
    const char *nm = c->name;
    double T = s->world->cfg->duration_s;
    static const struct {
        double p;
        af_metric_id ttft, tpot;
    } q[] = {{0.5, AF_M_INFER_TTFT_P50, AF_M_INFER_TPOT_P50},
             {0.99, AF_M_INFER_TTFT_P99, AF_M_INFER_TPOT_P99}};
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        double v = infer_hist_quantile(&l->ttft, q[k].p, NULL);
        if (!isnan(v))
            af_results_put(r, q[k].ttft, nm, v);
        v = infer_hist_quantile(&l->tpot, q[k].p, NULL);
        if (!isnan(v))
            af_results_put(r, q[k].tpot, nm, v);
    }
    af_results_put(r, AF_M_INFER_TOKENS, nm, l->tokens_out / T);
    af_results_put(r, AF_M_INFER_TOKENS_PER_GPU, nm,
                   l->tokens_out / T / ((double)s->replicas * (double)c->gpus_per_replica));
    af_results_put(r, AF_M_INFER_MAX_BATCH, nm, (double)l->max_batch);
    if (c->llm.ttft_slo_s > 0)
        af_results_put(r, AF_M_INFER_TTFT_SLO, nm, c->llm.ttft_slo_s);
    if (c->llm.tpot_slo_s > 0)
        af_results_put(r, AF_M_INFER_TPOT_SLO, nm, c->llm.tpot_slo_s);
    if ((c->llm.ttft_slo_s > 0 || c->llm.tpot_slo_s > 0) && s->served)
        af_results_put(r, AF_M_INFER_SLO_MET, nm, (double)s->slo_met / (double)s->served);
    if (l->followups) {
        double f = (double)l->followups;
        double host = 0, local = 0, store = 0;
        for (size_t k = 0; k < l->nkv; k++) {
            double h = (double)l->hits[k] / f;
            switch (c->llm.kv_tiers[k].where) {
            case AF_KV_HOST:
                host += h;
                break;
            case AF_KV_LOCAL:
                local += h;
                break;
            case AF_KV_TIER:
                store += h;
                break;
            }
        }
        af_results_put(r, AF_M_INFER_KV_HIT_HOST, nm, host);
        af_results_put(r, AF_M_INFER_KV_HIT_LOCAL, nm, local);
        af_results_put(r, AF_M_INFER_KV_HIT_STORAGE, nm, store);
        af_results_put(r, AF_M_INFER_KV_RECOMPUTED, nm, (double)(l->recomputed + l->missed) / f);
    }
    af_results_put(r, AF_M_INFER_KV_PUSH_RATE, nm, l->kv_counter / T);
    af_results_put(r, AF_M_INFER_PREFILL_SAVED, nm, l->saved_s * (double)c->gpus_per_replica);
    if (l->store_tier) {
        af_results_put(r, AF_M_INFER_KV_READ_BYTES, nm, l->reload_B[l->store]);
        af_results_put(r, AF_M_INFER_KV_WRITE_BYTES, nm, l->write_B);
        af_results_put(r, AF_M_INFER_KV_STORAGE_CAP, nm, l->store_cap_B);
    }
}

void infer_llm_free(svc *s)
{
    struct llm_svc *l = L(s);
    if (!l)
        return;
    if (l->reps)
        for (uint32_t k = 0; k < s->replicas; k++)
            af_free(l->reps[k].active);
    af_free(l->reps);
    af_free(l->convs);
    af_kvstack_free(l->stack);
    infer_hist_free(&l->ttft);
    infer_hist_free(&l->tpot);
    af_free(l);
    s->llm = NULL;
}
