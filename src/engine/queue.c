/*
 * queue: FIFO multi-server queue at a variable speed; see queue.h for the interface.
 *
 * Virtual time. All servers run at the same speed s(t), so the device time a request in service
 * has received is V(now) - V(start), where V(t) = integral of s dt is the queue's virtual clock
 * (device-ns). A request that starts service at V0 with demand D (device-ns) finishes when V
 * reaches V0 + D, its virtual finish; that number never changes, whatever the speed does. The
 * requests in service sit in a binary min-heap of at most c entries ordered by (virtual finish,
 * service-start sequence), and the queue keeps one pending sim event: the completion of the heap's
 * top, at now + ceil((finish - V(now)) / s) ns. A speed change therefore costs one cancel and one
 * schedule, not c of each, and is exact: remaining work is finish - V(now), untouched by the
 * change, and only the wall-clock time to reach it is recomputed (the rescaling of queue.h).
 * V is advanced lazily (V += s * dt at each submit, completion, speed change or statistics
 * call). It is reset to 0 whenever no request is in service, and when it passes 2^40 device-ns
 * (18 min) every key in the heap is shifted down by V (an O(c) pass, rare; subtracting one
 * constant cannot reorder correctly rounded doubles), so finish - V keeps an absolute precision
 * of about 2^-12 ns (plus 1e-16 of the request's own demand) however long the run.
 *
 * Rounding. The completion event lies on the ns grid at or after the exact finish; a slack of
 * AF_QUEUE_SLACK_NS absorbs floating-point residue so that an exact finish (1.75 s, say) is not
 * pushed to the next ns. When the event fires the top request completes, even if a residue below
 * the slack is left. Lateness does not accumulate: each request's finish is set in V, not from
 * the previous completion time.
 *
 * Requests. Records live in a pool indexed by uint32; free records form a list threaded through
 * `next`, and so do waiting requests (FIFO, head and tail). The pool doubles when the free list
 * runs dry, so its size is the high-water mark of requests in system. Invariant: a request waits
 * only when all c servers are busy.
 *
 * Histograms (HDR style, Tene's HdrHistogram with 7 significant bits). A value v >= 0 in ns falls
 * in bucket v when v < 256; otherwise with e = floor(log2 v) and shift = e - 7 its bucket is
 * (shift + 1) * 128 + ((v >> shift) & 127), of width 2^shift and lower bound >= 128 * 2^shift.
 * Reporting a bucket by its midpoint lo + (width - 1) / 2 is therefore off by less than
 * width / 2 <= lo / 256 <= v / 256 for any v in it. 56 octaves cover every non-negative int64:
 * 7296 counters of 8 bytes per histogram, allocated with the queue.
 */
#include "engine/queue.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "base/alloc.h"

/* End of a list, and "no request". */
#define AF_QUEUE_NONE UINT32_MAX

/* Pool size used when af_queue_new is given 0. */
#define AF_QUEUE_DEFAULT_CAP 64u

/* Largest pool: indices must differ from AF_QUEUE_NONE. */
#define AF_QUEUE_MAX_CAP (UINT32_MAX - 1u)

/* Floating-point slack (device-ns) below which a remaining amount of work counts as none. */
#define AF_QUEUE_SLACK_NS 1e-3

/* Speeds below this count as 0 (see af_queue_set_speed in queue.h). */
#define AF_QUEUE_MIN_SPEED 1e-12

/* Virtual time (device-ns) beyond which the heap keys are shifted down: 2^40. */
#define AF_QUEUE_REBASE_NS 1099511627776.0

/* Histogram geometry: 2^7 sub-buckets per power of two, 56 powers of two above 2^7. */
#define AF_QHIST_SUB_BITS 7u
#define AF_QHIST_SUB (1u << AF_QHIST_SUB_BITS)
#define AF_QHIST_BUCKETS ((64u - AF_QHIST_SUB_BITS) * AF_QHIST_SUB)

/* A fixed-size log-bucketed histogram of non-negative ns values. */
typedef struct af_qhist {
    uint64_t count[AF_QHIST_BUCKETS]; /* values per bucket */
    uint64_t n;                       /* values recorded */
    int64_t min_ns;                   /* smallest value recorded (valid when n > 0) */
    int64_t max_ns;                   /* largest value recorded (valid when n > 0) */
} af_qhist;

