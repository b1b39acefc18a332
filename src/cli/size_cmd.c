/*
 * size_cmd: `aifsim size SYSTEM [demand options] [--min-nodes N] [--compare SYSTEM2]
 * [--json FILE] [--models DIR]`.
 *
 * The storage sizing helper (af_storage_size, af_storage_compare in model/storage.h) for people:
 * how many nodes of a catalog storage system hold and serve a demand, which constraint sets that
 * count, and what the tier then offers and costs; with --compare, a second system sized for the
 * same demand beside the first with the ratios (the flash-versus-disk question).
 *
 * Every mistake on the command line is reported in one run (bad values name their option and
 * the expected form), exit 2, nothing written. The text output and the JSON file are driven by
 * the same tables of figures below, so they cannot list different things; the JSON file is
 * written atomically (base/outfile.h) after the sizing succeeded and the figures were printed.
 * With `--json -` the JSON is the only thing on standard output: the figures are not printed.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/outfile.h"
#include "base/units.h"
#include "model/storage.h"
#include "report/json.h"
#include "scenario/catalog.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char size_usage[] =
    "usage: aifsim size SYSTEM [--capacity SIZE] [--read BW] [--write BW] [--read-iops RATE]\n"
    "                   [--file-reads RATE --file-size SIZE]\n"
    "                   [--write-iops RATE] [--op-size SIZE] [--read-op-size SIZE]\n"
    "                   [--write-op-size SIZE] [--min-nodes N] [--compare SYSTEM2]\n"
    "                   [--json FILE] [--models DIR] [-q]\n"
    "\n"
    "Sizes a tier of the catalog storage system SYSTEM (see `aifsim catalog storage`) for a\n"
    "demand: the nodes each constraint needs (capacity, read and write bandwidth, read and\n"
    "write IOPS, all of them at once, the minimum), which one binds, and the tier's capacity,\n"
    "bandwidth, device busy share, power, rack units and price. At least one demand is needed.\n"
    "\n"
    "  --capacity SIZE       usable data to hold, e.g. \"10 PB\"\n"
    "  --read BW             streaming read bandwidth, e.g. \"1 TB/s\" or \"400 Gb/s\"\n"
    "  --write BW            streaming write bandwidth\n"
    "  --read-iops RATE      random reads per second, e.g. \"500k/s\" or \"2 M IOPS\"\n"
    "  --file-reads RATE     files read whole per second, e.g. a training loader's \"20k/s\";\n"
    "                        each costs two device operations (open, first read) plus its\n"
    "                        bytes, as `aifsim run` charges training reads\n"
    "  --file-size SIZE      size of one file of --file-reads, e.g. \"110 kB\"\n"
    "  --write-iops RATE     random writes per second\n"
    "  --op-size SIZE        size of one random read and write (default 4 KiB)\n"
    "  --read-op-size SIZE   size of one random read (overrides --op-size)\n"
    "  --write-op-size SIZE  size of one random write (overrides --op-size)\n"
    "  --min-nodes N         at least N nodes, e.g. the erasure-coding stripe width\n"
    "  --compare SYSTEM2     also size SYSTEM2 and show both side by side with the ratios\n"
    "                        SYSTEM2 / SYSTEM\n"
    "  --json FILE           also write the figures as JSON in SI base units (\"-\" for\n"
    "                        stdout, which then carries the JSON alone)\n"
    "  --models DIR          read the model catalog from DIR\n"
    "  -q, --quiet           do not print the figures\n"
    "\n"
    "exit status: 0 ok, 1 the figures or the JSON file could not be written, 2 bad input\n";

/* Default size of one random operation, bytes: the 4 KiB of data-sheet IOPS figures. */
#define AF_SIZE_DEFAULT_OP_B 4096.0

/* Largest --min-nodes accepted: af_storage_size plans at most this many nodes. */
#define AF_SIZE_MAX_NODES 10000000

/* The options that take a quantity, in the order of the usage text. */
enum {
    AF_O_CAPACITY,
    AF_O_READ,
    AF_O_WRITE,
    AF_O_READ_IOPS,
    AF_O_WRITE_IOPS,
    AF_O_OP_SIZE,
    AF_O_READ_OP_SIZE,
    AF_O_WRITE_OP_SIZE,
    AF_O_FILE_READS,
    AF_O_FILE_SIZE,
    AF_O__COUNT
};

