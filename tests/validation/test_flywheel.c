/*
 * Validation of the data flywheel (workload/flywheel.c) against closed forms:
 * - logging: Poisson requests at lambda answered at once, b bytes each: lambda b T logged, within
 *   four standard deviations of the Poisson count (sqrt(lambda T) b) and the few requests in
 *   flight at the end; what was shipped lags by at most one flush;
 * - time triggers every P with fine-tunes of S steps of 1 s (D = S s plus the first batch's
 *   fetch) shorter than P: starts at P, 2P, ..., floor((T - P) / P) + 1 of them before T (T not on
 *   a multiple), completions at kP + D, GPU share (started x D, the last cut at T) / T; the
 *   freshness's time integral is the sawtooth t before the first refresh and t - (kP - lag)
 *   after the k-th, where lag, the age of the newest processed byte at a start, lies in [0, one
 *   chunk's landing c/R + one node's read c/node_Bps] for a constant source R: the measured mean
 *   and end lie between the forms at lag 0 and D = S s, and at the largest lag and D;
 * - fine-tunes longer than P: the trigger during one waits, so they run back to back from P
 *   (starts P + kD, one pending at most) and the pool is busy from P to the end;
 * - no refresh within the run: the freshness grows from 0, mean T/2, T at the end;
 * - volume triggers every new_data V of training data (ratio x raw processed), looked at every
 *   flush F: each fine-tune starts once V was made since the last start, and before V plus what
 *   one flush and one chunk add, so floor(r P_T / (V + r R (F + c/R))) <= started <= floor(r P_T /
 *   V) for P_T raw bytes processed by the end;
 * - a landing tier too small: the logs' share of its writes counts those that landed (the room
 *   the source left at the first flush, within a chunk), not the logs shipped;
 * - the freshness series averages to the run's mean, and the event estimate covers the run.
 */
#include "tests/validation/sharing.h"

#include "base/metrics.h"

#include <string.h>

/* A fixture: pool 0 ("gpus", 8 GPUs) runs the held fine-tune "job" (1 s steps, 1 MB per GPU)
 * from tier 0 ("hot"); pool 1 ("serve") serves "svc" (Poisson at lambda, one replica, fixed
 * 100 us service); ingest "clicks" takes R B/s into tier 1 ("land"), 4 nodes of 1 GB/s keep 30% on
 * "hot"; flywheel "loop" logs log_B per answer, ships every minute, fine-tunes `steps` steps
 * every P s (0: not by time). */
typedef struct ffix {
    af_fixture f;
    af_ingest_config ing[1];
    af_flywheel_config fly[1];
} ffix;

enum { FIX_GPUS = 8 };
#define FIX_READ_BPS 1e11 /* the tiers' read bandwidth per node, B/s */
#define FIX_BATCH_B 1e6   /* bytes per GPU per step */
#define FIX_CHUNK_B 1e9   /* the ingest's chunk */
#define FIX_NODE_BPS 1e9  /* a preprocessing node */

static af_flywheel_config *ffix_init(ffix *x, double lambda, double log_B, double R, double steps,
                                     double P, double T)
{
    memset(x, 0, sizeof *x);
    af_fixture *f = &x->f;
    af_fix_init(f, 1, 1, FIX_READ_BPS, FIX_BATCH_B, 1.0, T);
    f->trains[0].held = true;
    f->pools[1] = f->pools[0];
    f->pools[1].name = "serve";
    f->cfg.npools = 2;
    af_fix_add_tier(f, "land");
    f->infers[0] = (af_infer_config){.name = "svc",
                                     .pool = 1,
                                     .replicas = 1,
                                     .gpus_per_replica = 1,
                                     .arrivals = {.rate_per_s = lambda},
                                     .feature_tier = AF_WORLD_NONE,
                                     .feature_B = 4096,
                                     .max_batch = 1,
                                     .service_s = 1e-4,
                                     .slo_quantile = 0.99};
    f->cfg.ninfers = 1;
    x->ing[0] = (af_ingest_config){.name = "clicks",
                                   .source = {.rate_per_s = R},
                                   .landing = 1,
                                   .nodes = 4,
                                   .node_Bps = FIX_NODE_BPS,
                                   .ratio = 0.3,
                                   .out_tier = 0,
                                   .feeds = AF_WORLD_NONE,
                                   .chunk_B = FIX_CHUNK_B,
                                   .op_B = 1048576,
                                   .weight = 1};
    f->cfg.ingests = x->ing;
    f->cfg.ningests = 1;
    x->fly[0] = (af_flywheel_config){.name = "loop",
                                     .from = 0,
                                     .log_B = log_B,
                                     .to = 0,
                                     .flush_s = 60,
                                     .job = 0,
                                     .steps = steps,
                                     .every_s = P};
    f->cfg.flywheels = x->fly;
    f->cfg.nflywheels = 1;
    return &x->fly[0];
}

