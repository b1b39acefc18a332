/*
 * gpu: linear power between idle and TDP; see gpu.h.
 */
#include "model/gpu.h"

double af_gpu_power_W(const af_gpu_spec *gpu, double u)
{
    if (u < 0)
        u = 0;
    if (u > 1)
        u = 1;
    return gpu->idle_W + u * (gpu->tdp_W - gpu->idle_W);
}