static const struct {
    const char *name; /* the option, "--capacity" */
    af_dim dim;       /* what its value is */
    bool demand;      /* a demand (as opposed to an operation size) */
} af_size_opts[AF_O__COUNT] = {
    [AF_O_CAPACITY] = {"--capacity", AF_DIM_SIZE, true},
    [AF_O_READ] = {"--read", AF_DIM_BANDWIDTH, true},
    [AF_O_WRITE] = {"--write", AF_DIM_BANDWIDTH, true},
    [AF_O_READ_IOPS] = {"--read-iops", AF_DIM_RATE, true},
    [AF_O_WRITE_IOPS] = {"--write-iops", AF_DIM_RATE, true},
    [AF_O_OP_SIZE] = {"--op-size", AF_DIM_SIZE, false},
    [AF_O_READ_OP_SIZE] = {"--read-op-size", AF_DIM_SIZE, false},
    [AF_O_WRITE_OP_SIZE] = {"--write-op-size", AF_DIM_SIZE, false},
    [AF_O_FILE_READS] = {"--file-reads", AF_DIM_RATE, true},
    [AF_O_FILE_SIZE] = {"--file-size", AF_DIM_SIZE, false},
};

/* Every option of the command, for "did you mean". */
static const char *const size_names[] = {
    "--capacity",     "--read",          "--write",      "--read-iops", "--write-iops", "--op-size",
    "--read-op-size", "--write-op-size", "--min-nodes",  "--compare",   "--json",       "--models",
    "--quiet",        "--help",          "--file-reads", "--file-size",
};

/* A figure of the demand or of a sized tier, as printed and as written to JSON. */
typedef struct af_size_fig {
    const char *label;   /* for people: "usable capacity" */
    const char *key;     /* JSON key: "usable_capacity" */
    af_dim dim;          /* its dimension, for af_units_format and af_units_si */
    size_t offset;       /* offset of its double in af_storage_demand or af_storage_sizing */
    const char *unit;    /* unit shown after the number and in JSON instead of the SI one, or
                          * NULL (rack units: "U") */
    size_t ratio_offset; /* offset of the comparison's ratio of this figure, or SIZE_MAX */
} af_size_fig;

static const af_size_fig demand_figs[] = {
    {"capacity", "capacity", AF_DIM_SIZE, offsetof(af_storage_demand, capacity_B), NULL, SIZE_MAX},
    {"read bandwidth", "read_bandwidth", AF_DIM_BANDWIDTH, offsetof(af_storage_demand, read_Bps),
     NULL, SIZE_MAX},
    {"write bandwidth", "write_bandwidth", AF_DIM_BANDWIDTH, offsetof(af_storage_demand, write_Bps),
     NULL, SIZE_MAX},
    {"read IOPS", "read_iops", AF_DIM_RATE, offsetof(af_storage_demand, read_iops), NULL, SIZE_MAX},
    {"read op size", "read_op_size", AF_DIM_SIZE, offsetof(af_storage_demand, read_op_B), NULL,
     SIZE_MAX},
    {"write IOPS", "write_iops", AF_DIM_RATE, offsetof(af_storage_demand, write_iops), NULL,
     SIZE_MAX},
    {"write op size", "write_op_size", AF_DIM_SIZE, offsetof(af_storage_demand, write_op_B), NULL,
     SIZE_MAX},
};

