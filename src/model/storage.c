/*
 * storage: derived figures of a storage node; see storage.h.
 */
#include "model/storage.h"

static double af_min(double a, double b)
{
    return a < b ? a : b;
}

double af_storage_node_read_Bps(const af_storage_spec *s)
{
    return af_min(s->devices * s->device_read_Bps, s->nics * s->nic.rate_Bps);
}

double af_storage_node_write_Bps(const af_storage_spec *s)
{
    return af_min(s->devices * s->device_write_Bps, s->nics * s->nic.rate_Bps);
}

double af_storage_node_usable_B(const af_storage_spec *s)
{
    return s->devices * s->device_B * s->usable_fraction;
}

double af_storage_read_cost_s(const af_storage_spec *s, double size_B)
{
    return 1.0 / s->device_read_iops + size_B / s->device_read_Bps;
}
