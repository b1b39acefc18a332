/*
 * Validation of the ingest kind (workload/ingest.c) against closed forms and conservation:
 * - a constant source R below the preprocessing's capacity P = nodes x throughput: landed = R T,
 *   the backlog a sawtooth of one chunk c (peak c, mean (N c^2 / 2R + (N - 1) c^2 / 2P) / T over
 *   N = R T / c chunks), output = ratio x processed, the landing tier never fills and the output
 *   tier fills at ratio x R;
 * - R above P: processing runs back to back from the first landing (c / R), so processed =
 *   P (T - c/R), the backlog grows at R - P (its integral R T^2 / 2 - P (T - c/R)^2 / 2) and the
 *   landing tier is full in free / (R - P);
 * - full tiers: bytes past the landing tier's room are rejected at the rate (offered = landed +
 *   rejected), and preprocessing stalls when its output tier is full;
 * - a daily profile: each hour lands rate x its weight x 3600 s (the series per hourly window),
 *   and bursts add (factor - 1) x rate x their length;
 * - a trace: each entry lands whole, with its size or the ingest's entry size;
 * - feeds: the job's data set grows by the output;
 * - power and cost of the CPU nodes: against the same run with a server that draws and costs
 *   nothing, the ledger grows by exactly N x (idle + (busy - idle) u) of IT power, u the closed
 *   form of the falls-behind case, and by N x price (capital N x price x T / life), N x height
 *   and N x carbon; energy is power x T, and the windows' series integrates to it.
 * Chunks end on the clock's nanoseconds, so a run of n chunks may land up to n ns x R less than
 * R T: the tolerances below are that bound over the quantity, not fitted to the output.
 */
#include "tests/validation/sharing.h"

#include "base/metrics.h"
#include "workload/arrivals.h"

#include <string.h>

/* A fixture with up to two ingests. */
typedef struct ifix {
    af_fixture f;
    af_ingest_config ing[2];
} ifix;

/* A world of a light training job on tier 0 ("hot") and a landing tier 1 ("land") like it;
 * one ingest "clicks" from outside at R B/s to "land", preprocessed by `nodes` nodes of node_Bps
 * into tier 0 with ratio 0.3 (1 GB chunks). */
static af_ingest_config *ifix_init(ifix *x, double R, int64_t nodes, double node_Bps, double T)
{
    memset(x, 0, sizeof *x);
    af_fix_init(&x->f, 1, 1, 1e12, 1e6, 10.0, T);
    af_fix_add_tier(&x->f, "land");
    af_ingest_config *c = &x->ing[0];
    *c = (af_ingest_config){.name = "clicks",
                            .source = {.rate_per_s = R},
                            .landing = 1,
                            .nodes = nodes,
                            .node_Bps = node_Bps,
                            .ratio = 0.3,
                            .out_tier = 0,
                            .feeds = AF_WORLD_NONE,
                            .chunk_B = 1e9,
                            .op_B = 1048576,
                            .weight = 1};
    x->f.cfg.ingests = x->ing;
    x->f.cfg.ningests = 1;
    return c;
}

/* Free bytes of tier `name` at the end of run r. */
static double room(const af_results *r, const char *name)
{
    char u[64], s[64];
    snprintf(u, sizeof u, "storage.%s.usable_capacity", name);
    snprintf(s, sizeof s, "storage.%s.used_capacity", name);
    return af_get(r, u) - af_get(r, s);
}

/* Whether text metric `name` was written. */
static bool has_text(const af_results *r, const char *name)
{
    const af_metric *m = af_results_find(r, name);
    return m && m->text;
}