/* A request record. */
typedef struct af_qreq {
    double demand_s;      /* service demand as submitted, device-seconds */
    af_time_ns arrive_ns; /* submission time */
    af_time_ns start_ns;  /* start of service (valid once in service) */
    af_time_ns held_ns;   /* time held outside the servers, counted in the sojourn only */
    af_queue_done_fn fn;  /* completion callback, may be NULL */
    void *ctx;            /* callback context */
    uint64_t arg;         /* callback argument */
    uint32_t next;        /* next free record or next waiting request; AF_QUEUE_NONE at the end */
} af_qreq;

/* An entry of the in-service heap. */
typedef struct af_qbusy {
    double finish; /* virtual finish time, device-ns on the V clock */
    uint64_t seq;  /* service-start sequence number: the tie-breaker */
    uint32_t req;  /* pool index of the request */
} af_qbusy;

struct af_queue {
    af_sim *sim;      /* borrowed */
    uint32_t servers; /* c >= 1 */
    double speed;     /* s in [0, 1] */

    af_qreq *pool;      /* request records */
    size_t pool_cap;    /* records allocated */
    uint32_t free_head; /* first free record, AF_QUEUE_NONE if none */
    uint32_t wait_head; /* oldest waiting request, AF_QUEUE_NONE if none */
    uint32_t wait_tail; /* newest waiting request */
    uint32_t n_wait;    /* requests waiting */

    af_qbusy *busy;  /* min-heap of requests in service, capacity `servers` */
    uint32_t n_busy; /* requests in service */
    uint64_t seq;    /* next service-start sequence number */

    double vnow;       /* virtual time V at t_last, device-ns */
    af_time_ns t_last; /* time to which V and the integrals have been advanced */
    af_event_id ev;    /* pending completion event, zero id if none */
    uint32_t ev_req;   /* request that event completes, AF_QUEUE_NONE if none */

    /* Statistics of the window, as in af_queue_stats but in ns; the sums and integrals are
     * integer-valued and so exact while below 2^53 ns (104 days of summed time). */
    af_time_ns since_ns;    /* start of the window */
    uint64_t arrived;       /* requests submitted */
    uint64_t started;       /* requests that entered service */
    uint64_t completed;     /* requests that completed */
    double wait_sum_ns;     /* sum of the waits of completed requests */
    double sojourn_sum_ns;  /* sum of their sojourn times */
    double area_system_ns;  /* integral of the number in system, request-ns */
    double area_queue_ns;   /* integral of the number waiting */
    double area_service_ns; /* integral of the number in service */
    double work_ns;         /* device-ns delivered: integral of speed * number in service */
    af_qhist hist[2];       /* latencies of completed requests, indexed by af_queue_latency */
};

/* ---- histogram ------------------------------------------------------------------------------ */

/* floor(log2 v) for v > 0. */
static inline unsigned qhist_log2(uint64_t v)
{
#if defined(__GNUC__)
    return 63u - (unsigned)__builtin_clzll(v);
#else
    unsigned e = 0;
    while (v >>= 1)
        e++;
    return e;
#endif
}

/* Bucket index of value v. */
static inline uint32_t qhist_bucket(uint64_t v)
{
    if (v < AF_QHIST_SUB)
        return (uint32_t)v;
    unsigned shift = qhist_log2(v) - AF_QHIST_SUB_BITS;
    return ((shift + 1u) << AF_QHIST_SUB_BITS) + (uint32_t)((v >> shift) & (AF_QHIST_SUB - 1u));
}

/* The midpoint of bucket b, the value a quantile in it is reported as. */
static double qhist_mid(uint32_t b)
{
    if (b < AF_QHIST_SUB)
        return (double)b;
    unsigned shift = (b >> AF_QHIST_SUB_BITS) - 1u;
    uint64_t lo = (uint64_t)(AF_QHIST_SUB + (b & (AF_QHIST_SUB - 1u))) << shift;
    uint64_t width = UINT64_C(1) << shift;
    return (double)lo + (double)(width - 1u) / 2.0;
}

static void qhist_add(af_qhist *h, int64_t v_ns)
{
    assert(v_ns >= 0);
    h->count[qhist_bucket((uint64_t)v_ns)]++;
    if (h->n == 0 || v_ns < h->min_ns)
        h->min_ns = v_ns;
    if (h->n == 0 || v_ns > h->max_ns)
        h->max_ns = v_ns;
    h->n++;
}

