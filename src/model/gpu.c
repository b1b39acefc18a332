/*
 * gpu: linear power between idle and TDP; see gpu.h.
 */
#include "model/gpu.h"

#include <math.h>

double af_gpu_power_W(const af_gpu_spec *gpu, double u)
{
    if (u < 0)
        u = 0;
    if (u > 1)
        u = 1;
    return gpu->idle_W + u * (gpu->tdp_W - gpu->idle_W);
}

double af_gpu_full_W(const af_gpu_spec *gpu, double limit_W)
{
    return limit_W > 0 && limit_W < gpu->tdp_W ? limit_W : gpu->tdp_W;
}

double af_gpu_power_capped_W(const af_gpu_spec *gpu, double u, double limit_W)
{
    if (u < 0)
        u = 0;
    if (u > 1)
        u = 1;
    double full = af_gpu_full_W(gpu, limit_W);
    double idle = gpu->idle_W < full ? gpu->idle_W : full;
    return idle + u * (full - idle);
}

double af_gpu_throughput_at(const af_gpu_spec *gpu, double limit_W)
{
    if (!(limit_W > 0) || limit_W >= gpu->tdp_W)
        return 1;
    /* Without a published point, throughput falls in proportion to power (b = 1): the
     * pessimistic end, as clocks fall at least as fast as power only in the static-power limit. */
    double b = 1;
    if (gpu->capped_W > 0 && gpu->capped_W < gpu->tdp_W && gpu->capped_share >= 1)
        return 1; /* a point with no loss: flat */
    if (gpu->capped_W > 0 && gpu->capped_W < gpu->tdp_W && gpu->capped_share > 0 &&
        gpu->capped_share < 1)
        b = log(gpu->capped_share) / log(gpu->capped_W / gpu->tdp_W);
    double t = pow(limit_W / gpu->tdp_W, b);
    return t < 1 ? t : 1;
}
