/*
 * fabric: a network that connects endpoint groups (the NICs of GPU nodes, of storage nodes)
 * through switches.
 *
 * Topologies, all built from one switch model (af_switch_spec):
 * - Fat-tree (folded Clos; Leiserson, "Fat-trees: universal networks for hardware-efficient
 *   supercomputing", IEEE Trans. Computers C-34(10), 1985). Leaves take endpoints on `down` ports
 *   and reach the spines on `up` ports, down:up = the oversubscription ratio; everything above the
 *   leaves is non-blocking. Two levels hold up to k leaves (k = switch ports); three levels group
 *   k/2 leaves into a pod with its own spines (k/2 ports down, k/2 up) under a core layer, up to
 *   k pods. With 1:1 leaves and full pods this is the k-ary fat-tree of Al-Fares, Loukissas and
 *   Vahdat, "A scalable, commodity data center network architecture", SIGCOMM 2008: k^3/4 hosts
 *   and 5k^2/4 switches. A fabric whose endpoints fit one switch is a single switch (one level).
 * - Rail-optimized (NVIDIA DGX SuperPOD reference architecture, H100 and B200 editions): a node
 *   with R NICs puts NIC i on rail i; a scalable unit (SU) of `down` nodes has one leaf per rail,
 *   so an SU of R-NIC nodes takes R leaves. Spines (and cores) above are as in the fat-tree.
 *
 * Counting rules (the invariants the tests check):
 * - A leaf serves one group: every group starts on a fresh leaf (its endpoints packed
 *   contiguously), except in a one-switch fabric where all share the switch.
 * - Each endpoint NIC takes one switch port and runs at min(NIC rate, switch port rate).
 *   Breakout cables are described by the switch model itself (an SN5600 split to 400G is a
 *   128 x 400G switch).
 * - Even striping: every leaf has the same number of parallel links to every spine, so the spine
 *   count is the smallest divisor of `up` whose ports carry all the leaf uplinks (at least
 *   ceil(leaves x up / k)). In three levels each pod does the same with k/2 down ports per pod
 *   spine, and cores = ceil(all leaf uplinks / k). With full pods the counts equal Al-Fares'; the
 *   rule reproduces the compute-fabric tables of the SuperPOD RAs (H100 RA table 4, 1 to 4 SUs:
 *   8/4, 16/8, 24/16, 32/16 leaves/spines; B200 RA: 16 SUs 128/128/64 with cores, 64 SUs
 *   512/512/256; docs.nvidia.com/dgx-superpod).
 * - Cables: one per endpoint port and one per switch-to-switch link. Optics: two per cable (one
 *   transceiver at each end, every link optical); a twin-port OSFP cage (QM9700) carries two
 *   400G ports, and in-rack DAC links need none, so treat this count as an upper bound.
 *
 * Paths for the fluid model (af_fabric_stages): all-to-all traffic between a source and a
 * destination group, assumed uniform over the endpoints (every source port sends equally to
 * every destination port), spread evenly over the uplinks by ECMP, with each group's endpoints
 * packed contiguously into its leaves. A rail-attached group talking to itself is rail-aligned
 * (NIC i to NIC i of another node, as NCCL arranges), so it leaves its leaf only across SUs.
 *
 * The cost of collectives over a fabric's links (alpha-beta, flat and hierarchical) is in
 * model/collective.h.
 */
#ifndef AF_MODEL_FABRIC_H
#define AF_MODEL_FABRIC_H

#include "base/diag.h"

#include <stdbool.h>
#include <stddef.h>

/* A switch model. Plain data that the catalog can fill later; strings are borrowed. */
typedef struct af_switch_spec {
    const char *name;        /* catalog name, e.g. "qm9700" */
    const char *description; /* one line for people */
    int ports;               /* ports at port_rate_Bps (the radix k), >= 2 */
    double port_rate_Bps;    /* data rate per port per direction, bytes/s (400 Gb/s = 50e9) */
    double typical_W;        /* typical power (passive cables), W */
    double max_W;            /* maximum power (active cables or optics in every cage), W */
    double rack_units;       /* height, U */
    double price_usd;        /* price of one switch, USD; 0 when unknown */
} af_switch_spec;

/* The shape of the fabric. */
typedef enum {
    AF_FABRIC_FAT_TREE, /* every group packed into leaves */
    AF_FABRIC_RAIL      /* rail-attached groups by rail, the others packed as in a fat-tree */
} af_fabric_topology;

/* What the user asks for. Strings borrowed. */
typedef struct af_fabric_spec {
    const char *name;            /* fabric name for messages, e.g. "backend" */
    af_fabric_topology topology; /* fat-tree or rail-optimized */
    af_switch_spec sw;           /* the one switch model used at every level (a copy) */
    double oversubscription;     /* leaf down:up port ratio, >= 1 (1 = 1:1, 2 = 2:1) */
    int levels;                  /* 0: the fewest that fit; 1, 2 or 3: exactly that many */
} af_fabric_spec;

/* One class of endpoints: identical nodes with the same NICs on this fabric. Strings borrowed. */
typedef struct af_fabric_group {
    const char *name;    /* group name for messages, e.g. "train" or "hot" */
    int nodes;           /* nodes in the group, >= 1 */
    int nics_per_node;   /* NIC ports per node on this fabric, >= 1 */
    double nic_rate_Bps; /* rate of one NIC per direction, bytes/s; <= the switch port rate */
    bool rail_attached;  /* AF_FABRIC_RAIL only: NIC i of each node goes to rail i's leaf */
} af_fabric_group;

