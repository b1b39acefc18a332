/*
 * readbank: FCFS devices whose read completions are computed, not simulated; see readbank.h.
 *
 * Work clock. All devices share the speed s(t), so one clock serves them all: W(t) = integral of
 * s dt, kept as a double of device-ns (w_ns at t_last, the time of the last speed change or the
 * last call that brought it up to date; W(now) = w_ns + s * (now - t_last)). Device k keeps F_k,
 * the W at which it is next free. A read of demand d (device-ns) submitted at W starts when W
 * reaches max(W, F_k), finishes at F = max(W, F_k) + d, and F_k becomes F: Lindley's recursion for
 * the waits of a FCFS queue, written in work units so that a speed change moves nothing. d is the
 * request's (af_readbank_submit_demand) or the bank's: the recursion holds for any mix of
 * demands, so a device shared by reads of several sizes is an M/G/1 queue of their mixture.
 *
 * Reads behind writes (af_read_blocking). A read finds its die programming with probability p[0]
 * or erasing with probability p[1] (exclusive: a die does one thing at a time, p = p[0] + p[1]
 * <= 1) and then waits min(U * busy_s, cap_s) of real time, U uniform on [0, 1). Whether a read
 * waits is a Bernoulli(p) trial independent of the others, so instead of a uniform per read the
 * bank draws how many reads pass before the next one that waits, geometric: K = floor(ln V /
 * ln(1 - p)), V uniform on (0, 1], P(K = k) = (1 - p)^k p (inversion; Devroye, Non-Uniform Random
 * Variate Generation, 1986, ch. X), and counts it down; the same law, at about p draws per read
 * instead of one (at p = 1, K = 0 without a draw). A read that waits draws one uniform u that
 * decides both the class and the residual: u < q = p[0] / p is "programming" with U = u / q,
 * otherwise "erasing" with U = (u - q) / (1 - q) (given the class, u is uniform on its interval).
 * Nothing is drawn when p == 0, so reads that never wait cost nothing; a new
 * af_readbank_set_blocking draws a new count. The wait delays that read only: it is added, as work
 * at the submission speed, to the read's own finish in the request's key, not to F_k. The die is
 * busy, but a device has many dies and the reads queued behind this one go to other dies; F_k
 * models the device's controller and channel time, which the wait does not occupy. (A read to the
 * same busy die would wait too; the model leaves that correlation out, which is right while p is
 * small.) These draws come from rng_wait, a stream apart from the devices' (when the owner gives
 * one), so that the writes' share of device time, which sets p, does not move the devices later
 * reads land on.
 *
 * Requests. The key of a request is max over its reads of (F_i + blocked_i), plus extra_s, the
 * real-time parts converted to work at the submission speed: s_conv = the speed in force, or, at
 * speed 0, the last positive speed (the speed the device will most likely resume at; 1 before any
 * change). Pending requests sit in a binary min-heap ordered by (key, submission sequence), and
 * one engine timer (af_sim_timer) is armed at the first ns at or after the time W reaches the
 * smallest key at the current speed, now + ceil((key - W - slack) / s), as engine/queue.c places
 * its completions (at most 1 ns late; the slack absorbs floating-point residue). The handler pops
 * every request whose key is within the slack of W, in key order, and calls its callback. A
 * submission re-arms the timer only when the new request is the heap's top; a speed change brings
 * W to now and re-arms it (disarms it at speed 0).
 *
 * Re-entrancy: a callback may submit and set the speed. While the handler runs, re-arming is
 * deferred to its end, and it pops only requests submitted before it started (a request that is
 * due at once, demand 0, completes in a later event at the same time, as in engine/queue.c).
 *
 * What the owner is told. queue_s is the slowest read's (max(W, F_k) - W) / s_conv, its wait for
 * the reads ahead of it on its device in the speed at submission; blocked_s is that read's wait
 * behind a write, in real time (0 when it did not wait). The slowest read is the first, in
 * submission order, of those with the largest F_i + blocked_i. queue_s is an estimate when the
 * speed changes while the request is pending (blocked_s is the wait drawn, which such a change
 * stretches or shrinks); end_ns - submit_ns is always the simulated latency.
 *
 * Precision. W grows by up to 1e9 device-ns per second; when it passes 2^40 device-ns (18 min)
 * every F_k and key is shifted down by W (an O(devices + pending) pass, rare; subtracting one
 * constant keeps correctly rounded doubles in order), so differences keep an absolute precision
 * of about 2^-12 ns however long the run.
 *
 * Device choice. Uniform over the devices. A request draws one 64-bit seed from the bank's rng
 * (two gsl_rng_get calls) and its reads take their devices from a SplitMix64 sequence started
 * there (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014):
 * each read adds the golden-ratio increment and mixes, and the top 32 bits pick the device by
 * multiply-shift, (x * D) >> 32 (Lemire 2019, "Fast random integer generation in an interval",
 * without the rejection step: the bias is below D / 2^32, 1.5e-8 for 64 devices). Twenty reads
 * then cost two draws of the Mersenne Twister instead of twenty, which was a third of the time of
 * a 10,000 request/s service (bench/readbench). One
 * device draws nothing. Memory: request records and heap entries are pools doubled at a new
 * high-water mark of pending requests.
 */