/* The figures of a sized tier (after its node count), in output order. */
static const af_size_fig tier_figs[] = {
    {"usable capacity", "usable_capacity", AF_DIM_SIZE, offsetof(af_storage_sizing, usable_B), NULL,
     SIZE_MAX},
    {"read bandwidth", "read_bandwidth", AF_DIM_BANDWIDTH, offsetof(af_storage_sizing, read_Bps),
     NULL, SIZE_MAX},
    {"write bandwidth", "write_bandwidth", AF_DIM_BANDWIDTH, offsetof(af_storage_sizing, write_Bps),
     NULL, SIZE_MAX},
    {"device busy", "device_busy", AF_DIM_RATIO, offsetof(af_storage_sizing, busy), NULL, SIZE_MAX},
    {"power idle", "idle_power", AF_DIM_POWER, offsetof(af_storage_sizing, idle_W), NULL, SIZE_MAX},
    {"power at load", "load_power", AF_DIM_POWER, offsetof(af_storage_sizing, load_W), NULL,
     offsetof(af_storage_comparison, load_W_ratio)},
    {"power all busy", "active_power", AF_DIM_POWER, offsetof(af_storage_sizing, active_W), NULL,
     SIZE_MAX},
    {"rack units", "rack_units", AF_DIM_NUMBER, offsetof(af_storage_sizing, rack_units), "U",
     offsetof(af_storage_comparison, rack_units_ratio)},
    {"price", "price", AF_DIM_MONEY, offsetof(af_storage_sizing, price_usd), NULL,
     offsetof(af_storage_comparison, price_ratio)},
};

#define AF_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

static double fig_get(const af_size_fig *f, const void *base)
{
    return *(const double *)((const char *)base + f->offset);
}

/* ---- text output ---- */

enum { AF_CELL = 64, AF_ROWS = 24, AF_COLS = 6 };

/* A small table printed with each column padded to its widest cell. */
typedef struct af_table {
    char cell[AF_ROWS][AF_COLS][AF_CELL];
    int rows;
} af_table;

/* Starts a new row and returns its index. The tables here have fixed shapes within AF_ROWS. */
static int table_row(af_table *t)
{
    assert(t->rows < AF_ROWS);
    return t->rows++;
}

static void table_set(af_table *t, int r, int c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void table_set(af_table *t, int r, int c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->cell[r][c], AF_CELL, fmt, ap);
    va_end(ap);
}

/* Prints the table, each row indented by two spaces; the first column is left-aligned, the
 * others right-aligned (numbers line up on their units). */
static void table_print(const af_table *t, FILE *out)
{
    size_t width[AF_COLS] = {0};
    int ncols = 0;
    for (int r = 0; r < t->rows; r++)
        for (int c = 0; c < AF_COLS; c++) {
            size_t len = strlen(t->cell[r][c]);
            if (len > width[c])
                width[c] = len;
            if (len && c + 1 > ncols)
                ncols = c + 1;
        }
    for (int r = 0; r < t->rows; r++) {
        char line[AF_COLS * (AF_CELL + 2) + 4];
        size_t n = (size_t)snprintf(line, sizeof line, "  %-*s", (int)width[0], t->cell[r][0]);
        for (int c = 1; c < ncols; c++)
            n += (size_t)snprintf(line + n, sizeof line - n, "  %*s", (int)width[c], t->cell[r][c]);
        while (n > 0 && line[n - 1] == ' ')
            line[--n] = '\0';
        fprintf(out, "%s\n", line);
    }
}

/* Formats v of dimension dim into buf, with unit `unit` after a plain number when not NULL. */
static const char *size_q(double v, af_dim dim, const char *unit, char *buf, size_t n)
{
    af_units_format(v, dim, buf, n);
    if (unit) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, " %s", unit);
    }
    return buf;
}

/* A ratio for people: "6.6x"; "inf" when the first system's figure is 0. */
static const char *size_ratio(double r, char *buf, size_t n)
{
    af_units_format(r, AF_DIM_NUMBER, buf, n);
    if (isfinite(r)) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "x");
    }
    return buf;
}

/* Adds a row "label  value" for a demand figure above zero. */
static void size_demand_row(af_table *t, const char *label, double v, af_dim dim, double op_B)
{
    char a[AF_CELL], b[AF_CELL];
    if (!(v > 0))
        return;
    int r = table_row(t);
    table_set(t, r, 0, "%s", label);
    if (op_B > 0)
        table_set(t, r, 1, "%s of %s", af_units_format(v, dim, a, sizeof a),
                  af_units_format(op_B, AF_DIM_SIZE, b, sizeof b));
    else
        table_set(t, r, 1, "%s", af_units_format(v, dim, a, sizeof a));
}

