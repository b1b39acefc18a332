/*
 * node: a GPU server (e.g. DGX H100): GPUs, NICs, power and price. Pools of identical nodes are
 * the unit of placement. Figures from models/nodes.yaml.
 */
#ifndef AF_MODEL_NODE_H
#define AF_MODEL_NODE_H

#include "model/gpu.h"
#include "model/link.h"

/* A server model. The GPU and link specs are copies; strings are borrowed from the catalog. */
typedef struct af_node_spec {
    const char *name;        /* catalog name, e.g. "dgx-h100" */
    const char *description; /* one line for people */
    af_gpu_spec gpu;         /* the GPU part */
    int gpus;                /* GPUs per node */
    af_link_spec nic;        /* compute-fabric NIC model */
    int nics;                /* compute-fabric NICs per node */
    af_link_spec storage_nic; /* storage/front-end NIC model */
    int storage_nics;        /* storage NICs per node */
    double max_power_W;      /* nameplate maximum power of the whole node, W: what a rack is
                              * provisioned for */
    double host_W;           /* typical power under load besides the GPUs and the NIC ports
                              * (CPUs, memory, NVSwitches, fans, PSU losses), W */
    double rack_units;       /* height, U */
    double price_usd;        /* price of the node with its GPUs, USD */
    double embodied_kg;      /* embodied carbon of the node with its GPUs, kg CO2e */
    af_link_spec nvlink;     /* GPU-to-GPU link inside the node (NVLink through NVSwitch), per
                              * GPU per direction: the intra-node stage of collectives */
    af_link_spec host_link;  /* GPU-to-host link (PCIe), per GPU per direction: the snapshot
                              * copy of asynchronous checkpoints */
} af_node_spec;

/* Storage read bandwidth one node's storage NICs can carry, bytes/s. */
double af_node_storage_Bps(const af_node_spec *node);

/* Power of the node's NIC ports with their optics: nics x nic port power + storage_nics x
 * storage NIC port power, W. */
double af_node_ports_W(const af_node_spec *node);

/* Node power at GPU utilization u under GPU power limit limit_W (0: none): host + ports +
 * gpus x af_gpu_power_capped_W(u, limit), W. The busy figure (u = 1, no limit) is the node's
 * typical full-load draw, below its nameplate max_power_W. */
double af_node_power_W(const af_node_spec *node, double u, double limit_W);

#endif