#include "workload/readbank.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/alloc.h"

/* End of the free list. */
#define RB_NONE UINT32_MAX

/* Pool size at creation. */
#define RB_INITIAL_CAP 64u

/* Largest pool: indices must differ from RB_NONE. */
#define RB_MAX_CAP (UINT32_MAX - 1u)

/* Floating-point slack (device-ns) below which a remaining amount of work counts as none. */
#define RB_SLACK_NS 1e-3

/* Speeds below this count as 0 (readbank.h). */
#define RB_MIN_SPEED 1e-12

/* W (device-ns) beyond which every work coordinate is shifted down: 2^40. */
#define RB_REBASE_NS 1099511627776.0

/* A pending request. */
typedef struct rb_req {
    af_time_ns submit_ns;   /* submission time */
    double queue_s;         /* queue_s to report (see the opening comment), s */
    double blocked_s;       /* blocked_s to report, s */
    af_readbank_done_fn fn; /* callback, may be NULL */
    void *ctx;              /* its context */
    uint64_t arg;           /* its argument */
    uint32_t next;          /* next free record, RB_NONE at the end (free records only) */
} rb_req;

/* An entry of the pending heap. */
typedef struct rb_entry {
    double key;   /* W at which the request is done, device-ns */
    uint64_t seq; /* submission sequence number: the tie-breaker */
    uint32_t req; /* pool index of the request */
} rb_entry;

struct af_readbank {
    af_sim *sim;       /* borrowed */
    gsl_rng *rng;      /* devices: borrowed */
    gsl_rng *rng_wait; /* waits behind writes: borrowed (rng when the owner gave none) */
    uint32_t devices;  /* D >= 1 */
    double demand_s;   /* device-seconds per read at full speed (af_readbank_submit) */
    double extra_s;    /* latency added once per request, s (af_readbank_submit) */

    af_read_blocking blk; /* how reads wait behind writes */
    bool blk_any;         /* blk_p > 0 */
    double blk_p;         /* p = blk.p[0] + blk.p[1], the probability that a read waits */
    double blk_q;         /* blk.p[0] / p: the probability that a read that waits waits for a
                           * program */
    double blk_ln;        /* ln(1 - p), the geometric draw's divisor (-inf at p = 1) */
    uint64_t blk_skip;    /* reads still to pass before the next that waits */

    double speed;      /* s in [0, 1]; 0 below RB_MIN_SPEED */
    double conv_speed; /* speed converting real time to work: s, or the last positive s */
    double w_ns;       /* W at t_last, device-ns */
    af_time_ns t_last; /* time to which w_ns has been brought */
    double *free_ns;   /* F_k per device, device-ns on the W clock */

    rb_req *pool;       /* request records */
    size_t pool_cap;    /* records allocated */
    uint32_t free_head; /* first free record, RB_NONE if none */
    rb_entry *heap;     /* pending requests, a binary min-heap of capacity pool_cap */
    uint32_t n_heap;    /* pending requests */
    uint64_t seq;       /* next submission sequence number */

    af_timer timer; /* armed at the next completion, if any */
    bool firing;    /* the timer's handler is running: re-arm at its end */

    af_time_ns stall_since_ns; /* when the speed last fell to 0 (valid while speed == 0) */
    af_time_ns unserved_ns;    /* closed stretches at speed 0, ns */
    uint64_t requests;         /* requests submitted */
    uint64_t completed;        /* requests completed */
    uint64_t reads;            /* reads submitted */
    double demand_ns;          /* device-ns of the reads submitted, at full speed */
    uint64_t blocked_reads;    /* reads that waited behind a write */
};