/* At most this many groups per fabric. */
#define AF_FABRIC_MAX_GROUPS 16

/* Where a group sits, computed by af_fabric_init. */
typedef struct af_fabric_place {
    af_fabric_group group;   /* the group as given (a copy) */
    int endpoints;           /* nodes x nics_per_node */
    int first_leaf;          /* index of its first leaf (0 in a one-switch fabric) */
    int leaves;              /* leaves it occupies (0 in a one-switch fabric) */
    double endpoint_Bps;     /* rate of one endpoint port: min(NIC, switch port), bytes/s */
    double nic_total_Bps;    /* endpoints x endpoint_Bps, bytes/s per direction */
    double uplink_total_Bps; /* its leaves' uplink capacity, bytes/s per direction; 0 at 1 level */
    double uplink_per_endpoint_Bps; /* leaf uplink share of one endpoint port after
                                     * oversubscription, min(endpoint_Bps, up x rate / down) */
    double local_fraction; /* share of its traffic to itself that stays inside a leaf, [0, 1] */
} af_fabric_place;

/* A planned fabric: switch counts and what they cost and carry. Plain data, filled by
 * af_fabric_init; it owns nothing (group names stay borrowed), so there is no fini. */
typedef struct af_fabric {
    af_fabric_spec spec;     /* the spec as given (a copy) */
    int levels;              /* switch levels: 1 (one switch), 2 (leaf-spine), 3 (with cores) */
    int down;                /* endpoint ports per leaf (k in a one-switch fabric) */
    int up;                  /* uplink ports per leaf (0 in a one-switch fabric) */
    double oversubscription; /* effective down:up ratio (<= the spec's; 1 at one level) */
    int endpoints;           /* endpoint ports in all groups */
    int leaves;              /* leaf switches (1 in a one-switch fabric) */
    int spines;              /* second-level switches (pod spines at three levels) */
    int cores;               /* third-level switches; 0 below three levels */
    int pods;                /* pods at three levels (k/2 leaves each); 1 below */
    int switches;            /* leaves + spines + cores */
    int ports_used;          /* switch ports wired: endpoints + 2 x switch-to-switch cables */
    int cables;              /* endpoint cables + switch-to-switch cables */
    int switch_cables;       /* leaf-spine plus spine-core cables */
    int optics;              /* transceivers if every cable end is optical: 2 x cables */
    double typical_W;        /* switches x typical power, W */
    double max_W;            /* switches x maximum power, W */
    double rack_units;       /* switches x height, U */
    double price_usd;        /* switches x price, USD */
    double spine_Bps;        /* capacity into the spine layer: all leaf uplinks, bytes/s per
                              * direction (at one level the switch's endpoint capacity) */
    double bisection_Bps;    /* per direction across a cut halving the endpoints:
                              * min(endpoint capacity, leaf uplink capacity) / 2, bytes/s */
    size_t ngroups;          /* groups in place[] */
    af_fabric_place place[AF_FABRIC_MAX_GROUPS]; /* the groups in the order given */
} af_fabric;

/* Plans a fabric for n groups (1..AF_FABRIC_MAX_GROUPS). On success fills *f and returns AF_OK.
 * Returns AF_EINPUT with a message in d, leaving *f unchanged, when the spec is unusable (radix
 * below 2, oversubscription below 1 or leaving no uplink, a rate not positive, levels outside
 * 0..3), a group is empty or its NIC is faster than a switch port, or the endpoints need more
 * levels than allowed (three at most: k pods of k/2 leaves). */
int af_fabric_init(af_fabric *f, const af_fabric_spec *spec, const af_fabric_group *groups,
                   size_t n, af_diag *d);

/* Kind of a path stage, in the order data crosses them. Each is one direction of a set of links,
 * so two paths that name the same kind and group share the resource. */
typedef enum {
    AF_STAGE_SRC_NIC,      /* source group's NICs, transmit direction */
    AF_STAGE_SRC_UPLINK,   /* source group's leaf uplinks, upward */
    AF_STAGE_SPINE,        /* the spine (and core) layer, shared by every group */
    AF_STAGE_DST_DOWNLINK, /* destination group's leaf uplinks, downward */
    AF_STAGE_DST_NIC       /* destination group's NICs, receive direction */
} af_stage_kind;

/* At most this many stages on a path. */
#define AF_FABRIC_MAX_STAGES 5

/* One stage of a path. */
typedef struct af_fabric_stage {
    af_stage_kind kind;  /* which links */
    int group;           /* owning group index; -1 for the spine layer */
    double link_Bps;     /* the stage's physical capacity, bytes/s in its direction */
    double crossing;     /* share of the path's traffic that crosses it, (0, 1] */
    double capacity_Bps; /* what the path's total rate can reach through it: link / crossing */
    const char *label;   /* static text, e.g. "source leaf uplinks" */
} af_fabric_stage;

/* Fills out[] (room for AF_FABRIC_MAX_STAGES) with the stages that all-to-all traffic from
 * group src to group dst crosses (src may equal dst), in order, and returns how many. Stages the
 * traffic never crosses are left out: a one-switch fabric has only the two NIC stages, and so
 * does a group talking to itself on one leaf. Data flows src to dst: for storage reads pass the
 * storage group as src. The group indices must be below f->ngroups. */
size_t af_fabric_stages(const af_fabric *f, size_t src, size_t dst, af_fabric_stage *out);

#endif
