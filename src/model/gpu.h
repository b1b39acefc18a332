/*
 * gpu: an accelerator model.
 *
 * Peak throughput by precision, memory, and power. Power follows utilization linearly between
 * idle and full load, the usual first-order model (Fan, Weber and Barroso, "Power provisioning
 * for a warehouse-sized computer", ISCA 2007; doc/formulas.md, "Power"). Figures come from the
 * catalog (models/gpus.yaml; the idle fraction of TDP is explained in doc/sources.md, aifsim-est).
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
} af_gpu_spec;

/* Power drawn at utilization u in [0, 1] (clamped): idle + u * (tdp - idle), in W. */
double af_gpu_power_W(const af_gpu_spec *gpu, double u);

#endif