/* ---- pending heap -------------------------------------------------------------------------- */

static inline bool rb_before(const rb_entry *x, const rb_entry *y)
{
    return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

/* Adds e; returns true when it became the top. */
static bool rb_heap_push(af_readbank *b, rb_entry e)
{
    uint32_t i = b->n_heap++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!rb_before(&e, &b->heap[parent]))
            break;
        b->heap[i] = b->heap[parent];
        i = parent;
    }
    b->heap[i] = e;
    return i == 0;
}

static void rb_heap_pop(af_readbank *b)
{
    assert(b->n_heap > 0);
    rb_entry e = b->heap[--b->n_heap];
    uint32_t n = b->n_heap, i = 0;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && rb_before(&b->heap[child + 1], &b->heap[child]))
            child++;
        if (!rb_before(&b->heap[child], &e))
            break;
        b->heap[i] = b->heap[child];
        i = child;
    }
    if (n > 0)
        b->heap[i] = e;
}

/* ---- the bank ------------------------------------------------------------------------------ */

/* Grows the pool (and the heap with it) to at least `need` records. */
static void rb_grow(af_readbank *b, size_t need)
{
    size_t old = b->pool_cap;
    assert(need <= RB_MAX_CAP && "too many pending requests in one read bank");
    b->pool = af_grow(b->pool, &b->pool_cap, need, sizeof b->pool[0]);
    if (b->pool_cap > RB_MAX_CAP)
        b->pool_cap = RB_MAX_CAP;
    b->heap = af_realloc_array(b->heap, b->pool_cap, sizeof b->heap[0]);
    for (size_t i = b->pool_cap; i-- > old;) {
        b->pool[i].next = b->free_head;
        b->free_head = (uint32_t)i;
    }
}

static void rb_fire(af_sim *sim, void *ctx, uint64_t arg);

af_readbank *af_readbank_new(af_sim *sim, gsl_rng *rng, gsl_rng *rng_wait, uint32_t devices,
                             double demand_s, double extra_s)
{
    assert(sim != NULL && rng != NULL);
    assert(devices >= 1);
    assert(isfinite(demand_s) && demand_s >= 0 && "read demand must be finite and >= 0");
    assert(isfinite(extra_s) && extra_s >= 0 && "extra latency must be finite and >= 0");
    af_readbank *b = af_calloc(1, sizeof *b);
    b->sim = sim;
    b->rng = rng;
    b->rng_wait = rng_wait ? rng_wait : rng;
    b->devices = devices;
    b->demand_s = demand_s;
    b->extra_s = extra_s;
    b->speed = b->conv_speed = 1.0;
    b->t_last = af_sim_now(sim);
    b->free_ns = af_calloc(devices, sizeof b->free_ns[0]);
    b->free_head = RB_NONE;
    rb_grow(b, RB_INITIAL_CAP);
    b->timer = af_sim_timer_new(sim, rb_fire, b, 0);
    return b;
}

void af_readbank_free(af_readbank *b)
{
    if (!b)
        return;
    af_sim_timer_free(b->sim, b->timer);
    af_free(b->heap);
    af_free(b->pool);
    af_free(b->free_ns);
    af_free(b);
}

/* Brings W up to now, and shifts every work coordinate down when W has grown large. */
static void rb_advance(af_readbank *b)
{
    af_time_ns now = af_sim_now(b->sim);
    assert(now >= b->t_last);
    if (now > b->t_last) {
        b->w_ns += b->speed * (double)(now - b->t_last);
        b->t_last = now;
    }
    if (b->w_ns > RB_REBASE_NS) {
        double w = b->w_ns;
        for (uint32_t k = 0; k < b->devices; k++)
            b->free_ns[k] = b->free_ns[k] > w ? b->free_ns[k] - w : 0;
        for (uint32_t i = 0; i < b->n_heap; i++)
            b->heap[i].key -= w;
        b->w_ns = 0;
    }
}

/* Arms the timer at the first ns at or after W reaches the top key at the current speed, or
 * disarms it (nothing pending; stalled with work left; or the time would lie at or beyond
 * AF_TIME_MAX). W must be current. Deferred while the handler runs. */
