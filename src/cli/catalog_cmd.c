/*
 * catalog_cmd: `aifsim catalog [gpus|links|nodes|storage|facility|switches|llms|mlperf|servers]
 * [--sources] [--models DIR]`.
 *
 * Prints the model catalog as aligned tables with units, one per section (or the one asked
 * for), in file order. Plain columns come straight from the schema's field table (so a new
 * catalog field needs no code here to be listed with --sources); derived columns (a node's
 * peak, its ports, a switch's capacity, a language model's weights and KV cache per token) use
 * the model helpers, and a storage node's (raw and
 * usable capacity, bandwidth, IOPS, power, price) are the sizing plan's figures of one node
 * (af_size_node_figures), as `aifsim size` prints them. With --sources every figure is listed
 * with its source.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/units.h"
#include "model/fabric.h"
#include "model/llm.h"
#include "model/node.h"
#include "plan/size.h"
#include "scenario/catalog.h"
#include "scenario/schema.h"

#include <stdio.h>
#include <string.h>

static const char catalog_usage[] =
    "usage: aifsim catalog [gpus|links|nodes|storage|facility|switches|llms|mlperf|servers]\n"
    "                      [--sources] [--models DIR]\n"
    "\n"
    "Lists the model catalog with the key figures of every entry, in catalog order.\n"
    "\n"
    "  --sources     also list every figure with the source it comes from\n"
    "  --models DIR  read the model catalog from DIR\n";

enum { AF_CELL = 48, AF_MAX_COLS = 12 };

/* A table column: a catalog field shown as is, or a derived figure. */
typedef struct af_col {
    const char *header; /* column title */
    const char *field;  /* schema field key, or NULL for a derived column */
    /* Derived column: formats the figure of entry spec into buf. */
    void (*derive)(const void *spec, char *buf, size_t n);
} af_col;

static void node_peak(const void *spec, char *buf, size_t n)
{
    const af_node_spec *s = spec;
    af_units_format(s->gpus * s->gpu.bf16_flops, AF_DIM_FLOPS, buf, n);
}

static void node_storage(const void *spec, char *buf, size_t n)
{
    char rate[AF_CELL];
    const af_node_spec *s = spec;
    snprintf(buf, n, "%d x %s", s->storage_nics,
             af_units_format(s->storage_nic.rate_Bps, AF_DIM_BANDWIDTH, rate, sizeof rate));
}

static void node_fabric(const void *spec, char *buf, size_t n)
{
    char rate[AF_CELL];
    const af_node_spec *s = spec;
    snprintf(buf, n, "%d x %s", s->nics,
             af_units_format(s->nic.rate_Bps, AF_DIM_BANDWIDTH, rate, sizeof rate));
}

static void node_nvlink(const void *spec, char *buf, size_t n)
{
    const af_node_spec *s = spec;
    af_units_format(s->nvlink.rate_Bps, AF_DIM_BANDWIDTH, buf, n);
}

static void node_host_link(const void *spec, char *buf, size_t n)
{
    const af_node_spec *s = spec;
    af_units_format(s->host_link.rate_Bps, AF_DIM_BANDWIDTH, buf, n);
}

/* Storage columns: one node's figures as `aifsim size` plans with them (plan/size.h), so the
 * catalog and the sizing helper cannot disagree on what a node holds, moves, draws or costs. */
static void storage_raw(const void *spec, char *buf, size_t n)
{
    af_units_format(af_size_node_figures(spec).raw_B, AF_DIM_SIZE, buf, n);
}

static void storage_usable(const void *spec, char *buf, size_t n)
{
    af_units_format(af_size_node_figures(spec).usable_B, AF_DIM_SIZE, buf, n);
}

static void storage_read(const void *spec, char *buf, size_t n)
{
    af_units_format(af_size_node_figures(spec).read_Bps, AF_DIM_BANDWIDTH, buf, n);
}

static void storage_write(const void *spec, char *buf, size_t n)
{
    af_units_format(af_size_node_figures(spec).write_Bps, AF_DIM_BANDWIDTH, buf, n);
}

static void storage_iops(const void *spec, char *buf, size_t n)
{
    af_units_format(af_size_node_figures(spec).read_iops, AF_DIM_RATE, buf, n);
}

static void storage_power(const void *spec, char *buf, size_t n)
{
    af_units_format(af_size_node_figures(spec).max_W, AF_DIM_POWER, buf, n);
}

/* Price of one node with its devices (chassis + devices x device price). */
static void storage_price(const void *spec, char *buf, size_t n)
{
    af_units_format(af_size_node_figures(spec).price_usd, AF_DIM_MONEY, buf, n);
}

/* Switching capacity one way: ports x port rate (a 64 x 400 Gb/s switch: 25.6 Tb/s, the
 * datasheets' 51.2 Tb/s counts both directions). */
