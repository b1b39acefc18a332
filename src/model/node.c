/*
 * node: derived figures of a server; see node.h.
 */
#include "model/node.h"

double af_node_storage_Bps(const af_node_spec *node)
{
    return node->storage_nics * node->storage_nic.rate_Bps;
}

double af_node_power_W(const af_node_spec *node, double u)
{
    return node->overhead_W + node->gpus * af_gpu_power_W(&node->gpu, u);
}