static void rb_arm(af_readbank *b)
{
    if (b->firing)
        return;
    if (b->n_heap == 0) {
        af_sim_timer_clear(b->sim, b->timer);
        return;
    }
    double rem = b->heap[0].key - b->w_ns;
    af_time_ns now = af_sim_now(b->sim);
    af_time_ns delay = 0;
    if (rem > RB_SLACK_NS) {
        /* x is +inf at speed 0 or when the quotient overflows; a whole x below
         * (double)(AF_TIME_MAX - now), which may round up, is still at most AF_TIME_MAX - now. */
        double x = b->speed > 0 ? ceil((rem - RB_SLACK_NS) / b->speed) : INFINITY;
        if (!(x < (double)(AF_TIME_MAX - now))) {
            af_sim_timer_clear(b->sim, b->timer);
            return;
        }
        delay = (af_time_ns)x;
    }
    af_time_ns t = now + delay, cur;
    if (af_sim_timer_armed(b->sim, b->timer, &cur) && cur == t)
        return;
    af_sim_timer_set(b->sim, b->timer, t);
}

/* Timer handler: completes every request submitted before it whose key W has reached. */
static void rb_fire(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_readbank *b = ctx;
    rb_advance(b);
    b->firing = true;
    uint64_t before = b->seq;
    af_time_ns now = af_sim_now(sim);
    /* W is re-read every time: a callback may change the speed (which brings W to now, so it
     * does not move) or submit (which may rebase W and every key by the same amount). */
    while (b->n_heap > 0 && b->heap[0].key - b->w_ns <= RB_SLACK_NS && b->heap[0].seq < before) {
        uint32_t r = b->heap[0].req;
        rb_heap_pop(b);
        rb_req *q = &b->pool[r];
        af_readbank_done done = {.submit_ns = q->submit_ns,
                                 .end_ns = now,
                                 .queue_s = q->queue_s,
                                 .blocked_s = q->blocked_s};
        af_readbank_done_fn fn = q->fn;
        void *fn_ctx = q->ctx;
        uint64_t fn_arg = q->arg;
        q->next = b->free_head;
        b->free_head = r;
        b->completed++;
        /* The record is already free: the callback may submit (and so grow the pool). */
        if (fn)
            fn(sim, fn_ctx, fn_arg, &done);
    }
    b->firing = false;
    rb_arm(b);
}

/* The seed of a request's device sequence: 64 bits from the bank's rng (whatever its range). */
static inline uint64_t rb_seed(af_readbank *b)
{
    uint64_t hi = gsl_rng_get(b->rng), lo = gsl_rng_get(b->rng);
    return hi << 32 ^ lo;
}

/* The next device of a request's sequence (SplitMix64, then multiply-shift). */
static inline uint32_t rb_device(const af_readbank *b, uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    return (uint32_t)(((z >> 32) * b->devices) >> 32);
}

/* Draws how many reads pass before the next that waits behind a write (geometric, see the
 * opening comment). blk_any must hold. */
static void rb_draw_skip(af_readbank *b)
{
    if (b->blk_p >= 1) {
        b->blk_skip = 0;
        return;
    }
    /* ln V / ln(1 - p) >= 0; beyond 2^62 (p below 1e-18) it is "never" for any run. */
    double k = floor(log(gsl_rng_uniform_pos(b->rng_wait)) / b->blk_ln);
    b->blk_skip = k < 0x1p62 ? (uint64_t)k : UINT64_C(1) << 62;
}

/* The real time, s, the next read waits behind a write (0 if it does not). blk_any must hold. */
static inline double rb_blocked_s(af_readbank *b)
{
    if (b->blk_skip > 0) {
        b->blk_skip--;
        return 0;
    }
    const af_read_blocking *k = &b->blk;
    double u = gsl_rng_uniform(b->rng_wait);
    double wait;
    int c;
    if (u < b->blk_q) {
        c = 0;
        wait = u / b->blk_q * k->busy_s[0];
    } else {
        c = 1;
        wait = (u - b->blk_q) / (1 - b->blk_q) * k->busy_s[1];
    }
    if (k->cap_s[c] > 0 && wait > k->cap_s[c])
        wait = k->cap_s[c];
    b->blocked_reads++;
    rb_draw_skip(b);
    return wait;
}

void af_readbank_submit(af_readbank *b, uint32_t reads, af_readbank_done_fn fn, void *ctx,
                        uint64_t arg)
{
    af_readbank_submit_demand(b, reads, b->demand_s, b->extra_s, fn, ctx, arg);
}

