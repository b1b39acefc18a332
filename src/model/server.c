/*
 * server: the power of a CPU server by utilization; see server.h.
 */
#include "model/server.h"

double af_server_power_W(const af_server_spec *s, double u)
{
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    return s->idle_W + (s->busy_W - s->idle_W) * u;
}
