/*
 * train: derived figures of a training job; see train.h. The job's event logic lives in world.c,
 * next to the storage sharing it depends on.
 */
#include "workload/train.h"

double af_train_compute_s(const af_train_config *c, double gpus, double peak_flops)
{
    if (c->step_time_s > 0)
        return c->step_time_s;
    /* 6 FLOPs per parameter per token: 2 forward, 4 backward (Kaplan et al. 2020). */
    return 6.0 * c->params * c->tokens_per_step / (gpus * peak_flops * c->mfu);
}

double af_train_batch_B(const af_train_config *c)
{
    return c->samples_per_gpu * c->sample_B;
}
