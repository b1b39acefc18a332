/*
 * train_int: the training kind's private parts, shared by train.c (the data loader and the steps)
 * and resilience.c (checkpoints, failures and restarts) and nothing else.
 *
 * Every second of a job is in exactly one phase: running (computing or waiting for data, split
 * further by what held the data back), stalled for a checkpoint, down after a failure (detection,
 * restart, repair), reloading the last checkpoint, or done (its target reached, the GPUs idle).
 * Compute time that a failure undoes (the steps since the last durable checkpoint) moves from
 * computing to lost work. The parts add up to the run's duration, which the tests check.
 */
#ifndef AF_WORKLOAD_TRAIN_INT_H
#define AF_WORKLOAD_TRAIN_INT_H

#include "base/metrics.h"
#include "workload/mlperf.h"
#include "workload/train.h"
#include "workload/world_int.h"

/* What a job is doing. */
typedef enum {
    AF_PHASE_RUN,    /* computing or waiting for data */
    AF_PHASE_CKPT,   /* stalled for a checkpoint (the write, or the snapshot to host memory) */
    AF_PHASE_DOWN,   /* after a failure: detection, restart, waiting for a repair */
    AF_PHASE_RELOAD, /* reading the last checkpoint back */
    AF_PHASE_DONE,   /* target reached: the GPUs idle */
    AF_PHASE__COUNT
} af_phase;

typedef struct af_resilience af_resilience;

/* A training job in flight. */
typedef struct job {
    const af_train_config *cfg;
    af_world *world;
    af_train_plan plan;
    af_time_ns compute_ns; /* compute time per step on the clock */
    double cap_Bps;        /* reader-thread cap per GPU, 0 = none */
    uint32_t serve;        /* tier the hits come from (the cache, or the data set's tier) */
    double hit;            /* share of bytes from `serve` when it caches the data set's tier */
    gsl_rng *rng;          /* batch-size draws (only with a spread) */
    af_path path_hit, path_miss;
    double scale_hit_dev, scale_miss_read, scale_miss_write;
    int ready;      /* batches ready */
    bool fetching;  /* a fetch is in flight */
    int flows_left; /* flows of the fetch in flight */
    af_flow_id flow[2];
    bool computing;
    af_time_ns since_ns; /* accounted up to here */
    bool dirty;          /* its hold must be looked at when the instant ends */
    af_time_ns compute_total_ns, wait_total_ns;
    double snap_ns[AF_TRAIN_SHARES];     /* the time series' totals at the last window's end (train_sample) */
    af_time_ns step_begin_ns; /* when the step in flight began */
    uint32_t trace_track;  /* its timeline track when the run records one */
    af_time_ns wait_by_ns[AF_HOLD__COUNT];
    af_hold hold;                /* what the current wait is charged to */
    const af_path *flow_path[2]; /* the path of each flow of the fetch in flight */
    int hold_flow, hold_hop;     /* the flow and hop of the current hold, -1 when none (a cap) */
    af_time_ns wait_hop_ns[2][AF_FLOWNET_MAX_PATH]; /* wait charged to each hop of the two
                                                       paths (hit, miss) */
    af_time_ns compute_in_burst_ns;
    uint64_t steps;
    af_time_ns last_step_end_ns; /* end of the last completed step */
    af_au_meter au;              /* MLPerf AU by epoch (cfg->steps_per_epoch > 0 only) */
    double read_B;               /* bytes delivered to the GPUs */
    double floor_Bps;            /* QoS floor: per-GPU read rate guaranteed by the weights */
    af_event_id step_ev;         /* the end of the step in progress */
    af_phase phase;              /* what the job is doing */
    af_time_ns phase_ns[AF_PHASE__COUNT]; /* time spent in each phase but running */
    af_time_ns lost_ns;          /* compute time whose work a failure undid */
    uint64_t steps_redone;       /* steps lost to failures (done again) */
    af_time_ns done_ns;          /* when the job reached its target steps (0 = not yet) */
    double target_steps;         /* steps to reach, then idle: the configuration's, raised by
                                  * af_train_run_more; 0 = none */
    af_train_done_fn on_done;    /* told when the target is reached (af_train_on_done), or NULL */
    void *on_done_ctx;
    af_resilience *res;          /* checkpoints and failures (resilience.c), or NULL */
    /* the step model: gradient all-reduce, pipeline bubble, stragglers (train.c, "The step") */
    bool comm;                   /* each step all-reduces gradients across the pool's nodes */
    af_path comm_path;           /* compute NICs out, backend fabric, compute NICs in */
    double comm_n_B;             /* gradient bytes each GPU all-reduces per step */
    double comm_wire_B;          /* bytes each GPU sends across nodes per step */
    af_time_ns comm_fixed_ns;    /* latency steps across nodes plus the NVLink phases */
    af_time_ns comm_lead_ns;     /* how long before the compute ends the all-reduce starts */
    double comm_alone_s;         /* the all-reduce alone (closed form, model/collective.h) */
    double dp;                   /* data-parallel replicas */
    af_time_ns bubble_ns;        /* pipeline bubble per step */
    af_time_ns mp_comm_ns;       /* tensor- and pipeline-parallel communication per step */
    af_straggler_spec strag;     /* a node's step-time factor (lognormal, mean 1) */
    gsl_rng *strag_rng;          /* its draws, or NULL without stragglers */
    bool in_step;                /* a step is in flight (its compute or its all-reduce) */
    bool comm_pending;           /* the step's all-reduce has not ended */
    bool communicating;          /* the compute is done; the GPUs wait for the all-reduce */
    af_event_id comm_ev;         /* the all-reduce's start, or its end after the flow */
    af_flow_id comm_id;          /* the all-reduce's flow */
    af_time_ns comm_since;       /* when it started */
    af_time_ns step_extra_ns;    /* bubble and straggler wait of the step in flight */
    af_time_ns step_strag_ns;    /* the straggler part of it */
    af_time_ns comm_total_ns, bubble_total_ns, strag_total_ns;
    uint64_t comms;              /* all-reduces completed */
    double comm_sum_s;           /* their durations, start to end */
} job;