/* Prints the demand figures that are above zero (IOPS with their operation size). */
static void size_print_demand(const af_storage_demand *dem, FILE *out)
{
    af_table t = {.rows = 0};
    size_demand_row(&t, "capacity", dem->capacity_B, AF_DIM_SIZE, 0);
    size_demand_row(&t, "read bandwidth", dem->read_Bps, AF_DIM_BANDWIDTH, 0);
    size_demand_row(&t, "write bandwidth", dem->write_Bps, AF_DIM_BANDWIDTH, 0);
    size_demand_row(&t, dem->read_ops_per_read > 1 ? "file reads" : "read IOPS", dem->read_iops,
                    AF_DIM_RATE, dem->read_op_B);
    size_demand_row(&t, "write IOPS", dem->write_iops, AF_DIM_RATE, dem->write_op_B);
    if (dem->min_nodes > 0) {
        int r = table_row(&t);
        table_set(&t, r, 0, "minimum");
        table_set(&t, r, 1, "%d nodes", dem->min_nodes);
    }
    fprintf(out, "demand\n");
    table_print(&t, out);
}

/* Prints the nodes each constraint needs for n systems (1 or 2), the binding one marked. */
static void size_print_needs(const af_storage_spec *const *sys, const af_storage_sizing *const *z,
                             int n, FILE *out)
{
    af_table t = {.rows = 0};
    char a[AF_CELL];
    int h = table_row(&t);
    table_set(&t, h, 0, "constraint");
    for (int k = 0; k < n; k++) {
        table_set(&t, h, 1 + 2 * k, "%s%sneed", n > 1 ? sys[k]->name : "", n > 1 ? " " : "");
        table_set(&t, h, 2 + 2 * k, "nodes  ");
    }
    for (int c = 0; c < AF_SIZE__COUNT; c++) {
        int r = table_row(&t);
        table_set(&t, r, 0, "%s", af_storage_constraint_name((af_storage_constraint)c));
        for (int k = 0; k < n; k++) {
            bool binds = z[k]->binding == (af_storage_constraint)c;
            if (z[k]->need[c] > 0) {
                table_set(&t, r, 1 + 2 * k, "%s",
                          af_units_format(z[k]->need[c], AF_DIM_NUMBER, a, sizeof a));
                table_set(&t, r, 2 + 2 * k, "%d%s", z[k]->nodes_for[c], binds ? " *" : "  ");
            } else {
                table_set(&t, r, 1 + 2 * k, "-");
                table_set(&t, r, 2 + 2 * k, "-  ");
            }
        }
    }
    fprintf(out, "\nnodes each constraint needs (* binds: it sets the node count)\n");
    table_print(&t, out);
}

static void size_print_one(const af_storage_spec *s, const af_storage_demand *dem,
                           const af_storage_sizing *z, FILE *out)
{
    char a[AF_CELL], b[AF_CELL], c[AF_CELL];
    fprintf(out, "aifsim size: %s (%s)\n", s->name, s->description ? s->description : "");
    fprintf(out, "  per node: usable %s, read %s, write %s\n\n",
            af_units_format(af_storage_node_usable_B(s), AF_DIM_SIZE, a, sizeof a),
            af_units_format(af_storage_node_read_Bps(s), AF_DIM_BANDWIDTH, b, sizeof b),
            af_units_format(af_storage_node_write_Bps(s), AF_DIM_BANDWIDTH, c, sizeof c));
    size_print_demand(dem, out);
    size_print_needs(&s, &z, 1, out);

    af_table t = {.rows = 0};
    int r = table_row(&t);
    table_set(&t, r, 0, "nodes");
    table_set(&t, r, 1, "%d", z->nodes);
    for (size_t i = 0; i < AF_COUNTOF(tier_figs); i++) {
        const af_size_fig *f = &tier_figs[i];
        r = table_row(&t);
        table_set(&t, r, 0, "%s", f->label);
        table_set(&t, r, 1, "%s", size_q(fig_get(f, z), f->dim, f->unit, a, sizeof a));
    }
    fprintf(out, "\ntier: %d x %s (%s binds)\n", z->nodes, s->name,
            af_storage_constraint_name(z->binding));
    table_print(&t, out);
}

