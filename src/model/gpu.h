/*
 * gpu: an accelerator model.
 *
 * Peak throughput by precision, memory, and power. Power follows utilization linearly between
 * idle and full load, the usual first-order model (Fan, Weber and Barroso, "Power provisioning
 * for a warehouse-sized computer", ISCA 2007; doc/formulas.md, "Power"). Figures come from the
 * catalog (models/gpus.yaml; the idle fraction of TDP is explained in doc/sources.md, aifsim-est).
 *
 * Power limit (nvidia-smi -pl): a GPU capped at L < TDP draws at most L and runs slower. Its
 * throughput share follows a power law through the one published point the catalog gives,
 * (capped_power, capped_throughput):
 *     throughput(L) = min(1, (L / TDP)^b),   b = ln(capped_throughput) / ln(capped_power / TDP)
 * (doc/formulas.md, "GPU power limits"). A limit below min_power_limit is refused by the driver.
 */
#ifndef AF_MODEL_GPU_H
#define AF_MODEL_GPU_H

/* A GPU part. Plain data; strings are borrowed from whoever built the spec (the catalog arena). */
typedef struct af_gpu_spec {
    const char *name;        /* catalog name, e.g. "h100-sxm" */
    const char *description; /* one line for people */
    double bf16_flops;       /* dense BF16 peak, FLOP/s */
    double fp8_flops;        /* dense FP8 peak, FLOP/s; 0 when the part has no FP8 */
    double hbm_B;            /* HBM capacity, bytes */
    double hbm_Bps;          /* HBM bandwidth, bytes/s */
    double tdp_W;            /* board power at full load, W */
    double idle_W;           /* power when idle, W */
    double price_usd;        /* street price of one GPU, USD */
    double min_limit_W;      /* lowest power limit the driver accepts, W */
    double capped_W;         /* a power limit with a published throughput, W (< tdp) */
    double capped_share;     /* throughput at capped_W as a share of uncapped, (0, 1] */
} af_gpu_spec;

/* Power drawn at utilization u in [0, 1] (clamped): idle + u * (tdp - idle), in W. */
double af_gpu_power_W(const af_gpu_spec *gpu, double u);

/* Full-load power under a power limit limit_W (0 or >= tdp: none): min(tdp, limit), W. */
double af_gpu_full_W(const af_gpu_spec *gpu, double limit_W);

/* Power at utilization u under a power limit: idle + u * (af_gpu_full_W - idle), W. */
double af_gpu_power_capped_W(const af_gpu_spec *gpu, double u, double limit_W);

/* Throughput share left under a power limit, (0, 1]: 1 without a limit (0 or >= tdp), else the
 * power law above. limit_W > 0. */
double af_gpu_throughput_at(const af_gpu_spec *gpu, double limit_W);

#endif
