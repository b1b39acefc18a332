/*
 * node: derived figures of a server; see node.h.
 */
#include "model/node.h"

double af_node_storage_Bps(const af_node_spec *node)
{
    return node->storage_nics * node->storage_nic.rate_Bps;
}

double af_node_ports_W(const af_node_spec *node)
{
    return node->nics * node->nic.port_power_W + node->storage_nics * node->storage_nic.port_power_W;
}

double af_node_power_W(const af_node_spec *node, double u, double limit_W)
{
    return node->host_W + af_node_ports_W(node) +
           node->gpus * af_gpu_power_capped_W(&node->gpu, u, limit_W);
}