static void size_print_two(const af_storage_spec *sa, const af_storage_spec *sb,
                           const af_storage_demand *dem, const af_storage_comparison *cmp,
                           FILE *out)
{
    char a[AF_CELL], b[AF_CELL], c[AF_CELL];
    fprintf(out, "aifsim size: %s against %s\n", sb->name, sa->name);
    const af_storage_spec *sys[2] = {sa, sb};
    for (int k = 0; k < 2; k++)
        fprintf(out, "  %s: %s; per node usable %s, read %s, write %s\n", sys[k]->name,
                sys[k]->description ? sys[k]->description : "",
                af_units_format(af_storage_node_usable_B(sys[k]), AF_DIM_SIZE, a, sizeof a),
                af_units_format(af_storage_node_read_Bps(sys[k]), AF_DIM_BANDWIDTH, b, sizeof b),
                af_units_format(af_storage_node_write_Bps(sys[k]), AF_DIM_BANDWIDTH, c, sizeof c));
    fputc('\n', out);
    size_print_demand(dem, out);
    const af_storage_sizing *z[2] = {&cmp->a, &cmp->b};
    size_print_needs(sys, z, 2, out);

    af_table t = {.rows = 0};
    int r = table_row(&t);
    table_set(&t, r, 1, "%s", sa->name);
    table_set(&t, r, 2, "%s", sb->name);
    table_set(&t, r, 3, "ratio");
    r = table_row(&t);
    table_set(&t, r, 0, "nodes");
    table_set(&t, r, 1, "%d", cmp->a.nodes);
    table_set(&t, r, 2, "%d", cmp->b.nodes);
    table_set(&t, r, 3, "%s", size_ratio(cmp->nodes_ratio, a, sizeof a));
    r = table_row(&t);
    table_set(&t, r, 0, "binding");
    table_set(&t, r, 1, "%s", af_storage_constraint_name(cmp->a.binding));
    table_set(&t, r, 2, "%s", af_storage_constraint_name(cmp->b.binding));
    for (size_t i = 0; i < AF_COUNTOF(tier_figs); i++) {
        const af_size_fig *f = &tier_figs[i];
        r = table_row(&t);
        table_set(&t, r, 0, "%s", f->label);
        table_set(&t, r, 1, "%s", size_q(fig_get(f, &cmp->a), f->dim, f->unit, a, sizeof a));
        table_set(&t, r, 2, "%s", size_q(fig_get(f, &cmp->b), f->dim, f->unit, b, sizeof b));
        if (f->ratio_offset != SIZE_MAX)
            table_set(
                &t, r, 3, "%s",
                size_ratio(*(const double *)((const char *)cmp + f->ratio_offset), c, sizeof c));
    }
    fprintf(out, "\ntiers side by side (ratio: %s / %s)\n", sb->name, sa->name);
    table_print(&t, out);

    char p[AF_CELL], u[AF_CELL];
    fprintf(out,
            "\n%s needs %s the nodes, %s the power at load, %s the rack units and %s the "
            "price of %s\n",
            sb->name, size_ratio(cmp->nodes_ratio, a, sizeof a),
            size_ratio(cmp->load_W_ratio, p, sizeof p),
            size_ratio(cmp->rack_units_ratio, u, sizeof u),
            size_ratio(cmp->price_ratio, b, sizeof b), sa->name);
}

/* ---- JSON output ---- */

/* A number, or null when it is not finite (JSON has no infinity). */
static void size_json_number(af_outfile *f, double v)
{
    if (isfinite(v))
        af_outfile_printf(f, "%.17g", v);
    else
        af_outfile_printf(f, "null");
}

/* The JSON key of a constraint: its name with spaces as underscores ("read_bandwidth"). */
static void size_json_constraint(af_outfile *f, af_storage_constraint c)
{
    char key[64];
    snprintf(key, sizeof key, "%s", af_storage_constraint_name(c));
    for (char *p = key; *p; p++)
        if (*p == ' ')
            *p = '_';
    af_json_write_string(f, key);
}

