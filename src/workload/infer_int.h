/*
 * infer_int: the serving kind's private parts, shared by infer.c (arrivals, feature reads,
 * dynamic batching, the kind's operations) and infer_llm.c (LLM serving: conversations,
 * KV-cache tiers, continuous batching) and nothing else.
 */
#ifndef AF_WORKLOAD_INFER_INT_H
#define AF_WORKLOAD_INFER_INT_H

#include "workload/readbank.h"
#include "workload/world_int.h"

#include <gsl/gsl_histogram.h>
#include <stdbool.h>
#include <stdint.h>

/* Requests admitted and not yet served at most when the scenario sets no queue limit: an
 * overload that lasts would otherwise grow the queue without bound. */
#define INFER_MAX_IN_SYSTEM 1000000u

/* Latency histogram: log-spaced from 1 us to 10^4 s, 100 bins per decade. */
#define HIST_LO_S 1e-6
#define HIST_DECADES 10
#define HIST_PER_DECADE 100
#define HIST_BINS (HIST_DECADES * HIST_PER_DECADE)

/* Parts of a request's latency. */
enum { PART_READS, PART_GPU_QUEUE, PART_BATCH_WAIT, PART_SERVICE, PART__COUNT };

/* No request. */
#define NO_REQ UINT32_MAX

/* A request admitted and not yet served. */
typedef struct req {
    af_time_ns arrive_ns;     /* arrival */
    af_time_ns enq_ns;        /* when it entered the batching queue */
    double all_busy_enq;      /* the "every replica busy" integral when it entered, s */
    double part[PART__COUNT]; /* its latency so far by part, s */
    bool writes;              /* it arrived while its feature tier was being written */
    uint32_t next;            /* free list; LLM: the replica's waiting queue */
    /* LLM serving (infer_llm.c) */
    uint32_t conv;            /* its conversation */
    uint32_t prompt, output;  /* new prompt tokens, output tokens */
    uint32_t left;            /* output tokens still to come */
    double ctx;               /* tokens of history before this turn */
    double prefill;           /* tokens its prefill computes (the prompt, plus the history when
                               * its KV cache was not reloaded) */
    double cached;            /* tokens of history whose KV cache was reloaded */
    af_time_ns ready_ns;      /* when it joined its replica's queue */
    af_time_ns first_ns;      /* when its first token came */
} req;

/* A latency histogram with the parts of its requests' latencies summed per bin. */
typedef struct lat_hist {
    gsl_histogram *h;
    double *parts; /* HIST_BINS x PART__COUNT, s */
    double *base;  /* bin counts at the last window's end (per-window quantiles) */
} lat_hist;

typedef struct svc {
    const af_infer_config *cfg;
    af_world *world;
    gsl_rng *rng;       /* arrivals */
    gsl_rng *rng_serve; /* what requests ask: service times, tokens, turns, think times */
    af_arrivals arr;
    double next_size; /* the next arrival's size from a trace (0: none) */
    af_timer arrive_timer;
    af_readbank *bank;   /* its feature tier's read bank (infer_bank's, borrowed), or NULL */
    af_tier_state *tier; /* feature tier, or NULL */
    double read_demand_s; /* device-seconds of one feature read at full speed */
    double read_extra_s;  /* device latency a request's reads take beyond their service, s */
    double read_load;     /* mean device load of its feature reads, device-s/s (mean arrival
                           * rate x reads x read_demand_s; in its tier's latency_load) */
    uint64_t reads;       /* feature reads submitted */
    /* requests */
    req *reqs;
    uint32_t cap_reqs, free_req, in_system, limit;
    /* the batching queue: a ring of request indices */
    uint32_t *ring;
    uint32_t ring_cap, ring_head, ring_len;
    af_timer batch_timer;
    af_time_ns max_wait_ns;
    /* replicas */
    uint32_t replicas, busy;
    uint32_t *free_rep; /* stack of free replicas */
    uint32_t nfree;
    uint32_t *rep_batch;    /* replicas x max_batch request indices */
    uint32_t *rep_n;        /* requests in each replica's batch */
    af_time_ns *rep_end_ns; /* when each busy replica's batch ends */
    af_timer *rep_timer;
    double all_busy_s;         /* integral of "every replica busy" up to all_busy_since */
    af_time_ns all_busy_since; /* when every replica became busy (valid while they are) */
    double busy_rep_s;         /* replica-seconds of the batches dispatched, whole */
    double busy_end_s;         /* replica-seconds busy within the run (set by finish) */
    /* counts */
    uint64_t arrived, rejected, served, batches, slo_met;
    double latency_sum_s;
    double part_sum[PART__COUNT];
    lat_hist all, during_writes;
    bool tier_writing;   /* the feature tier has bulk writes now */
    struct llm_svc *llm; /* LLM serving state (infer_llm.c), or NULL */
    /* time series: totals at the last window's end */
    double snap_served, snap_rejected, snap_busy_s, snap_slo_met;
} svc;

/* A storage tier's feature reads: one read bank shared by every service that reads features
 * from the tier, so that their reads queue at the same devices, each request at its service's
 * demand (af_readbank_submit_demand). */
typedef struct infer_bank {
    af_readbank *bank;    /* NULL while no service reads features from the tier */
    gsl_rng *rng;         /* where the reads land: "inference.tier.<tier>.reads" */
    gsl_rng *rng_wait;    /* their waits behind writes: "inference.tier.<tier>.waits" */
    double load;          /* mean device load of its services' reads, device-s/s */
    af_read_blocking blk; /* how its reads wait behind the tier's writes now (af_flash_blocking) */
} infer_bank;

typedef struct infer_state {
    svc *svcs;
    size_t n;
    infer_bank *banks; /* one per storage tier of the world, in its order */
    size_t nbanks;
} infer_state;


/* Latency histograms (infer.c). */
void infer_hist_init(lat_hist *lh);
void infer_hist_free(lat_hist *lh);
void infer_hist_add(lat_hist *lh, double x, const double *part);
double infer_hist_quantile(const lat_hist *lh, double p, const double *base);
bool infer_hist_tail_parts(const lat_hist *lh, double p, double *out);

/* Requests (infer.c): a new record (its caller checked the limit), and its release. */
uint32_t infer_req_alloc(svc *s);
void infer_req_release(svc *s, uint32_t i);

/* Records request i as served now, its latency split into r->part (infer.c); releases it. */
void infer_served(svc *s, uint32_t i);

/* LLM serving (infer_llm.c). */
int infer_llm_build(af_world *w, svc *s, af_diag *d);
/* A new conversation arrives now; size > 0 (a trace's) is its first prompt's tokens. */
void infer_llm_arrive(svc *s, double size);
double infer_llm_events(const af_world *w, const svc *s);
void infer_llm_start(svc *s);
double infer_llm_busy_s(const svc *s, af_time_ns now); /* replica-seconds busy up to now */
void infer_llm_finish(svc *s, af_time_ns end_ns);
void infer_llm_report(const svc *s, af_results *r);
void infer_llm_free(svc *s);

#endif