/* The p-quantile in ns as documented at af_queue_quantile_s; NaN when empty. */
static double qhist_quantile(const af_qhist *h, double p)
{
    if (h->n == 0)
        return NAN;
    if (p <= 0)
        return (double)h->min_ns;
    if (p >= 1)
        return (double)h->max_ns;
    /* k = ceil(p n), with the product shaved by a few ulps so that p = 0.99, n = 10^6 gives
     * 990000 and not 990001 when 0.99 * 10^6 rounds up. */
    double x = p * (double)h->n * (1.0 - 4.0 * DBL_EPSILON);
    uint64_t k = (uint64_t)ceil(x);
    if (k < 1)
        k = 1;
    if (k > h->n)
        k = h->n;
    uint64_t cum = 0;
    uint32_t b = 0;
    for (; b < AF_QHIST_BUCKETS; b++) {
        cum += h->count[b];
        if (cum >= k)
            break;
    }
    assert(b < AF_QHIST_BUCKETS);
    double v = qhist_mid(b);
    /* The extreme buckets may hold the extremes exactly. */
    if (v < (double)h->min_ns)
        v = (double)h->min_ns;
    if (v > (double)h->max_ns)
        v = (double)h->max_ns;
    return v;
}

/* ---- in-service heap ------------------------------------------------------------------------ */

static inline bool qbusy_before(const af_qbusy *x, const af_qbusy *y)
{
    return x->finish < y->finish || (x->finish == y->finish && x->seq < y->seq);
}

static void qbusy_push(af_queue *q, af_qbusy e)
{
    assert(q->n_busy < q->servers);
    uint32_t i = q->n_busy++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!qbusy_before(&e, &q->busy[parent]))
            break;
        q->busy[i] = q->busy[parent];
        i = parent;
    }
    q->busy[i] = e;
}

static void qbusy_pop(af_queue *q)
{
    assert(q->n_busy > 0);
    af_qbusy e = q->busy[--q->n_busy];
    uint32_t n = q->n_busy, i = 0;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && qbusy_before(&q->busy[child + 1], &q->busy[child]))
            child++;
        if (!qbusy_before(&q->busy[child], &e))
            break;
        q->busy[i] = q->busy[child];
        i = child;
    }
    if (n > 0)
        q->busy[i] = e;
}

/* ---- queue ---------------------------------------------------------------------------------- */

/* Grows the pool to at least `need` records and puts the new ones on the free list. */
static void queue_grow(af_queue *q, size_t need)
{
    size_t old = q->pool_cap;
    assert(need <= AF_QUEUE_MAX_CAP && "too many requests in one queue");
    q->pool = af_grow(q->pool, &q->pool_cap, need, sizeof q->pool[0]);
    if (q->pool_cap > AF_QUEUE_MAX_CAP)
        q->pool_cap = AF_QUEUE_MAX_CAP;
    for (size_t i = q->pool_cap; i-- > old;) {
        q->pool[i].next = q->free_head;
        q->free_head = (uint32_t)i;
    }
}

af_queue *af_queue_new(af_sim *sim, uint32_t servers, uint32_t hint)
{
    assert(sim != NULL);
    assert(servers >= 1);
    af_queue *q = af_calloc(1, sizeof *q);
    q->sim = sim;
    q->servers = servers;
    q->speed = 1.0;
    q->free_head = AF_QUEUE_NONE;
    q->wait_head = q->wait_tail = AF_QUEUE_NONE;
    q->busy = af_malloc_array(servers, sizeof q->busy[0]);
    q->ev_req = AF_QUEUE_NONE;
    q->t_last = q->since_ns = af_sim_now(sim);
    queue_grow(q, hint ? hint : AF_QUEUE_DEFAULT_CAP);
    return q;
}

void af_queue_free(af_queue *q)
{
    if (!q)
        return;
    af_sim_cancel(q->sim, q->ev);
    af_free(q->busy);
    af_free(q->pool);
    af_free(q);
}

/* Brings V and the integrals up to now, and rebases V when it may. */
static void queue_advance(af_queue *q)
{
    af_time_ns now = af_sim_now(q->sim);
    assert(now >= q->t_last);
    if (now > q->t_last) {
        double dt = (double)(now - q->t_last);
        q->area_system_ns += (double)(q->n_busy + q->n_wait) * dt;
        q->area_queue_ns += (double)q->n_wait * dt;
        q->area_service_ns += (double)q->n_busy * dt;
        q->work_ns += (double)q->n_busy * q->speed * dt;
        q->vnow += q->speed * dt;
        q->t_last = now;
    }
    if (q->n_busy == 0) {
        q->vnow = 0;
    } else if (q->vnow > AF_QUEUE_REBASE_NS) {
        for (uint32_t i = 0; i < q->n_busy; i++)
            q->busy[i].finish -= q->vnow;
        q->vnow = 0;
    }
}

static void queue_complete(af_sim *sim, void *ctx, uint64_t arg);