/* R below P: the backlog is a sawtooth of one chunk. */
static void test_keeps_up(void)
{
    ifix x;
    const double R = 2e9, P = 16 * 4e8, c = 1e9, T = 100;
    ifix_init(&x, R, 16, 4e8, T);
    af_results *r = af_run(&x.f);
    double N = R * T / c;      /* chunks landed */
    double tol = N * 1e-9 / T; /* a nanosecond per chunk, relative to the run */
    double landed = af_get(r, "ingest.clicks.landed");
    double processed = af_get(r, "ingest.clicks.processed");
    double backlog = af_get(r, "ingest.clicks.backlog");
    AF_ASSERT_REL(landed, R * T, tol);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.offered"), R * T, 1e-12);
    CU_ASSERT_EQUAL(af_get(r, "ingest.clicks.rejected"), 0);
    /* Conservation, and at most the chunk landing and the one being read are not processed. */
    AF_ASSERT_REL(processed + backlog, landed, 1e-12);
    CU_ASSERT(backlog >= 0 && backlog <= 2 * c);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.output"), 0.3 * processed, 1e-12);
    /* The devices saw the bytes: landing written and read, output written. */
    AF_ASSERT_REL(af_get(r, "storage.land.write_bytes"), landed, 1e-9);
    AF_ASSERT_REL(af_get(r, "storage.land.read_bytes"), processed, 1e-9);
    /* The sawtooth: each chunk ramps up over c / R while the previous one is read in c / P. */
    double mean = (N * c * c / (2 * R) + (N - 1) * c * c / (2 * P)) / T;
    AF_ASSERT_REL(af_get(r, "ingest.clicks.backlog_mean"), mean, 2 * tol);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.backlog_peak"), c, 1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.process_utilization"), processed / (P * T), 1e-12);
    /* Raw bytes are freed once read: the landing tier does not fill; the output fills at
     * ratio x R (the nodes keep up with the landings). */
    CU_ASSERT(has_text(r, "ingest.clicks.landing_full_never"));
    CU_ASSERT_PTR_NULL(af_results_find(r, "ingest.clicks.landing_time_to_full"));
    AF_ASSERT_REL(af_get(r, "ingest.clicks.output_time_to_full"), room(r, "hot") / (0.3 * R),
                  1e-12);
    AF_ASSERT_REL(af_get(r, "storage.land.used_capacity"), backlog, 1e-9);
    af_results_free(r);
}

/* R above P: the backlog grows at R - P. */
static void test_falls_behind(void)
{
    ifix x;
    const double R = 2e9, P = 16 * 1e8, c = 1e9, T = 200;
    ifix_init(&x, R, 16, 1e8, T);
    af_results *r = af_run(&x.f);
    double tol = (R * T / c) * 1e-9 / T;
    double t0 = c / R; /* the first landing: the nodes start then and never stop */
    double landed = af_get(r, "ingest.clicks.landed");
    double processed = af_get(r, "ingest.clicks.processed");
    AF_ASSERT_REL(landed, R * T, tol);
    AF_ASSERT_REL(processed, P * (T - t0), tol);
    double backlog = (R - P) * T + P * t0;
    AF_ASSERT_REL(af_get(r, "ingest.clicks.backlog"), backlog, 10 * tol);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.backlog_peak"), backlog, 10 * tol);
    double area = R * T * T / 2 - P * (T - t0) * (T - t0) / 2;
    AF_ASSERT_REL(af_get(r, "ingest.clicks.backlog_mean"), area / T, 10 * tol);
    /* The end's rates: landing at R, reading at P. */
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landing_time_to_full"), room(r, "land") / (R - P),
                  1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.output_time_to_full"), room(r, "hot") / (0.3 * P),
                  1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.process_utilization"), (T - t0) / T, tol);
    af_results_free(r);

    /* Raw bytes kept: the landing tier fills at R. */
    af_ingest_config *ci = ifix_init(&x, R, 16, 1e8, T);
    ci->keep_raw = true;
    r = af_run(&x.f);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landing_time_to_full"), room(r, "land") / R, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.land.used_capacity"), af_get(r, "ingest.clicks.landed"),
                  1e-12);
    af_results_free(r);
}

/* A full landing tier rejects at the rate; a full output tier stalls the preprocessing. */
static void test_full_tiers(void)
{
    ifix x;
    const double R = 2e9, T = 10;
    /* Landing: 10 devices of 1 GB, 80% usable = 8 GB; no preprocessing. */
    ifix_init(&x, R, 0, 0, T);
    x.f.tiers[1].system.device_B = 1e9;
    af_results *r = af_run(&x.f);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landed"), 8e9, 1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.rejected"), R * T - 8e9, 1e-6);
    AF_ASSERT_REL(af_get(r, "storage.land.rejected_writes"), R * T - 8e9, 1e-6);
    CU_ASSERT_EQUAL(af_get(r, "ingest.clicks.landing_time_to_full"), 0);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landing_fill"), 1, 1e-12);
    CU_ASSERT_PTR_NULL(af_results_find(r, "ingest.clicks.processed"));
    af_results_free(r);

    /* A full landing tier that the preprocessing drains: what lands and what is refused add
     * up to what was offered, and what lands is processed or waits. */
    af_ingest_config *ci = ifix_init(&x, R, 16, 1e8, 30);
    x.f.tiers[1].system.device_B = 1e9;
    r = af_run(&x.f);
    double landed = af_get(r, "ingest.clicks.landed");
    AF_ASSERT_REL(landed + af_get(r, "ingest.clicks.rejected"), R * 30, 1e-6);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.processed") + af_get(r, "ingest.clicks.backlog"), landed,
                  1e-12);
    CU_ASSERT(af_get(r, "ingest.clicks.rejected") > 0);
    af_results_free(r);

    /* Output: 8 GB of room at ratio 1. The 8th chunk lands at 4 s and is read by 4.16 s; the
     * 9th lands at 4.5 s with no room for its output: stalled from then to the end. */
    ci = ifix_init(&x, R, 16, 4e8, T);
    ci->ratio = 1;
    ci->out_tier = 2;
    af_fix_add_tier(&x.f, "small");
    x.f.tiers[2].system.device_B = 1e9;
    r = af_run(&x.f);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.output"), 8e9, 1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.processed"), 8e9, 1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.output_full_time"), (T - 4.5) / T, 1e-6);
    CU_ASSERT_EQUAL(af_get(r, "ingest.clicks.output_time_to_full"), 0);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.backlog"), af_get(r, "ingest.clicks.landed") - 8e9,
                  1e-12);
    af_results_free(r);
}

