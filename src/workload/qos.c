/*
 * qos: what the QoS weights guarantee.
 *
 * Weighted max-min sharing by progressive filling (engine/flow.h) never lets a resource r
 * saturate below the level C_r / W_r, where W_r sums scale x k x weight over every flow that may
 * cross r (Bertsekas and Gallager, Data Networks, 2nd ed., 1992, sec. 6.5.2; doc/formulas.md,
 * "QoS floors"). So a flow's rate per unit weight is at least min over its path of C_r / W_r,
 * whatever else runs: its floor. Each kind adds the flows it may start to W (weigh) and reads its
 * floors back (floors); the floors are computed once, before the run.
 */
#include "workload/world_int.h"

#include "base/alloc.h"

#include <math.h>

void af_qos_add(double *W, const af_path *p, double k, double weight)
{
    for (uint32_t h = 0; h < p->n; h++)
        W[p->res[h]] += p->scale[h] * k * weight;
}

double af_qos_level(const af_world *w, const double *W, const af_path *p)
{
    double L = INFINITY;
    for (uint32_t h = 0; h < p->n; h++) {
        double c = af_flownet_resource_capacity(w->net, p->res[h]);
        double l = W[p->res[h]] > 0 ? c / W[p->res[h]] : INFINITY;
        if (l < L)
            L = l;
    }
    return L;
}

double af_qos_alone_Bps(const af_world *w, const af_path *p)
{
    double R = INFINITY;
    for (uint32_t h = 0; h < p->n; h++) {
        double r = af_flownet_resource_capacity(w->net, p->res[h]) / p->scale[h];
        if (r < R)
            R = r;
    }
    return R;
}

void af_qos_floors(af_world *w)
{
    double *W = af_calloc(w->nres, sizeof *W);
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->weigh)
            af_world_kinds[k]->weigh(w, W);
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->floors)
            af_world_kinds[k]->floors(w, W);
    af_free(W);
}
