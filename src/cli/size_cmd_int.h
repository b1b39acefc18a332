/*
 * size_cmd_int: the parts of `aifsim size` shared by size_cmd.c (options, the text output, the
 * command) and size_json.c (the JSON file) and nothing else.
 */
#ifndef AF_CLI_SIZE_CMD_INT_H
#define AF_CLI_SIZE_CMD_INT_H

#include "base/diag.h"
#include "base/units.h"
#include "model/facility.h"
#include "plan/size.h"

#include <stdbool.h>
#include <stddef.h>

#define AF_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* How a figure's label is completed. */
typedef enum {
    AF_LBL_PLAIN, /* as written */
    AF_LBL_BASIS, /* "%s": the power basis, "at load" or "all busy" */
    AF_LBL_LIFE,  /* "%s": the lifetime, "5 y" */
} af_lbl;

/* A figure of the demand or of a sized tier, as printed and as written to JSON. */
typedef struct af_size_fig {
    const char *label; /* for people: "usable capacity"; "%s" marks where AF_LBL_* puts its words */
    const char *key;   /* JSON key: "usable_capacity" */
    af_dim dim;        /* its dimension, for af_units_format and af_units_si */
    size_t offset;     /* offset of its double in af_storage_demand or af_size_result */
    const char *unit;  /* unit shown after the number and in JSON instead of the SI one, or
                        * NULL (rack units: "U") */
    size_t ratio_offset;   /* offset of the comparison's ratio (af_size_ratios), or SIZE_MAX */
    af_lbl lbl;            /* how the label is completed */
    double text_scale;     /* the text shows value x text_scale (0: 1) */
    const char *json_unit; /* the JSON unit when it differs from the text's, or NULL */
} af_size_fig;

/* The figures of the demand, of a sized tier and of one node (size_cmd.c), with their counts. */
extern const af_size_fig size_demand_figs[], size_tier_figs[], size_node_figs[];
extern const size_t size_ndemand_figs, size_ntier_figs, size_nnode_figs;

/* Figure f's value in base (an af_storage_demand or an af_size_result). */
static inline double size_fig_get(const af_size_fig *f, const void *base)
{
    return *(const double *)((const char *)base + f->offset);
}

/* One system to size: SYSTEM or SYSTEM2 with its overrides. */
typedef struct size_side {
    const char *name;       /* as given */
    const char *option;     /* NULL for SYSTEM, "--compare" for SYSTEM2 */
    const char *set_option; /* "--set" or "--set-b" */
    const char **sets;      /* FIELD=VALUE arguments, borrowed from argv */
    size_t nsets;
    af_storage_spec spec; /* the catalog entry with the overrides applied */
    af_size_result res;   /* the plan */
} size_side;

/* What the planning options were written as, for the text. */
typedef struct size_inputs {
    const char *erasure; /* --erasure as given, or NULL */
    const char *fill;    /* --fill as given, or NULL */
    bool pue_given, price_given, life_given;
} size_inputs;

/* Writes the figures to path atomically (size_json.c): the demand, the facility, each system's
 * plan and, with two systems, the ratios of the second system's figures to the first's. */
int size_json_save(const char *path, const af_storage_demand *dem, const af_facility_spec *fac,
                   const size_side *sides, int n, af_diag *d);

#endif