/* The most the first batch of a fine-tune can take: the 8 GPUs' batches through the tier's
 * devices (bytes x device-seconds per byte over its devices) and the pool's storage NICs, each at
 * half its capacity at least (max-min fairness against the ingest's one flow there). */
static double fetch_bound_s(const ffix *x)
{
    const af_storage_spec *s = &x->f.tiers[0].system;
    const af_node_spec *n = &x->f.pools[0].node;
    double bytes = FIX_GPUS * FIX_BATCH_B;
    return 2 * (bytes * af_read_scale(s, FIX_BATCH_B) / s->devices +
                bytes / (n->storage_nic.rate_Bps * n->storage_nics));
}

/* The freshness's time integral over [0, T], s^2, for fine-tunes starting at s[0..n) and taking
 * D each, the newest data of each lag older than its start: t before the first refresh, then
 * t - (s_k - lag) from the k-th refresh s_k + D on (refreshes after T do not count). */
static double sawtooth_area(const double *s, size_t n, double D, double lag, double T)
{
    double area = 0, prev = 0, land = 0;
    for (size_t k = 0; k < n && s[k] + D <= T; k++) {
        double r = s[k] + D;
        area += (r - prev) * (0.5 * (prev + r) - land);
        land = fmax(land, s[k] - lag);
        prev = r;
    }
    return area + (T - prev) * (0.5 * (prev + T) - land);
}

/* Bytes logged: lambda b T within the Poisson interval. */
static void test_logged(void)
{
    ffix x;
    const double lambda = 1000, b = 2000, T = 3600;
    ffix_init(&x, lambda, b, 1e9, 10, 1200, T);
    af_results *r = af_run(&x.f);
    double n = lambda * T;
    double in_flight = af_get(r, "inference.svc.in_flight");
    double logged = af_get(r, "flywheel.loop.logged");
    CU_ASSERT(fabs(logged / b - n) <= 4 * sqrt(n) + in_flight + 1);
    /* Every answered request logged, and everything but the last flush's shipped. */
    AF_ASSERT_REL(logged, af_get(r, "inference.svc.served") * b, 1e-12);
    double shipped = af_get(r, "flywheel.loop.shipped");
    CU_ASSERT(shipped <= logged);
    CU_ASSERT(logged - shipped <= (lambda * 60 + 4 * sqrt(lambda * 60)) * b);
    /* The landing tier took the source's R T and the logs shipped, less the last second's;
     * nothing was refused and the last flush (at 3540 s) landed within a second and a chunk, so
     * the logs that landed are the logs shipped. */
    double written = af_get(r, "storage.land.write_bytes");
    AF_ASSERT_REL(af_get(r, "flywheel.loop.landing_share"), shipped / written, 1e-12);
    CU_ASSERT(written <= 1e9 * T + shipped + 1);
    CU_ASSERT(written >= 1e9 * (T - 2) + shipped - lambda * b * 2);
    af_results_free(r);
}

/* A landing tier too small for the logs: their share of its writes counts the logs that landed,
 * not those shipped. The source (R = 100 MB/s, raw bytes kept) lands in chunks of a second, each
 * taking its room when it starts, so by the first flush at 60 s it holds R x 60 s, give or take
 * a chunk, of the tier's U = 8 GB (10 devices of 1 GB, 80% usable); the first flush's 12 GB of
 * logs fill the rest in a fraction of a second, and everything after is refused. So the logs
 * landed U - 60 R within R x 1 s either way (1.9 GB when the source's chunk that starts at 60 s
 * takes its room first), against 36 GB shipped in three flushes. */
