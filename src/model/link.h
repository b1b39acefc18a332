/*
 * link: a network or in-node link model (InfiniBand, RoCE, NVLink, PCIe). Figures from
 * models/links.yaml.
 */
#ifndef AF_MODEL_LINK_H
#define AF_MODEL_LINK_H

typedef enum { AF_LINK_INFINIBAND, AF_LINK_ETHERNET, AF_LINK_NVLINK, AF_LINK_PCIE } af_link_kind;

/* A link (one port). Strings borrowed from the catalog. */
typedef struct af_link_spec {
    const char *name;        /* catalog name, e.g. "ib-ndr-400" */
    const char *description; /* one line for people */
    af_link_kind kind;       /* technology family */
    double rate_Bps;         /* data rate per direction, bytes/s (400 Gb/s = 50e9 B/s) */
    double latency_s;        /* one-way port-to-port latency, s */
    double port_power_W;     /* power per port including optics at the host, W */
} af_link_spec;

#endif
