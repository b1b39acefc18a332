/*
 * mlperf: the MLPerf Storage data-set rule and accelerator utilization; see mlperf.h.
 *
 * The data-set rule follows the benchmark's datasize computation (the rules' "Minimum dataset
 * size"); the AU follows DLIO's per-epoch computation (its stats counter: the compute of the
 * steps after the excluded first one over the epoch's time less that step's, averaged over the
 * epochs).
 */
#include "workload/mlperf.h"

#include <assert.h>
#include <math.h>

double af_mlperf_dataset_samples(const af_mlperf_spec *p, double batch, double accelerators,
                                 double hosts, double host_memory_B)
{
    double by_steps = p->min_steps * batch * accelerators;
    double by_memory =
        host_memory_B > 0 ? ceil(hosts * host_memory_B * p->memory_factor / p->sample_B) : 0;
    double samples = fmax(by_steps, by_memory);
    double spf = p->samples_per_file >= 1 ? p->samples_per_file : 1;
    return ceil(samples / spf) * spf;
}

double af_mlperf_steps_per_epoch(double samples, double batch, double accelerators)
{
    double per_step = batch * accelerators;
    return per_step > 0 ? floor(samples / per_step) : 0;
}

void af_au_meter_start(af_au_meter *m, double steps_per_epoch, double compute_s,
                       af_time_ns start_ns)
{
    assert(steps_per_epoch >= 1);
    *m = (af_au_meter){.steps_per_epoch = steps_per_epoch,
                       .compute_s = compute_s,
                       .epoch_begin_ns = start_ns,
                       .first_end_ns = start_ns,
                       .last_end_ns = start_ns};
}

double af_au_epoch(int64_t steps, double compute_s, af_time_ns begin_ns, af_time_ns first_end_ns,
                   af_time_ns end_ns)
{
    if (steps < 1)
        return -1;
    if (steps == 1) {
        double t = af_time_to_s(end_ns - begin_ns);
        return t > 0 ? fmin(1, compute_s / t) : 1;
    }
    double t = af_time_to_s(end_ns - first_end_ns);
    /* A step takes at least its compute, so only rounding to the nanosecond can push it past 1. */
    return t > 0 ? fmin(1, (double)(steps - 1) * compute_s / t) : 1;
}

bool af_au_meter_step(af_au_meter *m, af_time_ns now_ns)
{
    m->in_epoch++;
    m->last_end_ns = now_ns;
    if (m->in_epoch == 1)
        m->first_end_ns = now_ns;
    if ((double)m->in_epoch < m->steps_per_epoch)
        return false;
    m->au_sum += af_au_epoch(m->in_epoch, m->compute_s, m->epoch_begin_ns, m->first_end_ns, now_ns);
    m->epochs++;
    m->in_epoch = 0;
    m->epoch_begin_ns = now_ns;
    return true;
}

double af_au_meter_value(const af_au_meter *m)
{
    if (m->epochs > 0)
        return m->au_sum / (double)m->epochs;
    return af_au_epoch(m->in_epoch, m->compute_s, m->epoch_begin_ns, m->first_end_ns,
                       m->last_end_ns);
}