static void switch_capacity(const void *spec, char *buf, size_t n)
{
    const af_switch_spec *s = spec;
    af_units_format(s->ports * s->port_rate_Bps, AF_DIM_BANDWIDTH, buf, n);
}

/* A language model's weights and KV cache per token in BF16 (FP8 halves both). */
static void llm_weights(const void *spec, char *buf, size_t n)
{
    af_units_format(af_llm_weights_B(spec, AF_LLM_BF16), AF_DIM_SIZE, buf, n);
}

static void llm_kv(const void *spec, char *buf, size_t n)
{
    af_units_format(af_llm_kv_token_B(spec, AF_LLM_BF16), AF_DIM_SIZE, buf, n);
}

/* The columns of each section's table. */
static const af_col catalog_cols[AF_SECTION__COUNT][AF_MAX_COLS] = {
    [AF_SECTION_GPUS] = {{"BF16", "bf16", NULL},
                         {"FP8", "fp8", NULL},
                         {"HBM", "hbm", NULL},
                         {"HBM bandwidth", "hbm_bandwidth", NULL},
                         {"TDP", "tdp", NULL},
                         {"idle", "idle_power", NULL},
                         {"price", "price", NULL}},
    [AF_SECTION_LINKS] = {{"kind", "kind", NULL},
                          {"rate", "rate", NULL},
                          {"latency", "latency", NULL},
                          {"port power", "port_power", NULL}},
    [AF_SECTION_NODES] = {{"GPU", "gpu", NULL},
                          {"GPUs", "gpus", NULL},
                          {"peak BF16", NULL, node_peak},
                          {"fabric", NULL, node_fabric},
                          {"NVLink/GPU", NULL, node_nvlink},
                          {"PCIe/GPU", NULL, node_host_link},
                          {"storage ports", NULL, node_storage},
                          {"max power", "max_power", NULL},
                          {"U", "rack_units", NULL},
                          {"price", "price", NULL}},
    [AF_SECTION_STORAGE] = {{"media", "media", NULL},
                            {"devices", "devices", NULL},
                            {"raw", NULL, storage_raw},
                            {"usable", NULL, storage_usable},
                            {"read", NULL, storage_read},
                            {"write", NULL, storage_write},
                            {"read IOPS", NULL, storage_iops},
                            {"max power", NULL, storage_power},
                            {"U", "rack_units", NULL},
                            {"price", NULL, storage_price}},
    [AF_SECTION_FACILITY] = {{"PUE", "pue", NULL},
                             {"energy", "energy_price", NULL},
                             {"amortization", "amortization", NULL},
                             {"rack power", "rack_power", NULL},
                             {"rack U", "rack_units", NULL},
                             {"space", "space_cost", NULL}},
    [AF_SECTION_SWITCHES] = {{"ports", "ports", NULL},
                             {"port rate", "port_rate", NULL},
                             {"capacity", NULL, switch_capacity},
                             {"typical power", "typical_power", NULL},
                             {"max power", "max_power", NULL},
                             {"U", "rack_units", NULL},
                             {"price", "price", NULL}},
    [AF_SECTION_LLMS] = {{"params", "params", NULL},
                         {"layers", "layers", NULL},
                         {"hidden", "hidden", NULL},
                         {"heads", "heads", NULL},
                         {"KV heads", "kv_heads", NULL},
                         {"head dim", "head_dim", NULL},
                         {"context", "context", NULL},
                         {"BF16 weights", NULL, llm_weights},
                         {"BF16 KV/token", NULL, llm_kv}},
    [AF_SECTION_MLPERF] = {{"sample", "sample_size", NULL},
                           {"per file", "samples_per_file", NULL},
                           {"batch", "batch_per_gpu", NULL},
                           {"step time", "step_time", NULL},
                           {"readers", "reader_threads", NULL},
                           {"epochs", "epochs", NULL},
                           {"min AU", "min_au", NULL}},
    [AF_SECTION_SERVERS] = {{"idle", "idle_power", NULL},
                            {"busy", "busy_power", NULL},
                            {"U", "rack_units", NULL},
                            {"price", "price", NULL},
                            {"embodied", "embodied_carbon", NULL}},
};

/* Prints one section as a table: a header line, then one row per entry, columns padded to
 * their widest cell. */