static void test_landing_full(void)
{
    ffix x;
    const double R = 1e8, lambda = 1000, b = 2e5, T = 200, U = 8e9;
    ffix_init(&x, lambda, b, R, 10, 2 * T, T); /* no fine-tune in the run */
    x.ing[0].keep_raw = true;
    x.f.tiers[1].system.device_B = 1e9;
    af_results *r = af_run(&x.f);
    AF_ASSERT_REL(af_get(r, "storage.land.usable_capacity"), U, 1e-12);
    double written = af_get(r, "storage.land.write_bytes");
    AF_ASSERT_REL(written, U, 1e-9);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landed"), written, 1e-12);
    double shipped = af_get(r, "flywheel.loop.shipped");
    CU_ASSERT(shipped >= 2 * lambda * 60 * b); /* at least two flushes' worth */
    double logs = af_get(r, "flywheel.loop.landing_share") * written;
    CU_ASSERT(logs >= U - 61 * R - 1); /* a byte for the sums' rounding */
    CU_ASSERT(logs <= U - 59 * R + 1);
    /* What was refused: the rest of the source's R T and of the logs shipped (the source's
     * chunk in flight at the end counts what it offered by then). */
    AF_ASSERT_REL(af_get(r, "ingest.clicks.rejected"), R * T + shipped - U, 1e-6);
    af_results_free(r);
}

/* Time triggers every P with fine-tunes shorter than P: the sawtooth. */
static void test_time_sawtooth(void)
{
    ffix x;
    const double P = 600, S = 100, T = 3650;
    ffix_init(&x, 1, 100, 1e9, S, P, T);
    x.f.cfg.sample_s = 50;
    af_results *r = af_run(&x.f);
    double dmax = fetch_bound_s(&x);
    double lag = FIX_CHUNK_B / 1e9 + FIX_CHUNK_B / FIX_NODE_BPS;
    /* Starts at 600, ..., 3600: floor((T - P) / P) + 1 = 6; ends at 700, ..., 3100 (3700 > T). */
    double started = floor((T - P) / P) + 1, completed = floor((T - S) / P);
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.retrains_started"), started);
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.triggers_time"), started);
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.retrains_completed"), completed);
    CU_ASSERT_PTR_NULL(af_results_find(r, "flywheel.loop.triggers_new_data"));
    double D = af_get(r, "flywheel.loop.finetune_time_mean");
    CU_ASSERT(D >= S && D <= S + dmax);
    AF_ASSERT_REL(af_get(r, "flywheel.loop.refresh_interval_mean"), P, dmax / P);
    /* The held job: its steps are the fine-tunes', it idles the rest. */
    double steps = af_get(r, "train.job.steps");
    double tail = T - started * P; /* the last fine-tune's time before the end */
    CU_ASSERT(steps >= completed * S + floor(tail - dmax) && steps <= completed * S + tail);
    double busy = completed * S + tail;
    CU_ASSERT(fabs(af_get(r, "flywheel.loop.finetune_gpu_share") - busy / T) <=
              completed * dmax / T + 1e-9);
    AF_ASSERT_REL(af_get(r, "flywheel.loop.finetune_gpu_time"),
                  af_get(r, "flywheel.loop.finetune_gpu_share") * T * FIX_GPUS, 1e-12);
    AF_ASSERT_REL(af_get(r, "train.job.idle"), 1 - af_get(r, "flywheel.loop.finetune_gpu_share"),
                  1e-6);
    /* The sawtooth, between its forms at lag 0 and D = S s and at the largest lag and D. */
    double s[8];
    size_t n = 0;
    for (double t = P; t < T; t += P)
        s[n++] = t;
    double lo = sawtooth_area(s, n, S, 0, T) / T, hi = sawtooth_area(s, n, S + dmax, lag, T) / T;
    double mean = af_get(r, "flywheel.loop.freshness_mean");
    CU_ASSERT(mean >= lo - 1e-6 && mean <= hi + 1e-6);
    if (!(mean >= lo - 1e-6 && mean <= hi + 1e-6))
        fprintf(stderr, "freshness mean %.9g s outside [%.9g, %.9g]\n", mean, lo, hi);
    double end = af_get(r, "flywheel.loop.freshness_end");
    double last = completed * P; /* the start of the last fine-tune that completed */
    CU_ASSERT(end >= T - last - 1e-6 && end <= T - last + lag + 1e-6);
    /* The series: equal windows whose mean is the run's. */
    const af_series *fs = af_results_series_find(r, "flywheel.loop.freshness");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
    double sum = 0;
    for (size_t i = 0; i < fs->n; i++)
        sum += fs->v[i] * fs->dt;
    AF_ASSERT_REL(sum / T, mean, 1e-9);
    af_results_free(r);
}

