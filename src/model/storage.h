/*
 * storage: a storage system from the catalog (a node type with its devices) and a tier built
 * from a number of such nodes.
 *
 * Device time model: an operation of s bytes costs 1/IOPS + s/bandwidth seconds of device time
 * (../shared/reference/formulas.md, "Storage sizing"), so one budget bounds both small random and
 * large sequential traffic. A node delivers the lesser of its devices' aggregate and its NICs'.
 */
#ifndef AF_MODEL_STORAGE_H
#define AF_MODEL_STORAGE_H

#include "model/link.h"

typedef enum { AF_MEDIA_TLC, AF_MEDIA_QLC, AF_MEDIA_HDD } af_media;

/* A storage node model. Strings borrowed from the catalog. */
typedef struct af_storage_spec {
    const char *name;         /* catalog name, e.g. "flash-qlc-node" */
    const char *description;  /* one line for people */
    af_media media;           /* device technology */
    int devices;              /* devices per node */
    double device_B;          /* raw capacity per device, bytes */
    double device_read_Bps;   /* sustained read per device, bytes/s */
    double device_write_Bps;  /* sustained write per device, bytes/s */
    double device_read_iops;  /* random read IOPS per device */
    double device_write_iops; /* random write IOPS per device */
    double device_latency_s;  /* typical read latency, s */
    double device_idle_W;     /* device power idle, W */
    double device_active_W;   /* device power when busy, W */
    af_link_spec nic;         /* node network port model */
    int nics;                 /* network ports per node */
    double usable_fraction;   /* usable / raw after erasure coding and fill limit, (0, 1] */
    double overhead_W;        /* node power besides devices (CPU, fans, enclosure), W */
    double rack_units;        /* height per node, U */
    double price_usd;         /* price per node with devices, USD */
} af_storage_spec;

/* Aggregate read bandwidth of one node: min(devices * device_read, nics * nic rate), bytes/s. */
double af_storage_node_read_Bps(const af_storage_spec *s);

/* Aggregate write bandwidth of one node, likewise, bytes/s. */
double af_storage_node_write_Bps(const af_storage_spec *s);

/* Usable capacity of one node, bytes. */
double af_storage_node_usable_B(const af_storage_spec *s);

/* Device time for one read of size_B bytes: 1/read_iops + size_B/device_read_Bps, s. */
double af_storage_read_cost_s(const af_storage_spec *s, double size_B);

#endif