/* Replaces the pending completion event by one for the current top of the heap (none when no
 * request is in service, or when the queue is stalled with work left, or so slow that the
 * completion would lie at or beyond AF_TIME_MAX: the top then stays in service, and a later speed
 * change, submission or completion schedules it). V must be current. */
static void queue_resched(af_queue *q)
{
    af_sim_cancel(q->sim, q->ev);
    q->ev = (af_event_id){0, 0};
    q->ev_req = AF_QUEUE_NONE;
    if (q->n_busy == 0)
        return;
    const af_qbusy *top = &q->busy[0];
    double rem = top->finish - q->vnow;
    af_time_ns now = af_sim_now(q->sim);
    af_time_ns delay = 0;
    if (rem > AF_QUEUE_SLACK_NS) {
        if (q->speed <= 0)
            return;
        /* x is +inf when the quotient overflows; (double)(AF_TIME_MAX - now) may round up, but
         * a whole x below it is still at most AF_TIME_MAX - now. */
        double x = ceil((rem - AF_QUEUE_SLACK_NS) / q->speed);
        if (!(x < (double)(AF_TIME_MAX - now)))
            return;
        delay = (af_time_ns)x;
    }
    q->ev = af_sim_at(q->sim, now + delay, queue_complete, q, top->req);
    q->ev_req = top->req;
}

/* Puts request r into service now. V must be current. */
static void queue_start(af_queue *q, uint32_t r)
{
    af_qreq *req = &q->pool[r];
    req->start_ns = q->t_last;
    q->started++;
    qbusy_push(
        q, (af_qbusy){.finish = q->vnow + req->demand_s * AF_NS_PER_S, .seq = q->seq++, .req = r});
}

/* Event handler: the top request of the heap completes. */
static void queue_complete(af_sim *sim, void *ctx, uint64_t arg)
{
    af_queue *q = ctx;
    uint32_t r = (uint32_t)arg;
    q->ev = (af_event_id){0, 0};
    q->ev_req = AF_QUEUE_NONE;
    queue_advance(q);
    assert(q->n_busy > 0 && q->busy[0].req == r);
    qbusy_pop(q);

    af_qreq *req = &q->pool[r];
    af_time_ns now = q->t_last;
    af_queue_done done = {.arrive_ns = req->arrive_ns,
                          .start_ns = req->start_ns,
                          .end_ns = now,
                          .demand_s = req->demand_s};
    af_queue_done_fn fn = req->fn;
    void *fn_ctx = req->ctx;
    uint64_t fn_arg = req->arg;
    af_time_ns held_ns = req->held_ns;
    req->next = q->free_head;
    q->free_head = r;

    q->completed++;
    int64_t wait_ns = done.start_ns - done.arrive_ns;
    int64_t sojourn_ns = now - done.arrive_ns + held_ns;
    q->wait_sum_ns += (double)wait_ns;
    q->sojourn_sum_ns += (double)sojourn_ns;
    qhist_add(&q->hist[AF_QUEUE_WAIT], wait_ns);
    qhist_add(&q->hist[AF_QUEUE_SOJOURN], sojourn_ns);

    if (q->n_wait > 0) {
        uint32_t w = q->wait_head;
        q->wait_head = q->pool[w].next;
        if (--q->n_wait == 0)
            q->wait_tail = AF_QUEUE_NONE;
        queue_start(q, w);
    }
    queue_resched(q);
    /* The record is already free: the callback may submit (and so grow the pool). */
    if (fn)
        fn(sim, fn_ctx, fn_arg, &done);
}

void af_queue_submit(af_queue *q, double demand_s, af_queue_done_fn fn, void *ctx, uint64_t arg)
{
    af_queue_submit_held(q, demand_s, 0, fn, ctx, arg);
}

void af_queue_submit_held(af_queue *q, double demand_s, double held_s, af_queue_done_fn fn,
                          void *ctx, uint64_t arg)
{
    assert(isfinite(demand_s) && demand_s >= 0 && "service demand must be finite and >= 0");
    assert(isfinite(held_s) && held_s >= 0 && "hold must be finite and >= 0");
    queue_advance(q);
    if (q->free_head == AF_QUEUE_NONE)
        queue_grow(q, q->pool_cap + 1);
    uint32_t r = q->free_head;
    af_qreq *req = &q->pool[r];
    q->free_head = req->next;
    req->demand_s = demand_s;
    req->arrive_ns = q->t_last;
    req->start_ns = q->t_last;
    req->held_ns = af_time_from_s(held_s);
    req->fn = fn;
    req->ctx = ctx;
    req->arg = arg;
    req->next = AF_QUEUE_NONE;
    q->arrived++;

    if (q->n_busy < q->servers) {
        assert(q->n_wait == 0);
        queue_start(q, r);
        if (q->busy[0].req != q->ev_req)
            queue_resched(q);
    } else {
        if (q->wait_tail == AF_QUEUE_NONE)
            q->wait_head = r;
        else
            q->pool[q->wait_tail].next = r;
        q->wait_tail = r;
        q->n_wait++;
    }
}