/* A daily profile: each hour lands the rate times its weight. */
static void test_diurnal(void)
{
    ifix x;
    const double R = 2e9, T = 3 * 3600;
    af_ingest_config *c = ifix_init(&x, R, 32, 2e8, T);
    c->source.diurnal = true;
    c->source.start_hour = 8;
    af_arrivals_diurnal(c->source.hourly, 3, 20);
    x.f.cfg.sample_s = 3600;
    af_results *r = af_run(&x.f);
    double want = 0;
    for (int h = 0; h < 3; h++)
        want += R * c->source.hourly[8 + h] * 3600;
    double tol = (want / 1e9 + 3) * 1e-9 / 3600; /* a nanosecond per chunk and per hour edge */
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landed"), want, tol);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.offered"), want, 1e-12);
    const af_series *s = af_results_series_find(r, "ingest.clicks.landed_rate");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(s->n, 3);
    for (int h = 0; h < 3; h++)
        AF_ASSERT_REL(s->v[h], R * c->source.hourly[8 + h], 3 * tol);
    /* The nodes (6.4 GB/s) keep up with every hour (at most 3 GB/s). */
    CU_ASSERT(af_get(r, "ingest.clicks.backlog_peak") <= 2e9 * (1 + 1e-12));
    af_results_free(r);

    /* Bursts: 1 GB/s, three times that for 20 s of every 100 s from 10 s; over 300 s, three
     * bursts add 2 GB/s x 60 s. */
    c = ifix_init(&x, 1e9, 32, 2e8, 300);
    c->source.burst_every_s = 100;
    c->source.burst_s = 20;
    c->source.burst_factor = 3;
    c->source.burst_start_s = 10;
    r = af_run(&x.f);
    want = 1e9 * 300 + 2e9 * 60;
    tol = (want / 1e9 + 6) * 1e-9 / 300;
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landed"), want, tol);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.offered"), want, 1e-12);
    af_results_free(r);
}

/* A trace lands each entry whole. */
static void test_trace(void)
{
    ifix x;
    static const double times[] = {0, 10, 20, 30, 40, 70};
    static const double sizes[] = {10e9, 10e9, 2.5e9, 10e9, 7e9, 1e9};
    af_ingest_config *c = ifix_init(&x, 0, 16, 1e9, 60);
    c->source = (af_arrivals_config){.trace_s = times, .trace_size = sizes, .trace_n = 6};
    af_results *r = af_run(&x.f);
    /* The entry at 70 s lies past the end. */
    AF_ASSERT_REL(af_get(r, "ingest.clicks.offered"), 39.5e9, 1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landed"), 39.5e9, 1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.processed"), 39.5e9, 1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.output"), 0.3 * 39.5e9, 1e-12);
    af_results_free(r);

    /* Without sizes, every entry is entry_B. */
    c = ifix_init(&x, 0, 16, 1e9, 60);
    c->source = (af_arrivals_config){.trace_s = times, .trace_n = 6};
    c->entry_B = 3e9;
    r = af_run(&x.f);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.landed"), 5 * 3e9, 1e-12);
    af_results_free(r);
}

/* feeds: the job's data set grows by the output. */
static void test_feeds(void)
{
    ifix x;
    af_ingest_config *c = ifix_init(&x, 2e9, 16, 4e8, 100);
    c->feeds = 0;
    af_results *r = af_run(&x.f);
    double out = af_get(r, "ingest.clicks.output");
    AF_ASSERT_REL(af_get(r, "ingest.clicks.dataset_new"), out, 1e-12);
    AF_ASSERT_REL(af_get(r, "ingest.clicks.dataset_new_share"), out / (1e12 + out), 1e-12);
    /* The job's tier holds its data set and the output. */
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 1e12 + out, 1e-12);
    af_results_free(r);
}