/* `"key": {"value": v, "unit": "u"}` for figure fg of base. */
static void size_json_fig(af_outfile *f, const char *indent, const af_size_fig *fg,
                          const void *base, bool last)
{
    af_outfile_printf(f, "%s\"%s\": {\"value\": ", indent, fg->key);
    size_json_number(f, fig_get(fg, base));
    af_outfile_printf(f, ", \"unit\": ");
    af_json_write_string(f, fg->unit ? fg->unit : af_units_si(fg->dim));
    af_outfile_printf(f, "}%s\n", last ? "" : ",");
}

static void size_json_system(af_outfile *f, const af_storage_spec *s, const af_storage_sizing *z,
                             bool last)
{
    af_outfile_printf(f, "    {\n      \"name\": ");
    af_json_write_string(f, s->name);
    af_outfile_printf(f, ",\n      \"nodes\": %d,\n      \"binding\": ", z->nodes);
    size_json_constraint(f, z->binding);
    af_outfile_printf(f, ",\n      \"constraints\": {\n");
    for (int c = 0; c < AF_SIZE__COUNT; c++) {
        af_outfile_printf(f, "        ");
        size_json_constraint(f, (af_storage_constraint)c);
        af_outfile_printf(f, ": {\"need\": ");
        size_json_number(f, z->need[c]);
        af_outfile_printf(f, ", \"nodes\": %d}%s\n", z->nodes_for[c],
                          c + 1 < AF_SIZE__COUNT ? "," : "");
    }
    af_outfile_printf(f, "      },\n");
    for (size_t i = 0; i < AF_COUNTOF(tier_figs); i++)
        size_json_fig(f, "      ", &tier_figs[i], z, i + 1 == AF_COUNTOF(tier_figs));
    af_outfile_printf(f, "    }%s\n", last ? "" : ",");
}

/* Writes the figures to path atomically: the demand, each system's sizing and, when cmp is not
 * NULL, the ratios of the second system's figures to the first's. */
static int size_json_save(const char *path, const af_storage_demand *dem, const af_storage_spec *sa,
                          const af_storage_spec *sb, const af_storage_sizing *za,
                          const af_storage_comparison *cmp, af_diag *d)
{
    af_outfile *f = af_outfile_open(path, d);
    if (!f)
        return AF_EIO;
    af_outfile_printf(f, "{\n  \"demand\": {\n");
    for (size_t i = 0; i < AF_COUNTOF(demand_figs); i++)
        size_json_fig(f, "    ", &demand_figs[i], dem, false);
    af_outfile_printf(f, "    \"min_nodes\": {\"value\": %d, \"unit\": \"1\"}\n  },\n",
                      dem->min_nodes);
    af_outfile_printf(f, "  \"systems\": [\n");
    size_json_system(f, sa, cmp ? &cmp->a : za, cmp == NULL);
    if (cmp)
        size_json_system(f, sb, &cmp->b, true);
    af_outfile_printf(f, "  ]");
    if (cmp) {
        const struct {
            const char *key;
            double v;
        } ratios[] = {{"nodes", cmp->nodes_ratio},
                      {"load_power", cmp->load_W_ratio},
                      {"rack_units", cmp->rack_units_ratio},
                      {"price", cmp->price_ratio}};
        af_outfile_printf(f, ",\n  \"ratios\": {\n");
        for (size_t i = 0; i < AF_COUNTOF(ratios); i++) {
            af_outfile_printf(f, "    \"%s\": ", ratios[i].key);
            size_json_number(f, ratios[i].v);
            af_outfile_printf(f, "%s\n", i + 1 < AF_COUNTOF(ratios) ? "," : "");
        }
        af_outfile_printf(f, "  }");
    }
    af_outfile_printf(f, "\n}\n");
    return af_outfile_commit(f, d);
}

/* ---- the command ---- */

/* Finds the storage system called name, or adds an error (with a near miss, else the list of
 * systems) under `option` ("--compare", or NULL for the SYSTEM argument) and returns NULL. */