void af_readbank_submit_demand(af_readbank *b, uint32_t reads, double demand_s, double extra_s,
                               af_readbank_done_fn fn, void *ctx, uint64_t arg)
{
    assert(reads >= 1);
    assert(isfinite(demand_s) && demand_s >= 0 && "read demand must be finite and >= 0");
    assert(isfinite(extra_s) && extra_s >= 0 && "extra latency must be finite and >= 0");
    rb_advance(b);
    if (b->free_head == RB_NONE)
        rb_grow(b, b->pool_cap + 1);
    uint32_t r = b->free_head;
    rb_req *q = &b->pool[r];
    b->free_head = q->next;

    const double w = b->w_ns, d = demand_s * AF_NS_PER_S, conv = b->conv_speed * AF_NS_PER_S;
    double *free_ns = b->free_ns;
    double best = -INFINITY, best_start = w, best_blk_s = 0;
    uint64_t seq = b->devices > 1 ? rb_seed(b) : 0;
    if (!b->blk_any) {
        for (uint32_t i = 0; i < reads; i++) {
            uint32_t k = b->devices > 1 ? rb_device(b, &seq) : 0;
            double start = free_ns[k] > w ? free_ns[k] : w;
            free_ns[k] = start + d;
            if (start > best_start)
                best_start = start;
        }
        best = best_start + d;
    } else {
        for (uint32_t i = 0; i < reads; i++) {
            uint32_t k = b->devices > 1 ? rb_device(b, &seq) : 0;
            double start = free_ns[k] > w ? free_ns[k] : w;
            free_ns[k] = start + d;
            double blk_s = rb_blocked_s(b);
            double key = start + d + blk_s * conv;
            if (key > best) {
                best = key;
                best_start = start;
                best_blk_s = blk_s;
            }
        }
    }
    q->submit_ns = b->t_last;
    q->queue_s = (best_start - w) / conv;
    q->blocked_s = best_blk_s;
    q->fn = fn;
    q->ctx = ctx;
    q->arg = arg;
    b->requests++;
    b->reads += reads;
    b->demand_ns += reads * d;
    if (rb_heap_push(b, (rb_entry){.key = best + extra_s * conv, .seq = b->seq++, .req = r}))
        rb_arm(b);
}

void af_readbank_set_speed(af_readbank *b, double s)
{
    assert(isfinite(s) && s >= 0 && s <= 1 && "speed must lie in [0, 1]");
    if (s < RB_MIN_SPEED)
        s = 0;
    if (s == b->speed)
        return;
    rb_advance(b);
    af_time_ns now = b->t_last;
    if (b->speed == 0)
        b->unserved_ns += now - b->stall_since_ns;
    else if (s == 0)
        b->stall_since_ns = now;
    b->speed = s;
    if (s > 0)
        b->conv_speed = s;
    rb_arm(b);
}

void af_readbank_set_blocking(af_readbank *b, const af_read_blocking *blk)
{
    if (!blk) {
        b->blk = (af_read_blocking){{0, 0}, {0, 0}, {0, 0}};
        b->blk_p = 0;
        b->blk_any = false;
        return;
    }
    for (int c = 0; c < 2; c++) {
        assert(blk->p[c] >= 0 && blk->p[c] <= 1 && "blocking probability must lie in [0, 1]");
        assert(isfinite(blk->busy_s[c]) && blk->busy_s[c] >= 0 && "busy time must be >= 0");
        assert(isfinite(blk->cap_s[c]) && blk->cap_s[c] >= 0 && "suspend cap must be >= 0");
    }
    assert(blk->p[0] + blk->p[1] <= 1 + 1e-12 && "a die cannot program and erase at once");
    b->blk = *blk;
    b->blk_p = blk->p[0] + blk->p[1];
    b->blk_any = b->blk_p > 0;
    if (!b->blk_any)
        return;
    if (b->blk_p > 1)
        b->blk_p = 1;
    b->blk_q = blk->p[0] / b->blk_p;
    b->blk_ln = log1p(-b->blk_p);
    rb_draw_skip(b);
}

void af_readbank_get_stats(const af_readbank *b, af_readbank_stats *out)
{
    af_time_ns unserved = b->unserved_ns;
    if (b->speed == 0)
        unserved += af_sim_now(b->sim) - b->stall_since_ns;
    *out = (af_readbank_stats){
        .requests = b->requests,
        .completed = b->completed,
        .reads = b->reads,
        .demand_s = b->demand_ns / AF_NS_PER_S,
        .blocked_reads = (double)b->blocked_reads,
        .unserved_s = af_time_to_s(unserved),
        .pending = b->n_heap,
    };
}