/* Fine-tunes longer than P: one trigger waits, and they run back to back. */
static void test_pending(void)
{
    ffix x;
    const double P = 100, S = 150, T = 990;
    ffix_init(&x, 1, 100, 1e9, S, P, T);
    af_results *r = af_run(&x.f);
    double dmax = fetch_bound_s(&x);
    /* Starts at 100, 250, ..., 850 (each fine-tune's end, with the trigger that came during it
     * waiting): 1 + floor((T - P) / S) = 6; 5 end before T. */
    double started = 1 + floor((T - P) / S);
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.retrains_started"), started);
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.retrains_completed"), started - 1);
    AF_ASSERT_REL(af_get(r, "flywheel.loop.refresh_interval_mean"), S, dmax / S);
    /* Busy from P to the end. */
    AF_ASSERT_REL(af_get(r, "flywheel.loop.finetune_gpu_share"), (T - P) / T, 1e-9);
    af_results_free(r);
}

/* No refresh within the run: the freshness grows from 0. */
static void test_no_refresh(void)
{
    ffix x;
    const double T = 1000;
    ffix_init(&x, 1, 100, 1e9, 10, 2 * T, T);
    af_results *r = af_run(&x.f);
    AF_ASSERT_REL(af_get(r, "flywheel.loop.freshness_mean"), T / 2, 1e-12);
    AF_ASSERT_REL(af_get(r, "flywheel.loop.freshness_end"), T, 1e-12);
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.retrains_started"), 0);
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.finetune_gpu_share"), 0);
    CU_ASSERT_PTR_NULL(af_results_find(r, "flywheel.loop.finetune_time_mean"));
    AF_ASSERT_REL(af_get(r, "train.job.idle"), 1, 1e-12);
    CU_ASSERT_EQUAL(af_get(r, "train.job.steps"), 0);
    af_results_free(r);
}

/* Volume triggers: retrains ~ training data made / new_data. */
static void test_volume(void)
{
    ffix x;
    const double R = 1e9, V = 150e9, F = 60, T = 3650, ratio = 0.3;
    af_flywheel_config *c = ffix_init(&x, 1, 100, R, 100, 0, T);
    c->new_data_B = V;
    af_results *r = af_run(&x.f);
    double made = ratio * af_get(r, "ingest.clicks.processed");
    double started = af_get(r, "flywheel.loop.retrains_started");
    CU_ASSERT(started <= floor(made / V));
    CU_ASSERT(started >= floor(made / (V + ratio * R * (F + FIX_CHUNK_B / R))));
    CU_ASSERT(started >= 1);
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.triggers_new_data"), started);
    CU_ASSERT_PTR_NULL(af_results_find(r, "flywheel.loop.triggers_time"));
    af_results_free(r);

    /* Both triggers: the time trigger counts from the last start, whichever started it. */
    c = ffix_init(&x, 1, 100, R, 100, 400, T);
    c->new_data_B = V;
    r = af_run(&x.f);
    started = af_get(r, "flywheel.loop.retrains_started");
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.triggers_new_data") +
                        af_get(r, "flywheel.loop.triggers_time"),
                    started);
    /* V takes at least 500 s to make and the clock 400 s: time wins every time. */
    CU_ASSERT_EQUAL(af_get(r, "flywheel.loop.triggers_new_data"), 0);
    CU_ASSERT_EQUAL(started, floor((T - 400) / 400) + 1);
    af_results_free(r);
}

/* The event estimate covers the run. */
static void test_events(void)
{
    ffix x;
    af_flywheel_config *c = ffix_init(&x, 500, 2000, 1e9, 100, 300, 3600);
    c->new_data_B = 50e9;
    af_world_estimate e;
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL_FATAL(af_world_check_estimate(&x.f.cfg, &e, d), AF_OK);
    af_diag_free(d);
    af_results *r = af_run(&x.f);
    CU_ASSERT(af_get(r, "run.events") <= e.events);
    af_results_free(r);
}

static const af_test tests[] = {
    {"bytes logged: lambda b T within the Poisson interval", test_logged},
    {"a full landing tier: the logs' share counts the logs that landed", test_landing_full},
    {"time triggers: counts, GPU share and the freshness sawtooth", test_time_sawtooth},
    {"a trigger during a fine-tune waits: back to back", test_pending},
    {"no refresh: the freshness grows from 0", test_no_refresh},
    {"volume triggers: retrains ~ training data / new_data", test_volume},
    {"the event estimate covers the run", test_events},
    {NULL, NULL},
};

AF_TEST_MAIN("flywheel", tests)