void af_queue_set_speed(af_queue *q, double s)
{
    assert(s >= 0 && s <= 1 && "speed factor must lie in [0, 1]");
    if (s < AF_QUEUE_MIN_SPEED)
        s = 0;
    queue_advance(q);
    if (s == q->speed)
        return;
    q->speed = s;
    if (q->n_busy > 0)
        queue_resched(q);
}

double af_queue_speed(const af_queue *q)
{
    return q->speed;
}

uint32_t af_queue_servers(const af_queue *q)
{
    return q->servers;
}

void af_queue_reset_stats(af_queue *q)
{
    queue_advance(q);
    q->since_ns = q->t_last;
    q->arrived = q->started = q->completed = 0;
    q->wait_sum_ns = q->sojourn_sum_ns = 0;
    q->area_system_ns = q->area_queue_ns = q->area_service_ns = q->work_ns = 0;
    memset(q->hist, 0, sizeof q->hist);
}

void af_queue_get_stats(const af_queue *q, af_queue_stats *out)
{
    af_time_ns now = af_sim_now(q->sim);
    double dt = (double)(now - q->t_last);
    out->window_s = af_time_to_s(now - q->since_ns);
    out->arrived = q->arrived;
    out->started = q->started;
    out->completed = q->completed;
    out->wait_sum_s = q->wait_sum_ns / AF_NS_PER_S;
    out->sojourn_sum_s = q->sojourn_sum_ns / AF_NS_PER_S;
    out->area_system_s = (q->area_system_ns + (double)(q->n_busy + q->n_wait) * dt) / AF_NS_PER_S;
    out->area_queue_s = (q->area_queue_ns + (double)q->n_wait * dt) / AF_NS_PER_S;
    out->area_service_s = (q->area_service_ns + (double)q->n_busy * dt) / AF_NS_PER_S;
    out->work_s = (q->work_ns + (double)q->n_busy * q->speed * dt) / AF_NS_PER_S;
    out->in_system = q->n_busy + q->n_wait;
    out->in_queue = q->n_wait;
    out->in_service = q->n_busy;
    out->pool_cap = (uint32_t)q->pool_cap;
}

double af_queue_quantile_s(const af_queue *q, af_queue_latency which, double p)
{
    assert(which == AF_QUEUE_SOJOURN || which == AF_QUEUE_WAIT);
    assert(p >= 0 && p <= 1);
    return qhist_quantile(&q->hist[which], p) / AF_NS_PER_S;
}

size_t af_queue_hist_size(void)
{
    return AF_QHIST_BUCKETS + 1; /* the buckets and the total */
}

void af_queue_hist_copy(const af_queue *q, af_queue_latency which, uint64_t *base)
{
    assert(which == AF_QUEUE_SOJOURN || which == AF_QUEUE_WAIT);
    memcpy(base, q->hist[which].count, sizeof q->hist[which].count);
    base[AF_QHIST_BUCKETS] = q->hist[which].n;
}

double af_queue_quantile_since_s(const af_queue *q, af_queue_latency which, double p,
                                 const uint64_t *base)
{
    assert(which == AF_QUEUE_SOJOURN || which == AF_QUEUE_WAIT);
    assert(p >= 0 && p <= 1);
    const af_qhist *h = &q->hist[which];
    /* Statistics reset since the copy (af_queue_reset_stats): the whole histogram is new. */
    bool fresh = h->n < base[AF_QHIST_BUCKETS];
    uint64_t n = fresh ? h->n : h->n - base[AF_QHIST_BUCKETS];
    if (n == 0)
        return NAN;
    double x = p * (double)n * (1.0 - 4.0 * DBL_EPSILON);
    uint64_t k = (uint64_t)ceil(x);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    uint64_t cum = 0;
    uint32_t b = 0;
    for (; b < AF_QHIST_BUCKETS; b++) {
        cum += fresh ? h->count[b] : h->count[b] - base[b];
        if (cum >= k)
            break;
    }
    assert(b < AF_QHIST_BUCKETS);
    double v = qhist_mid(b);
    if (v < (double)h->min_ns)
        v = (double)h->min_ns;
    if (v > (double)h->max_ns)
        v = (double)h->max_ns;
    return v / AF_NS_PER_S;
}