typedef struct train_state {
    job *jobs;
    size_t n;
    job **dirty; /* jobs whose hold is looked at when the instant ends (train_load_changed) */
    size_t n_dirty, cap_dirty;
} train_state;

static inline train_state *train_of(const af_world *w)
{
    return w->kind[AF_WL_TRAIN];
}

/* Brings the job's time accounting up to now (charging the time since the last call to what
 * it was doing). */
void af_job_account(job *jb, af_time_ns now);

/* Asks for the job's hold to be looked at when the instant ends. */
void af_job_mark(job *jb);

/* Puts a stalled job back to work at now: it runs the next step if a batch is ready, else waits
 * for one (its loader fetching). */
void af_job_resume(job *jb);

/* Stops everything the job has in flight at now (the step, the loader's fetch and its ready
 * batches), for a failure. */
void af_job_halt(job *jb);

/* ---- resilience.c: checkpoints, failures and restarts ----------------------------------------- */

/* Sets up job jb's checkpoints and failures from its configuration (jb->res stays NULL without
 * either). Returns AF_OK or AF_EINPUT with the job named in d. */
int af_res_build(af_world *w, job *jb, af_diag *d);

/* At time 0: draws the first failure. */
void af_res_start(job *jb);

/* After a step: starts a checkpoint when one is due. Returns true when the job must stall (it
 * is then resumed by resilience.c through af_job_resume). */
bool af_res_after_step(job *jb);

/* The events the job's checkpoints and failures will need at most (event budget). */
double af_res_events(const job *jb, double duration_s);

/* Writes the job's checkpoint and failure metrics. */
void af_res_report(const af_world *w, const job *jb, af_results *r);

/* Releases the job's resilience state. */
void af_res_free(job *jb);

#endif