static void catalog_table(const af_catalog *cat, af_section sec, FILE *out)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    const af_col *cols = catalog_cols[sec];
    size_t ncols = 0;
    while (ncols < AF_MAX_COLS && cols[ncols].header)
        ncols++;
    size_t n = af_catalog_count(cat, sec);
    /* cells[(row * (ncols + 1)) + col]; row 0 is the header, column 0 the name. */
    char(*cells)[AF_CELL] = af_calloc((n + 1) * (ncols + 1), AF_CELL);
    size_t width[AF_MAX_COLS + 1] = {0};
    snprintf(cells[0], AF_CELL, "%s", desc->key);
    for (size_t c = 0; c < ncols; c++)
        snprintf(cells[c + 1], AF_CELL, "%s", cols[c].header);
    for (size_t r = 0; r < n; r++) {
        const void *spec = af_catalog_entry(cat, sec, r);
        char(*row)[AF_CELL] = &cells[(r + 1) * (ncols + 1)];
        snprintf(row[0], AF_CELL, "%s",
                 *(const char *const *)((const char *)spec + desc->name_offset));
        for (size_t c = 0; c < ncols; c++) {
            if (cols[c].field)
                af_schema_format(af_schema_field(desc, cols[c].field), spec, row[c + 1], AF_CELL);
            else
                cols[c].derive(spec, row[c + 1], AF_CELL);
        }
    }
    for (size_t r = 0; r <= n; r++)
        for (size_t c = 0; c <= ncols; c++) {
            size_t len = strlen(cells[r * (ncols + 1) + c]);
            width[c] = len > width[c] ? len : width[c];
        }
    for (size_t r = 0; r <= n; r++) {
        for (size_t c = 0; c <= ncols; c++)
            fprintf(out, "%s%-*s", c ? "  " : "", c == ncols ? 0 : (int)width[c],
                    cells[r * (ncols + 1) + c]);
        fputc('\n', out);
    }
    af_free(cells);
}

/* Where the [keys] of the source texts are resolved: doc/sources.md, installed in the docdir. */
#ifndef AF_DOCDIR
#define AF_DOCDIR "doc"
#endif

/* Prints the source of every figure of a section. */
static void catalog_sources(const af_catalog *cat, af_section sec, FILE *out)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    fprintf(out, "\nsources of %s figures ([key]: %s/sources.md):\n", desc->key, AF_DOCDIR);
    for (size_t r = 0; r < af_catalog_count(cat, sec); r++) {
        const void *spec = af_catalog_entry(cat, sec, r);
        const char *name = *(const char *const *)((const char *)spec + desc->name_offset);
        for (size_t k = 0; k < desc->nfields; k++) {
            const af_field *f = &desc->fields[k];
            const char *src = af_catalog_source(cat, sec, name, f->key);
            const char *date = af_catalog_date(cat, sec, name, f->key);
            char value[AF_CELL];
            if (src)
                fprintf(out, "  %s.%s = %s%s%s%s: %s\n", name, f->key,
                        af_schema_format(f, spec, value, sizeof value), date ? " (" : "",
                        date ? date : "", date ? ")" : "", src);
        }
    }
}

int af_cmd_catalog(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "catalog");
    af_diag *d = c.d;
    int rc = 2;
    const char *models = NULL, *section = NULL;
    bool sources = false;
    af_catalog *cat = NULL;
    const char *keys[AF_SECTION__COUNT];
    for (int s = 0; s < AF_SECTION__COUNT; s++)
        keys[s] = af_schema_desc((af_section)s)->key;
    int only = -1;

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, catalog_usage);
            goto done;
        } else if ((v = af_cli_take(argc, argv, &i, "--models", &missing))) {
            models = v;
        } else if (strcmp(argv[i], "--sources") == 0) {
            sources = true;
        } else if (missing) {
            af_cli_missing_value(&c, argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            af_cli_unknown_option(&c, argv[i]);
        } else if (section) {
            af_diag_error(d, "`aifsim catalog` takes one section, got \"%s\" and \"%s\"", section,
                          argv[i]);
        } else {
            section = argv[i];
        }
    }
    if (section) {
        for (int s = 0; s < AF_SECTION__COUNT; s++)
            if (strcmp(section, keys[s]) == 0)
                only = s;
        if (only < 0) {
            const char *near = af_did_you_mean(section, keys, AF_SECTION__COUNT);
            if (near) {
                af_diag_error(d, "unknown catalog section \"%s\"; did you mean \"%s\"?", section,
                              near);
            } else {
                /* The list comes from the schema, so a new section is named here by itself. */
                char list[256] = "";
                size_t len = 0;
                for (int k = 0; k < AF_SECTION__COUNT && len < sizeof list; k++)
                    len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                                            keys[k]);
                af_diag_error(d, "unknown catalog section \"%s\"; expected one of %s", section,
                              list);
            }
        }
    }
    if (af_diag_errors(d))
        goto done;

    cat = af_cli_load_catalog(models, d);
    if (!cat)
        goto done;
    for (int s = 0; s < AF_SECTION__COUNT; s++) {
        if (only >= 0 && s != only)
            continue;
        if (only < 0 && s > 0)
            fputc('\n', stdout);
        catalog_table(cat, (af_section)s, stdout);
        if (sources)
            catalog_sources(cat, (af_section)s, stdout);
    }
    rc = 0;

done:
    af_catalog_free(cat);
    return af_cli_finish(&c, rc);
}