static const af_storage_spec *size_find(const af_catalog *cat, const char *name, const char *option,
                                        af_diag *d)
{
    const af_storage_spec *s = af_catalog_find_storage(cat, name);
    if (s)
        return s;
    size_t n = 0;
    const char *const *names = af_catalog_names(cat, AF_SECTION_STORAGE, &n);
    const char *near = af_did_you_mean(name, names, n);
    if (near) {
        af_diag_error_at(d, NULL, 0, 0, option,
                         "unknown storage system \"%s\"; did you mean \"%s\"?", name, near);
        return NULL;
    }
    char list[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
    af_diag_error_at(d, NULL, 0, 0, option,
                     "unknown storage system \"%s\"; expected one of %s (see `aifsim catalog "
                     "storage`)",
                     name, list);
    return NULL;
}

/* Parses the value of quantity option o into vals[o]; a bad or out-of-range value adds an error
 * naming the option. */
static void size_parse(int o, const char *text, double *vals, af_diag *d)
{
    char err[256];
    double v;
    const char *name = af_size_opts[o].name;
    af_dim dim = af_size_opts[o].dim;
    if (af_units_parse(text, dim, &v, err, sizeof err) != 0) {
        af_diag_error_at(d, NULL, 0, 0, name, "%s", err);
    } else if (v < 0 || (!af_size_opts[o].demand && v == 0)) {
        af_diag_error_at(d, NULL, 0, 0, name, "expected %s %s, got \"%s\"", af_units_expected(dim),
                         af_size_opts[o].demand ? "that is not negative" : "above zero", text);
    } else {
        vals[o] = v;
    }
}

/* Parses --min-nodes: a whole number from 1 to AF_SIZE_MAX_NODES. */
static void size_parse_min(const char *text, int *out, af_diag *d)
{
    char err[256];
    double v;
    if (af_units_parse(text, AF_DIM_COUNT, &v, err, sizeof err) != 0)
        af_diag_error_at(d, NULL, 0, 0, "--min-nodes", "%s", err);
    else if (v < 1 || v > AF_SIZE_MAX_NODES)
        af_diag_error_at(d, NULL, 0, 0, "--min-nodes",
                         "expected a whole number of nodes from 1 to %d, got \"%s\"",
                         AF_SIZE_MAX_NODES, text);
    else
        *out = (int)v;
}

int af_cmd_size(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "size");
    af_diag *d = c.d;
    int rc = 2;
    const char *system = NULL, *compare = NULL, *json = NULL, *models = NULL;
    bool quiet = false;
    double vals[AF_O__COUNT] = {0};
    bool given[AF_O__COUNT] = {false};
    int min_nodes = 0;
    af_catalog *cat = NULL;

    for (int i = 1; i < argc; i++) {
        bool missing = false, taken = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, size_usage);
            goto done;
        }
        for (int o = 0; o < AF_O__COUNT && !taken && !missing; o++) {
            if ((v = af_cli_take(argc, argv, &i, af_size_opts[o].name, &missing))) {
                taken = given[o] = true;
                size_parse(o, v, vals, d);
            }
        }
        if (taken || missing) {
            /* a quantity, or an option without its value (reported below) */
        } else if ((v = af_cli_take(argc, argv, &i, "--min-nodes", &missing))) {
            size_parse_min(v, &min_nodes, d);
        } else if ((v = af_cli_take(argc, argv, &i, "--compare", &missing))) {
            compare = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--json", &missing))) {
            json = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--models", &missing))) {
            models = v;
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (missing) {
            /* reported below */
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            const char *near = af_did_you_mean(argv[i], size_names, AF_COUNTOF(size_names));
            af_diag_error(d,
                          "unknown option \"%s\" for `aifsim size`; %s%s%ssee `aifsim size "
                          "--help`",
                          argv[i], near ? "did you mean \"" : "", near ? near : "",
                          near ? "\"? " : "");
            /* A misspelt option that takes a value: skip the value too, rather than take it for
             * the storage system. */
            if (near && strcmp(near, "--quiet") != 0 && strcmp(near, "--help") != 0 &&
                !strchr(argv[i], '=') && i + 1 < argc && argv[i + 1][0] != '-')
                i++;
        } else if (system) {
            af_diag_error(d,
                          "`aifsim size` takes one storage system, got \"%s\" and \"%s\"; use "
                          "--compare %s to size both",
                          system, argv[i], argv[i]);
        } else {
            system = argv[i];
        }
        if (missing)
            af_cli_missing_value(&c, argv[i]);
    }

    /* A demand option with a bad value has its own error; "needs a demand" would only add
     * noise then. */
    bool any_given = false, any_positive = false;
    for (int o = 0; o < AF_O__COUNT; o++) {
        if (af_size_opts[o].demand && given[o]) {
            any_given = true;
            any_positive = any_positive || vals[o] > 0;
        }
    }
    if (!any_positive && (!any_given || af_diag_errors(d) == 0))
        af_diag_error(d, "`aifsim size` needs at least one demand above zero: --capacity, --read, "
                         "--write, --read-iops, --file-reads or --write-iops; see "
                         "`aifsim size --help`");
    if (given[AF_O_FILE_READS] && given[AF_O_READ_IOPS])
        af_diag_error(d, "--file-reads and --read-iops both describe the random reads; give one "
                         "(a file read costs two operations, a random read one)");
    if (given[AF_O_FILE_READS] && !given[AF_O_FILE_SIZE])
        af_diag_error(d, "--file-reads needs --file-size, the size of one file, e.g. "
                         "--file-size \"110 kB\"");
    if (given[AF_O_FILE_SIZE] && !given[AF_O_FILE_READS])
        af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, "--file-size",
                    "has no effect without --file-reads");
    if (!system)
        af_diag_error(d, "`aifsim size` needs a storage system, e.g. `aifsim size flash-qlc-node "
                         "--capacity 10 PB`; see `aifsim catalog storage`");
    if (given[AF_O_OP_SIZE] && !given[AF_O_READ_IOPS] && !given[AF_O_WRITE_IOPS])
        af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, "--op-size",
                    "has no effect without --read-iops or --write-iops");
    if (given[AF_O_READ_OP_SIZE] && !given[AF_O_READ_IOPS])
        af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, "--read-op-size",
                    "has no effect without --read-iops");
    if (given[AF_O_WRITE_OP_SIZE] && !given[AF_O_WRITE_IOPS])
        af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, "--write-op-size",
                    "has no effect without --write-iops");

    /* Look the systems up even after other mistakes, so that one run reports them all. */
    if (system)
        cat = af_cli_load_catalog(models, d);
    if (!cat)
        goto done;
    const af_storage_spec *sa = size_find(cat, system, NULL, d);
    const af_storage_spec *sb = compare ? size_find(cat, compare, "--compare", d) : NULL;
    if (af_diag_errors(d))
        goto done;

    double op = given[AF_O_OP_SIZE] ? vals[AF_O_OP_SIZE] : AF_SIZE_DEFAULT_OP_B;
    af_storage_demand dem = {
        .capacity_B = vals[AF_O_CAPACITY],
        .read_Bps = vals[AF_O_READ],
        .write_Bps = vals[AF_O_WRITE],
        .read_iops = given[AF_O_FILE_READS] ? vals[AF_O_FILE_READS] : vals[AF_O_READ_IOPS],
        .read_op_B = given[AF_O_FILE_READS]     ? vals[AF_O_FILE_SIZE]
                     : given[AF_O_READ_OP_SIZE] ? vals[AF_O_READ_OP_SIZE]
                                                : op,
        .read_ops_per_read = given[AF_O_FILE_READS] ? AF_STORAGE_FILE_OPS : 1,
        .write_iops = vals[AF_O_WRITE_IOPS],
        .write_op_B = given[AF_O_WRITE_OP_SIZE] ? vals[AF_O_WRITE_OP_SIZE] : op,
        .min_nodes = min_nodes,
    };
    af_storage_sizing z;
    af_storage_comparison cmp;
    if (sb ? af_storage_compare(sa, sb, &dem, &cmp, d) != AF_OK
           : af_storage_size(sa, &dem, &z, d) != AF_OK)
        goto done;

    if (!quiet && !(json && strcmp(json, "-") == 0)) {
        if (sb)
            size_print_two(sa, sb, &dem, &cmp, stdout);
        else
            size_print_one(sa, &dem, &z, stdout);
    }
    rc = 1;
    if (af_cli_check_stdout(&c) != AF_OK)
        goto done;
    if (json && size_json_save(json, &dem, sa, sb, &z, sb ? &cmp : NULL, d) != AF_OK)
        goto done;
    rc = 0;

done:
    af_catalog_free(cat);
    return af_cli_finish(&c, rc);
}