/* Metric `name` of run b less that of run a. */
static double delta(const af_results *a, const af_results *b, const char *name)
{
    return af_get(b, name) - af_get(a, name);
}

/* The CPU nodes in the ledger: the falls-behind case (u = (T - c/R) / T), run once with a
 * server that draws and costs nothing and once with S; the differences are S's N boxes. */
static void test_power_cost(void)
{
    const double R = 2e9, c = 1e9, T = 200, N = 16;
    const af_server_spec S = {.name = "s", .idle_W = 100, .busy_W = 500, .rack_units = 1,
                              .price_usd = 10000, .embodied_kg = 500};
    ifix x0, x1;
    af_ingest_config *c0 = ifix_init(&x0, R, (int64_t)N, 1e8, T);
    c0->server = (af_server_spec){.name = "zero"};
    af_ingest_config *c1 = ifix_init(&x1, R, (int64_t)N, 1e8, T);
    c1->server = S;
    x1.f.cfg.sample_s = 10;
    af_results *a = af_run(&x0.f), *b = af_run(&x1.f);
    double tol = (R * T / c) * 1e-9 / T; /* a nanosecond per chunk, as above */
    double u = (T - c / R) / T;
    double P = N * (S.idle_W + (S.busy_W - S.idle_W) * u);
    const af_facility_spec *fac = &x1.f.cfg.facility;
    AF_ASSERT_REL(af_get(b, "ingest.clicks.process_utilization"), u, tol);
    AF_ASSERT_REL(af_get(b, "ingest.clicks.process_power"), P, tol);
    AF_ASSERT_REL(af_get(b, "facility.it_power_cpu_nodes"), P, tol);
    CU_ASSERT_EQUAL(af_get(a, "facility.it_power_cpu_nodes"), 0);
    AF_ASSERT_REL(delta(a, b, "facility.it_power"), P, tol);
    AF_ASSERT_REL(delta(a, b, "facility.peak_power"), fac->pue * N * S.busy_W, 1e-12);
    /* Energy is power over the run, for the nodes and for the facility. */
    AF_ASSERT_REL(af_get(b, "ingest.clicks.process_energy"), P * T, tol);
    AF_ASSERT_REL(delta(a, b, "facility.energy"), fac->pue * P * T, tol);
    /* The windows' power integrates to the run's energy: power is linear in utilization, and the
     * windows' utilizations add up to the run's. */
    const af_series *s = af_results_series_find(b, "ingest.clicks.process_power");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->n, 20);
    double e = 0;
    for (size_t k = 0; k < s->n; k++)
        e += s->v[k] * s->dt;
    AF_ASSERT_REL(e, P * T, tol);
    /* Capital, height and carbon: N boxes of S, amortized over the compute life. */
    AF_ASSERT_REL(delta(a, b, "cost.purchase"), N * S.price_usd, 1e-12);
    AF_ASSERT_REL(delta(a, b, "cost.capital_compute"), N * S.price_usd * T / fac->amortization_s,
                  1e-9);
    AF_ASSERT_REL(delta(a, b, "facility.rack_units"), N * S.rack_units, 1e-12);
    AF_ASSERT_REL(delta(a, b, "facility.embodied_carbon"), N * S.embodied_kg, 1e-12);
    af_results_free(a);
    af_results_free(b);
}

/* The event estimate covers the run. */
static void test_events(void)
{
    ifix x;
    af_ingest_config *c = ifix_init(&x, 2e9, 16, 1e8, 200);
    c->source.diurnal = true;
    af_arrivals_diurnal(c->source.hourly, 3, 20);
    af_world_estimate e;
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL_FATAL(af_world_check_estimate(&x.f.cfg, &e, d), AF_OK);
    af_diag_free(d);
    af_results *r = af_run(&x.f);
    CU_ASSERT(af_get(r, "run.events") <= e.events);
    af_results_free(r);
}

static const af_test tests[] = {
    {"a source below capacity: R T landed, a one-chunk sawtooth backlog", test_keeps_up},
    {"a source above capacity: the backlog grows at R - P", test_falls_behind},
    {"full tiers: rejected at the rate, preprocessing stalled", test_full_tiers},
    {"a daily profile and bursts land their rates", test_diurnal},
    {"a trace lands its entries", test_trace},
    {"feeds grows the job's data set", test_feeds},
    {"the CPU nodes' power, energy and cost in the ledger", test_power_cost},
    {"the event estimate covers the run", test_events},
    {NULL, NULL},
};

AF_TEST_MAIN("ingest", tests)
