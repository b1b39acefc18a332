/*
 * size_cmd: `aifsim size SYSTEM [demand options] [planning options] [--compare SYSTEM2]
 * [--json FILE] [--models DIR]`.
 *
 * The storage sizing helper for people. The planning is plan/size.h (af_size_plan): how many
 * nodes of a catalog storage system, with how many drives each, hold and serve a demand with a
 * headroom, which constraint sets that count and how far every other one is over-provisioned,
 * the power on a named basis, W per usable TB, energy per year and the lifetime TCO in a
 * facility. This file only parses the command line into the plan's inputs (the demand, the
 * options, the spec with its --set overrides applied through the catalog schema, the facility
 * preset with its overrides) and prints the result; --compare plans a second system the same way
 * and prints both side by side with the ratios (the flash-versus-disk question).
 *
 * --set FIELD=VALUE overrides a field of SYSTEM, --set-b FIELD=VALUE one of SYSTEM2: each side
 * is a system of its own (different drives, prices), so overrides are never shared silently; to
 * change both, give both. The overrides are read as a small YAML mapping through the catalog
 * schema in override mode (af_schema_read), so values take units and are checked with the same
 * ranges and messages as a scenario's `override:`, and a misspelt field gets "did you mean".
 * The planning options (--devices, --usable, --erasure, --fill, --headroom, --power-basis and
 * the facility) apply to both systems.
 *
 * Every mistake on the command line is reported in one run (bad values name their option and
 * the expected form), exit 2, nothing written. The text output and the JSON file are driven by
 * the same tables of figures below, so they cannot list different things; the JSON file
 * (size_json.c, sharing the tables through size_cmd_int.h) is written atomically
 * (base/outfile.h) after the sizing succeeded and the figures were printed.
 * With `--json -` the JSON is the only thing on standard output: the figures are not printed.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cli/size_cmd_int.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/outfile.h"
#include "base/units.h"
#include "plan/size.h"
#include "report/json.h"
#include "scenario/catalog.h"
#include "scenario/doc.h"
#include "scenario/schema.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char size_usage[] =
    "usage: aifsim size SYSTEM [--capacity SIZE] [--read BW] [--write BW] [--read-iops RATE]\n"
    "                   [--file-reads RATE --file-size SIZE]\n"
    "                   [--write-iops RATE] [--op-size SIZE] [--read-op-size SIZE]\n"
    "                   [--write-op-size SIZE] [--min-nodes N] [--set FIELD=VALUE]...\n"
    "                   [--devices N|auto] [--usable RATIO | --erasure K+M [--fill RATIO]]\n"
    "                   [--headroom RATIO] [--facility NAME] [--pue X] [--energy-price P]\n"
    "                   [--lifetime T] [--power-basis load|busy]\n"
    "                   [--compare SYSTEM2 [--set-b FIELD=VALUE]...]\n"
    "                   [--json FILE] [--models DIR] [-q]\n"
    "\n"
    "Sizes a tier of the catalog storage system SYSTEM (see `aifsim catalog storage`) for a\n"
    "demand: the nodes each constraint needs (capacity, read and write bandwidth, read and\n"
    "write IOPS, all of them at once, the minimum), which one binds and how far the others are\n"
    "over-provisioned, and the tier's capacity, bandwidth, device busy share, power, rack\n"
    "units, racks, price, W per usable TB, energy per year and TCO over the facility's\n"
    "lifetime. At least one demand is needed.\n"
    "\n"
    "demand:\n"
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
    "\n"
    "the system and the plan (both systems with --compare, except --set):\n"
    "  --set FIELD=VALUE     override a catalog field of SYSTEM, with units, e.g.\n"
    "                        --set device_capacity=30.72TB --set chassis_price=15000USD\n"
    "                        (repeatable; fields as in models/storage.yaml)\n"
    "  --devices N|auto      drives per node, at most the box's bays (its catalog `devices`):\n"
    "                        a partly populated box costs and draws less; auto picks the\n"
    "                        count with the lowest TCO (from the erasure-code width, else 1)\n"
    "  --usable RATIO        usable share of raw capacity, e.g. 0.72 or 72%\n"
    "  --erasure K+M         erasure code of K data and M parity drives, e.g. 8+2: usable =\n"
    "                        K/(K+M) x fill (3-way replication is 1+2)\n"
    "  --fill RATIO          fill limit, e.g. 90% (default 100%)\n"
    "  --headroom RATIO      devices and NICs at most this busy at the demand, e.g. 70%:\n"
    "                        bandwidth and IOPS are sized at demand / RATIO\n"
    "  --facility NAME       facility preset (see `aifsim catalog facility`; default\n"
    "                        hyperscale): PUE, energy price, lives, racks, space, lifetime\n"
    "  --pue X               override the preset's PUE, e.g. 1.3\n"
    "  --energy-price P      override its energy price, e.g. \"0.12 USD/kWh\"\n"
    "  --lifetime T          override the TCO horizon, e.g. \"7 y\"\n"
    "  --power-basis B       load (default): power at the demand's device busy share; busy:\n"
    "                        every device busy. W/TB, energy, TCO and --compare use it\n"
    "\n"
    "comparison and output:\n"
    "  --compare SYSTEM2     also size SYSTEM2 and show both side by side with the ratios\n"
    "                        SYSTEM2 / SYSTEM\n"
    "  --set-b FIELD=VALUE   override a catalog field of SYSTEM2 (repeatable)\n"
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

/* The facility preset used without --facility. */
#define AF_SIZE_DEFAULT_FACILITY "hyperscale"

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
    "--capacity",     "--read",         "--write",         "--read-iops", "--write-iops",
    "--op-size",      "--read-op-size", "--write-op-size", "--min-nodes", "--compare",
    "--json",         "--models",       "--quiet",         "--help",      "--file-reads",
    "--file-size",    "--set",          "--set-b",         "--devices",   "--usable",
    "--erasure",      "--fill",         "--headroom",      "--facility",  "--pue",
    "--energy-price", "--lifetime",     "--power-basis",
};



/* A figure row: plain label, text in the SI unit of its dimension (or `unit`). */
#define FIG(label, key, dim, offset, unit, ratio)                                                  \
    {                                                                                              \
        label, key, dim, offset, unit, ratio, AF_LBL_PLAIN, 1, NULL                                \
    }
/* A figure row with every field. */
#define FIGX(label, key, dim, offset, unit, ratio, lbl, scale, json_unit)                          \
    {                                                                                              \
        label, key, dim, offset, unit, ratio, lbl, scale, json_unit                                \
    }

const af_size_fig size_demand_figs[] = {
    FIG("capacity", "capacity", AF_DIM_SIZE, offsetof(af_storage_demand, capacity_B), NULL,
        SIZE_MAX),
    FIG("read bandwidth", "read_bandwidth", AF_DIM_BANDWIDTH, offsetof(af_storage_demand, read_Bps),
        NULL, SIZE_MAX),
    FIG("write bandwidth", "write_bandwidth", AF_DIM_BANDWIDTH,
        offsetof(af_storage_demand, write_Bps), NULL, SIZE_MAX),
    FIG("read IOPS", "read_iops", AF_DIM_RATE, offsetof(af_storage_demand, read_iops), NULL,
        SIZE_MAX),
    FIG("read op size", "read_op_size", AF_DIM_SIZE, offsetof(af_storage_demand, read_op_B), NULL,
        SIZE_MAX),
    FIG("write IOPS", "write_iops", AF_DIM_RATE, offsetof(af_storage_demand, write_iops), NULL,
        SIZE_MAX),
    FIG("write op size", "write_op_size", AF_DIM_SIZE, offsetof(af_storage_demand, write_op_B),
        NULL, SIZE_MAX),
};
const size_t size_ndemand_figs = AF_COUNTOF(size_demand_figs);

#define RES(m) offsetof(af_size_result, m)
#define RAT(m) offsetof(af_size_ratios, m)

/* The figures of a sized tier (after its node count), in output order: the tier itself (as
 * before the planning options), then its racks, power on the basis, energy and money over the
 * facility's lifetime. */
const af_size_fig size_tier_figs[] = {
    FIG("usable capacity", "usable_capacity", AF_DIM_SIZE, RES(sizing.usable_B), NULL, SIZE_MAX),
    FIG("read bandwidth", "read_bandwidth", AF_DIM_BANDWIDTH, RES(sizing.read_Bps), NULL, SIZE_MAX),
    FIG("write bandwidth", "write_bandwidth", AF_DIM_BANDWIDTH, RES(sizing.write_Bps), NULL,
        SIZE_MAX),
    FIG("device busy", "device_busy", AF_DIM_RATIO, RES(sizing.busy), NULL, SIZE_MAX),
    FIG("NIC busy", "nic_busy", AF_DIM_RATIO, RES(nic_busy), NULL, SIZE_MAX),
    FIG("power idle", "idle_power", AF_DIM_POWER, RES(sizing.idle_W), NULL, SIZE_MAX),
    FIG("power at load", "load_power", AF_DIM_POWER, RES(sizing.load_W), NULL, RAT(load_power)),
    FIG("power all busy", "active_power", AF_DIM_POWER, RES(sizing.active_W), NULL, SIZE_MAX),
    FIG("rack units", "rack_units", AF_DIM_NUMBER, RES(sizing.rack_units), "U", RAT(rack_units)),
    FIG("price", "price", AF_DIM_MONEY, RES(sizing.price_usd), NULL, RAT(price)),
    FIG("racks", "racks", AF_DIM_NUMBER, RES(cost.racks), NULL, RAT(racks)),
    FIGX("power (basis: %s)", "power", AF_DIM_POWER, RES(power_W), NULL, RAT(power), AF_LBL_BASIS,
         1, NULL),
    FIGX("W per usable TB (%s)", "power_per_usable_capacity", AF_DIM_NUMBER, RES(W_per_usable_B),
         "W/TB", RAT(W_per_usable_B), AF_LBL_BASIS, 1e12, "W/B"),
    FIG("facility power (x PUE)", "facility_power", AF_DIM_POWER, RES(facility_power_W), NULL,
        SIZE_MAX),
    FIG("energy per year", "energy_per_year", AF_DIM_ENERGY, RES(energy_year_J), NULL,
        RAT(energy_year)),
    FIG("energy cost per year", "energy_cost_per_year", AF_DIM_MONEY, RES(energy_year_usd), NULL,
        SIZE_MAX),
    FIGX("TCO over %s", "tco", AF_DIM_MONEY, RES(cost.tco_usd), NULL, RAT(tco), AF_LBL_LIFE, 1,
         NULL),
    FIG("  capital", "tco_capital", AF_DIM_MONEY, RES(cost.tco_capital_usd), NULL, SIZE_MAX),
    FIG("  maintenance", "tco_maintenance", AF_DIM_MONEY, RES(cost.tco_maintenance_usd), NULL,
        SIZE_MAX),
    FIG("  energy", "tco_energy", AF_DIM_MONEY, RES(cost.tco_energy_usd), NULL, SIZE_MAX),
    FIG("  space", "tco_space", AF_DIM_MONEY, RES(cost.tco_space_usd), NULL, SIZE_MAX),
};
const size_t size_ntier_figs = AF_COUNTOF(size_tier_figs);

/* Figures of one node as sized, for the JSON file. */
const af_size_fig size_node_figs[] = {
    FIG("raw", "node_raw_capacity", AF_DIM_SIZE, RES(node.raw_B), NULL, SIZE_MAX),
    FIG("usable", "node_usable_capacity", AF_DIM_SIZE, RES(node.usable_B), NULL, SIZE_MAX),
    FIG("read", "node_read_bandwidth", AF_DIM_BANDWIDTH, RES(node.read_Bps), NULL, SIZE_MAX),
    FIG("write", "node_write_bandwidth", AF_DIM_BANDWIDTH, RES(node.write_Bps), NULL, SIZE_MAX),
    FIG("idle", "node_idle_power", AF_DIM_POWER, RES(node.idle_W), NULL, SIZE_MAX),
    FIG("all busy", "node_max_power", AF_DIM_POWER, RES(node.max_W), NULL, SIZE_MAX),
    FIG("price", "node_price", AF_DIM_MONEY, RES(node.price_usd), NULL, SIZE_MAX),
    FIG("usable fraction", "usable_fraction", AF_DIM_RATIO, RES(usable_fraction), NULL, SIZE_MAX),
    FIG("headroom", "headroom", AF_DIM_RATIO, RES(headroom), NULL, SIZE_MAX),
};
const size_t size_nnode_figs = AF_COUNTOF(size_node_figs);

/* The basis in words, for labels and sentences. */
static const char *basis_words(af_size_power_basis b)
{
    return b == AF_SIZE_POWER_BUSY ? "all busy" : "at load";
}

/* The lifetime in years, "5 y". */
static const char *life_words(double s, char *buf, size_t n)
{
    snprintf(buf, n, "%.4g y", s / AF_YEAR_S);
    return buf;
}

/* The label of figure f for result r. */
static const char *fig_label(const af_size_fig *f, const af_size_result *r, char *buf, size_t n)
{
    char life[32];
    const char *hole = strstr(f->label, "%s");
    const char *fill = f->lbl == AF_LBL_BASIS  ? basis_words(r->basis)
                       : f->lbl == AF_LBL_LIFE ? life_words(r->cost.life_s, life, sizeof life)
                                               : NULL;
    if (hole && fill)
        snprintf(buf, n, "%.*s%s%s", (int)(hole - f->label), f->label, fill, hole + 2);
    else
        snprintf(buf, n, "%s", f->label);
    return buf;
}

/* ---- the inputs, as parsed ---- */


/* ---- text output ---- */

enum { AF_CELL = 64, AF_ROWS = 40, AF_COLS = 7 };

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

/* Figure f of result r as the text shows it. */
static const char *fig_text(const af_size_fig *f, const af_size_result *r, char *buf, size_t n)
{
    double v = size_fig_get(f, r) * (f->text_scale > 0 ? f->text_scale : 1);
    return size_q(v, f->dim, f->unit, buf, n);
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

/* A factor for sentences, three significant digits: "4x", "6.33x", "16985x". */
static const char *size_times(double v, char *buf, size_t n)
{
    snprintf(buf, n, v < 1000 ? "%.3gx" : "%.0fx", v);
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

/* Prints the demand figures that are above zero (IOPS with their operation size), and the
 * headroom the traffic is sized with. */
static void size_print_demand(const af_storage_demand *dem, double headroom, FILE *out)
{
    af_table t = {.rows = 0};
    char a[AF_CELL];
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
    if (headroom < 1) {
        int r = table_row(&t);
        table_set(&t, r, 0, "headroom");
        table_set(&t, r, 1, "%s", af_units_format(headroom, AF_DIM_RATIO, a, sizeof a));
    }
    fprintf(out, "demand\n");
    table_print(&t, out);
    if (headroom < 1)
        fprintf(out,
                "  (devices and NICs at most %s busy: bandwidth and IOPS sized at demand / "
                "%s)\n",
                a, a);
}

/* "(72% of raw: the catalog's usable_fraction)" and the like, into buf. */
static const char *size_usable_words(const af_size_result *r, const size_inputs *in, char *buf,
                                     size_t n)
{
    char f[AF_CELL];
    af_units_format(r->usable_fraction, AF_DIM_RATIO, f, sizeof f);
    switch (r->usable_from) {
    case AF_SIZE_USABLE_GIVEN:
        snprintf(buf, n, "%s of raw: --usable", f);
        break;
    case AF_SIZE_USABLE_ERASURE:
        if (in->erasure)
            snprintf(buf, n, "%s of raw: erasure %s x fill %s", f, in->erasure,
                     in->fill ? in->fill : "100%");
        else
            snprintf(buf, n, "%s of raw: fill %s, no erasure code", f, in->fill);
        break;
    case AF_SIZE_USABLE_SPEC:
    default:
        snprintf(buf, n, "%s of raw: the system's usable_fraction", f);
        break;
    }
    return buf;
}

/* "32 of 32 drives" with how the count was chosen. */
static const char *size_drive_words(const af_size_result *r, char *buf, size_t n)
{
    snprintf(buf, n, "%d of %d drives%s", r->spec.devices, r->bays,
             r->devices_from == AF_SIZE_CHOSE_AUTO    ? " (auto)"
             : r->devices_from == AF_SIZE_CHOSE_GIVEN ? " (--devices)"
                                                      : "");
    return buf;
}

/* The header lines of one system: its description, overrides and one node as sized. */
static void size_print_system(const size_side *sd, const size_inputs *in, bool named, FILE *out)
{
    const af_size_result *r = &sd->res;
    char a[AF_CELL], b[AF_CELL], c[AF_CELL], e[AF_CELL], f[AF_CELL], u[128];
    if (named)
        fprintf(out, "  %s: %s\n", sd->spec.name, sd->spec.description ? sd->spec.description : "");
    if (sd->nsets) {
        fprintf(out, "%s%s:", named ? "    " : "  ", sd->set_option);
        for (size_t i = 0; i < sd->nsets; i++)
            fprintf(out, " %s", sd->sets[i]);
        fputc('\n', out);
    }
    const char *ind = named ? "    " : "  ";
    fprintf(out, "%sper node: %s, raw %s, usable %s (%s)\n", ind, size_drive_words(r, a, sizeof a),
            af_units_format(r->node.raw_B, AF_DIM_SIZE, b, sizeof b),
            af_units_format(r->node.usable_B, AF_DIM_SIZE, c, sizeof c),
            size_usable_words(r, in, u, sizeof u));
    fprintf(out, "%s          read %s, write %s, price %s, power %s idle to %s all busy\n", ind,
            af_units_format(r->node.read_Bps, AF_DIM_BANDWIDTH, a, sizeof a),
            af_units_format(r->node.write_Bps, AF_DIM_BANDWIDTH, b, sizeof b),
            af_units_format(r->node.price_usd, AF_DIM_MONEY, c, sizeof c),
            af_units_format(r->node.idle_W, AF_DIM_POWER, e, sizeof e),
            af_units_format(r->node.max_W, AF_DIM_POWER, f, sizeof f));
}

/* The facility line: the preset and what the TCO assumes. */
static void size_print_facility(const af_facility_spec *fac, const size_inputs *in, FILE *out)
{
    char a[AF_CELL], b[AF_CELL], c[AF_CELL], e[AF_CELL], f[AF_CELL], g[AF_CELL], h[AF_CELL];
    fprintf(out, "  facility: %s: PUE %.4g%s, energy %s%s, TCO over %s%s\n", fac->name, fac->pue,
            in->pue_given ? " (--pue)" : "",
            af_units_format(fac->energy_price_usd_J, AF_DIM_ENERGY_PRICE, a, sizeof a),
            in->price_given ? " (--energy-price)" : "", life_words(fac->lifetime_s, b, sizeof b),
            in->life_given ? " (--lifetime)" : "");
    fprintf(out,
            "            storage written off over %s, maintenance %s a year, racks of %s U and "
            "%s at %s\n",
            life_words(fac->storage_life_s, c, sizeof c),
            af_units_format(fac->maintenance, AF_DIM_RATIO, e, sizeof e),
            af_units_format(fac->rack_units, AF_DIM_NUMBER, f, sizeof f),
            af_units_format(fac->rack_power_W, AF_DIM_POWER, g, sizeof g),
            af_units_format(fac->space_usd_s_per_rack, AF_DIM_HOURLY_PRICE, h, sizeof h));
}

/* With --devices auto: the choice and the counts around it, so the reader sees why. */
static void size_print_auto(const size_side *sd, bool named, FILE *out)
{
    const af_size_result *r = &sd->res;
    if (r->devices_from != AF_SIZE_CHOSE_AUTO)
        return;
    char a[AF_CELL], b[AF_CELL], life[32];
    const af_size_alt *best = &r->alts[r->chosen_alt];
    const af_size_alt *full = &r->alts[r->nalts - 1];
    fprintf(out,
            "\ndrives per node%s%s: auto chose %d of %d (tried %d to %d): the lowest TCO over "
            "%s, %s",
            named ? " of " : "", named ? sd->spec.name : "", best->devices, r->bays, r->min_devices,
            r->max_devices, life_words(r->cost.life_s, life, sizeof life),
            af_units_format(best->tco_usd, AF_DIM_MONEY, a, sizeof a));
    if (full->devices == r->bays && full != best)
        fprintf(out, ", against %s with every bay filled",
                af_units_format(full->tco_usd, AF_DIM_MONEY, b, sizeof b));
    fputc('\n', out);
    af_table t = {.rows = 0};
    int h = table_row(&t);
    table_set(&t, h, 0, "drives");
    table_set(&t, h, 1, "nodes");
    table_set(&t, h, 2, "binds");
    table_set(&t, h, 3, "price");
    table_set(&t, h, 4, "power (%s)", basis_words(r->basis));
    table_set(&t, h, 5, "TCO");
    for (int k = 0; k < r->nalts; k++) {
        const af_size_alt *x = &r->alts[k];
        int row = table_row(&t);
        table_set(&t, row, 0, "%d%s", x->devices, k == r->chosen_alt ? " *" : "");
        table_set(&t, row, 1, "%d", x->nodes);
        table_set(&t, row, 2, "%s", af_storage_constraint_name(x->binding));
        table_set(&t, row, 3, "%s", af_units_format(x->price_usd, AF_DIM_MONEY, a, sizeof a));
        table_set(&t, row, 4, "%s", af_units_format(x->power_W, AF_DIM_POWER, a, sizeof a));
        table_set(&t, row, 5, "%s", af_units_format(x->tco_usd, AF_DIM_MONEY, a, sizeof a));
    }
    table_print(&t, out);
    if (best->devices < r->bays)
        fprintf(out, "  fewer drives need more nodes (each with its chassis, server and NICs); "
                     "more drives add price and power the demand does not use\n");
}

/* Prints the nodes each constraint needs for n systems (1 or 2), the binding one marked. */
static void size_print_needs(const size_side *sides, int n, FILE *out)
{
    af_table t = {.rows = 0};
    char a[AF_CELL];
    int h = table_row(&t);
    table_set(&t, h, 0, "constraint");
    for (int k = 0; k < n; k++) {
        table_set(&t, h, 1 + 2 * k, "%s%sneed", n > 1 ? sides[k].spec.name : "", n > 1 ? " " : "");
        table_set(&t, h, 2 + 2 * k, "nodes  ");
    }
    for (int c = 0; c < AF_SIZE__COUNT; c++) {
        int r = table_row(&t);
        table_set(&t, r, 0, "%s", af_storage_constraint_name((af_storage_constraint)c));
        for (int k = 0; k < n; k++) {
            const af_storage_sizing *z = &sides[k].res.sizing;
            bool binds = z->binding == (af_storage_constraint)c;
            if (z->need[c] > 0) {
                table_set(&t, r, 1 + 2 * k, "%s",
                          af_units_format(z->need[c], AF_DIM_NUMBER, a, sizeof a));
                table_set(&t, r, 2 + 2 * k, "%d%s", z->nodes_for[c], binds ? " *" : "  ");
            } else {
                table_set(&t, r, 1 + 2 * k, "-");
                table_set(&t, r, 2 + 2 * k, "-  ");
            }
        }
    }
    fprintf(out, "\nnodes each constraint needs (* binds: it sets the node count)\n");
    table_print(&t, out);
}

/* Whether constraint c carries traffic that the headroom scales. */
static bool size_scaled(af_storage_constraint c)
{
    return c != AF_SIZE_CAPACITY && c != AF_SIZE_MINIMUM;
}

/* Why the node count is what it is: the binding constraint, and how far each other constraint
 * with a demand is over-provisioned at that count. */
static void size_print_why(const size_side *sd, const af_storage_demand *dem, bool named, FILE *out)
{
    const af_size_result *r = &sd->res;
    const af_storage_sizing *z = &r->sizing;
    char a[AF_CELL], b[AF_CELL], hr[AF_CELL];
    af_units_format(r->headroom, AF_DIM_RATIO, hr, sizeof hr);
    int kinds =
        (dem->read_Bps > 0) + (dem->write_Bps > 0) + (dem->read_iops > 0) + (dem->write_iops > 0);
    const char *bind = af_storage_constraint_name(z->binding);
    fprintf(out, "\nwhy%s%s%s: %s binds: %d node%s", named ? " (" : "", named ? sd->spec.name : "",
            named ? ")" : "", bind, z->nodes, z->nodes == 1 ? "" : "s");
    if (z->binding == AF_SIZE_MINIMUM)
        fprintf(out, " (%s)\n", dem->min_nodes > 1 ? "--min-nodes" : "one node holds it all");
    else
        fprintf(out, " (%s needed%s%s%s)\n",
                af_units_format(z->need[z->binding], AF_DIM_NUMBER, a, sizeof a),
                r->headroom < 1 && size_scaled(z->binding) ? " at " : "",
                r->headroom < 1 && size_scaled(z->binding) ? hr : "",
                r->headroom < 1 && size_scaled(z->binding) ? " headroom" : "");
    if (z->binding == AF_SIZE_MIXED)
        fprintf(out, "  each demand alone needs fewer nodes; together they fill the devices' "
                     "time or the NICs\n");
    for (int c = 0; c < AF_SIZE__COUNT; c++) {
        if (c == (int)z->binding || !(z->need[c] > 0) || c == AF_SIZE_MINIMUM ||
            (c == AF_SIZE_MIXED && kinds < 2))
            continue;
        const char *name = af_storage_constraint_name((af_storage_constraint)c);
        af_units_format(z->need[c], AF_DIM_NUMBER, a, sizeof a);
        const char *at = r->headroom < 1 && size_scaled((af_storage_constraint)c) ? " at " : "";
        const char *hw = *at ? hr : "";
        const char *ht = *at ? " headroom" : "";
        if (z->nodes_for[c] == z->nodes)
            fprintf(out, "  %s needs %s%s%s%s: rounded up, it too needs %d node%s (it ties)\n",
                    name, a, at, hw, ht, z->nodes, z->nodes == 1 ? "" : "s");
        else if (r->over[c] < 1.1)
            fprintf(out, "  %s needs %s%s%s%s: it nearly binds too (%s)\n", name, a, at, hw, ht,
                    size_times(r->over[c], b, sizeof b));
        else
            fprintf(out, "  %s needs only %s%s%s%s, so %s over-provisioned in %s\n", name, a, at,
                    hw, ht, size_times(r->over[c], b, sizeof b), name);
    }
    /* Sized with no headroom, the binding traffic runs the devices or NICs flat out. */
    double busiest = fmax(r->sizing.busy, r->nic_busy);
    if (r->headroom >= 1 && busiest > 0.9)
        fprintf(out,
                "  the %s are %s busy at the demand: no room for bursts, rebuilds or growth; "
                "--headroom 70%% sizes for at most 70%%\n",
                r->nic_busy > r->sizing.busy ? "NICs" : "drives",
                af_units_format(busiest, AF_DIM_RATIO, a, sizeof a));
}

/* The basis line: which power the W/TB, energy and TCO use. */
static void size_print_basis(const af_size_result *r, FILE *out)
{
    char a[AF_CELL];
    if (r->basis == AF_SIZE_POWER_BUSY)
        fprintf(out, "  power basis: all busy (--power-basis busy): every drive busy in its more "
                     "power-hungry state; W/TB, energy and TCO use it\n");
    else
        fprintf(out,
                "  power basis: at load: the drives busy %s of the time at the demand; W/TB, "
                "energy and TCO use it (--power-basis busy for every drive busy)\n",
                af_units_format(r->sizing.busy, AF_DIM_RATIO, a, sizeof a));
}

static void size_print_one(const size_side *sd, const af_storage_demand *dem, const size_inputs *in,
                           const af_facility_spec *fac, FILE *out)
{
    const af_size_result *r = &sd->res;
    char a[AF_CELL], l[AF_CELL];
    fprintf(out, "aifsim size: %s (%s)\n", sd->spec.name,
            sd->spec.description ? sd->spec.description : "");
    size_print_system(sd, in, false, out);
    size_print_facility(fac, in, out);
    fputc('\n', out);
    size_print_demand(dem, r->headroom, out);
    size_print_auto(sd, false, out);
    size_print_needs(sd, 1, out);
    size_print_why(sd, dem, false, out);

    af_table t = {.rows = 0};
    int row = table_row(&t);
    table_set(&t, row, 0, "nodes");
    table_set(&t, row, 1, "%d", r->sizing.nodes);
    for (size_t i = 0; i < AF_COUNTOF(size_tier_figs); i++) {
        const af_size_fig *f = &size_tier_figs[i];
        row = table_row(&t);
        table_set(&t, row, 0, "%s", fig_label(f, r, l, sizeof l));
        table_set(&t, row, 1, "%s", fig_text(f, r, a, sizeof a));
    }
    fprintf(out, "\ntier: %d x %s (%s binds)\n", r->sizing.nodes, sd->spec.name,
            af_storage_constraint_name(r->sizing.binding));
    table_print(&t, out);
    size_print_basis(r, out);
}

static void size_print_two(const size_side *sides, const af_storage_demand *dem,
                           const size_inputs *in, const af_facility_spec *fac, FILE *out)
{
    const size_side *sa = &sides[0], *sb = &sides[1];
    const af_size_result *ra = &sa->res, *rb = &sb->res;
    af_size_ratios q = af_size_compare(ra, rb);
    char a[AF_CELL], b[AF_CELL], c[AF_CELL], l[AF_CELL];
    fprintf(out, "aifsim size: %s against %s\n", sb->spec.name, sa->spec.name);
    size_print_system(sa, in, true, out);
    size_print_system(sb, in, true, out);
    size_print_facility(fac, in, out);
    fputc('\n', out);
    size_print_demand(dem, ra->headroom, out);
    size_print_auto(sa, true, out);
    size_print_auto(sb, true, out);
    size_print_needs(sides, 2, out);
    size_print_why(sa, dem, true, out);
    size_print_why(sb, dem, true, out);

    af_table t = {.rows = 0};
    int r = table_row(&t);
    table_set(&t, r, 1, "%s", sa->spec.name);
    table_set(&t, r, 2, "%s", sb->spec.name);
    table_set(&t, r, 3, "ratio");
    r = table_row(&t);
    table_set(&t, r, 0, "nodes");
    table_set(&t, r, 1, "%d", ra->sizing.nodes);
    table_set(&t, r, 2, "%d", rb->sizing.nodes);
    table_set(&t, r, 3, "%s", size_ratio(q.nodes, a, sizeof a));
    r = table_row(&t);
    table_set(&t, r, 0, "binding");
    table_set(&t, r, 1, "%s", af_storage_constraint_name(ra->sizing.binding));
    table_set(&t, r, 2, "%s", af_storage_constraint_name(rb->sizing.binding));
    r = table_row(&t);
    table_set(&t, r, 0, "drives per node");
    table_set(&t, r, 1, "%d of %d", ra->spec.devices, ra->bays);
    table_set(&t, r, 2, "%d of %d", rb->spec.devices, rb->bays);
    for (size_t i = 0; i < AF_COUNTOF(size_tier_figs); i++) {
        const af_size_fig *f = &size_tier_figs[i];
        r = table_row(&t);
        table_set(&t, r, 0, "%s", fig_label(f, ra, l, sizeof l));
        table_set(&t, r, 1, "%s", fig_text(f, ra, a, sizeof a));
        table_set(&t, r, 2, "%s", fig_text(f, rb, b, sizeof b));
        if (f->ratio_offset != SIZE_MAX)
            table_set(
                &t, r, 3, "%s",
                size_ratio(*(const double *)((const char *)&q + f->ratio_offset), c, sizeof c));
    }
    fprintf(out, "\ntiers side by side (ratio: %s / %s)\n", sb->spec.name, sa->spec.name);
    table_print(&t, out);
    size_print_basis(ra, out);
    if (rb->basis == AF_SIZE_POWER_LOAD)
        fprintf(out, "  (%s: drives busy %s of the time)\n", sb->spec.name,
                af_units_format(rb->sizing.busy, AF_DIM_RATIO, a, sizeof a));

    char p[AF_CELL], u[AF_CELL], life[32];
    fprintf(out,
            "\n%s needs %s the nodes, %s the power %s, %s the rack units, %s the price and %s "
            "the TCO over %s of %s\n",
            sb->spec.name, size_ratio(q.nodes, a, sizeof a), size_ratio(q.power, p, sizeof p),
            basis_words(ra->basis), size_ratio(q.rack_units, u, sizeof u),
            size_ratio(q.price, b, sizeof b), size_ratio(q.tco, c, sizeof c),
            life_words(ra->cost.life_s, life, sizeof life), sa->spec.name);
}

/* ---- JSON output ---- */

/* A number, or null when it is not finite (JSON has no infinity). */
/* ---- the command ---- */

/* Finds the entry of section sec called name, or adds an error (with a near miss, else the list
 * of names) under `option` (NULL for the SYSTEM argument) and returns NULL. */
static const void *size_find(const af_catalog *cat, af_section sec, const char *name,
                             const char *option, af_diag *d)
{
    const void *s = af_catalog_find(cat, sec, name);
    if (s)
        return s;
    const af_spec_desc *desc = af_schema_desc(sec);
    size_t n = 0;
    const char *const *names = af_catalog_names(cat, sec, &n);
    const char *near = af_did_you_mean(name, names, n);
    if (near) {
        af_diag_error_at(d, NULL, 0, 0, option, "unknown %s \"%s\"; did you mean \"%s\"?",
                         desc->noun, name, near);
        return NULL;
    }
    char list[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
    af_diag_error_at(d, NULL, 0, 0, option,
                     "unknown %s \"%s\"; expected one of %s (see `aifsim catalog %s`)", desc->noun,
                     name, list, desc->key);
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

/* Parses the value of `option` as a quantity of dimension dim in range r through the schema's
 * checker (af_check_quantity), so it reads and is refused as the same field in a scenario would
 * be; the message names the option. Returns true with *out set. */
static bool size_quantity(const char *option, const char *text, af_dim dim, af_range r, double *out,
                          af_diag *d)
{
    af_node node = {.kind = AF_NODE_SCALAR, .plain = true, .text = text, .n = strlen(text)};
    af_path path = {.len = 0};
    af_path_key(&path, option);
    af_check c = {.d = d};
    return af_check_quantity(&c, &node, &path, dim, r, out);
}

/* A share in (0, 1]: --usable, --fill, --headroom. */
static bool size_share(const char *option, const char *text, double *out, af_diag *d)
{
    return size_quantity(option, text, AF_DIM_RATIO, (af_range){0, 1, true}, out, d);
}

/* A facility figure given on the command line (--pue, --energy-price, --lifetime): read as the
 * facility field `key` of the catalog schema (its unit and range) into *fac. */
static void size_facility_opt(const char *option, const char *key, const char *text,
                              af_facility_spec *fac, af_diag *d)
{
    const af_field *fl = af_schema_field(af_schema_desc(AF_SECTION_FACILITY), key);
    assert(fl && fl->kind == AF_FIELD_REAL);
    double v;
    if (size_quantity(option, text, fl->dim, fl->range, &v, d))
        *(double *)((char *)fac + fl->offset) = v;
}

/* Parses --erasure K+M: K data drives (>= 1) and M parity drives (>= 0) per stripe. */
static void size_parse_erasure(const char *text, int *data, int *parity, af_diag *d)
{
    char *end = NULL;
    long k = -1, m = -1;
    if (text[0] >= '0' && text[0] <= '9')
        k = strtol(text, &end, 10);
    if (end && *end == '+' && end[1] >= '0' && end[1] <= '9')
        m = strtol(end + 1, &end, 10);
    else
        end = NULL;
    if (!end || *end || k < 1 || m < 0 || k + m > AF_SIZE_MAX_EC_WIDTH) {
        char q[128];
        af_diag_error_at(d, NULL, 0, 0, "--erasure",
                         "expected data+parity drives per stripe such as \"8+2\" (at least one "
                         "data drive, at most %d in all; 3-way replication is \"1+2\"), got "
                         "\"%s\"",
                         AF_SIZE_MAX_EC_WIDTH, af_doc_quote(text, q, sizeof q));
        return;
    }
    *data = (int)k;
    *parity = (int)m;
}

/* Parses --devices: "auto" or a whole number of drives (checked against the bays later). */
static void size_parse_devices(const char *text, int *out, af_diag *d)
{
    char err[256];
    double v;
    if (strcmp(text, "auto") == 0) {
        *out = AF_SIZE_DEVICES_AUTO;
        return;
    }
    char q[128];
    if (af_units_parse(text, AF_DIM_COUNT, &v, err, sizeof err) != 0 || v < 1 || v > 100000)
        af_diag_error_at(d, NULL, 0, 0, "--devices",
                         "expected a whole number of drives per node such as \"16\" or \"auto\", "
                         "got \"%s\"",
                         af_doc_quote(text, q, sizeof q));
    else
        *out = (int)v;
}

/* Parses --power-basis: load or busy. */
static void size_parse_basis(const char *text, af_size_power_basis *out, af_diag *d)
{
    static const char *const words[] = {"load", "busy"};
    for (int i = 0; i < 2; i++)
        if (strcmp(text, words[i]) == 0) {
            *out = (af_size_power_basis)i;
            return;
        }
    char q[128];
    const char *near = af_did_you_mean(text, words, 2);
    af_diag_error_at(d, NULL, 0, 0, "--power-basis", "expected load or busy, got \"%s\"%s%s%s",
                     af_doc_quote(text, q, sizeof q), near ? "; did you mean \"" : "",
                     near ? near : "", near ? "\"?" : "");
}

/* Applies the side's FIELD=VALUE overrides to its spec: they become a small YAML mapping (each
 * value parsed as YAML where its argument puts it, so messages point at the column), read
 * through the catalog schema in override mode. A reference field takes a catalog name
 * (nic=ethernet-200) or its own fields (nic.rate=800Gb/s). Returns AF_OK or AF_EINPUT with every
 * mistake in d. */
static int size_apply_sets(const af_catalog *cat, size_side *sd, af_diag *d)
{
    if (!sd->nsets)
        return AF_OK;
    af_doc *doc = NULL;
    if (af_doc_parse(sd->set_option, "{}", 2, &doc, d) != AF_OK)
        return AF_EINPUT;
    bool failed = false;
    for (size_t i = 0; i < sd->nsets; i++) {
        const char *arg = sd->sets[i];
        const char *eq = strchr(arg, '=');
        char q[128], path[AF_DOC_MAX_PATH + 1];
        if (!eq || eq == arg || (size_t)(eq - arg) > AF_DOC_MAX_PATH) {
            af_diag_error_at(d, sd->set_option, 1, 1, NULL,
                             "expected FIELD=VALUE such as \"device_capacity=30.72 TB\" (fields "
                             "as in models/storage.yaml), got \"%s\"",
                             af_doc_quote(arg, q, sizeof q));
            failed = true;
            continue;
        }
        memcpy(path, arg, (size_t)(eq - arg));
        path[eq - arg] = '\0';
        if (af_doc_check_path(path, sd->set_option, 1, 1, d) != AF_OK ||
            af_doc_set(doc, path, eq + 1, sd->set_option, 1, 1, (int)(eq - arg) + 2, NULL, d) !=
                AF_OK)
            failed = true;
    }
    af_check c = {.d = d};
    af_path p = {.len = 0};
    af_path_key(&p, sd->spec.name);
    af_schema_refs refs = af_catalog_refs(cat);
    /* The fields that were set are checked even after a malformed argument: one run shows
     * every mistake. */
    if (!af_schema_read(&c, &refs, AF_SECTION_STORAGE, af_doc_root(doc), &p, AF_SCHEMA_OVERRIDE,
                        &sd->spec, NULL))
        failed = true;
    af_doc_free(doc);
    return failed ? AF_EINPUT : AF_OK;
}

int af_cmd_size(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "size");
    af_diag *d = c.d;
    int rc = 2;
    const char *system = NULL, *compare = NULL, *json = NULL, *models = NULL;
    const char *facility = NULL, *pue = NULL, *energy = NULL, *lifetime = NULL;
    bool quiet = false;
    double vals[AF_O__COUNT] = {0};
    bool given[AF_O__COUNT] = {false};
    int min_nodes = 0;
    af_catalog *cat = NULL;
    af_size_options opt = {0};
    size_inputs in = {0};
    bool usable_given = false;
    size_side sides[2] = {{.set_option = "--set"},
                          {.option = "--compare", .set_option = "--set-b"}};
    sides[0].sets = af_calloc((size_t)argc + 1, sizeof *sides[0].sets);
    sides[1].sets = af_calloc((size_t)argc + 1, sizeof *sides[1].sets);

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
        } else if ((v = af_cli_take(argc, argv, &i, "--set", &missing))) {
            sides[0].sets[sides[0].nsets++] = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--set-b", &missing))) {
            sides[1].sets[sides[1].nsets++] = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--devices", &missing))) {
            size_parse_devices(v, &opt.devices, d);
        } else if ((v = af_cli_take(argc, argv, &i, "--usable", &missing))) {
            usable_given = true;
            size_share("--usable", v, &opt.usable_fraction, d);
        } else if ((v = af_cli_take(argc, argv, &i, "--erasure", &missing))) {
            in.erasure = v;
            size_parse_erasure(v, &opt.ec_data, &opt.ec_parity, d);
        } else if ((v = af_cli_take(argc, argv, &i, "--fill", &missing))) {
            in.fill = v;
            size_share("--fill", v, &opt.fill, d);
        } else if ((v = af_cli_take(argc, argv, &i, "--headroom", &missing))) {
            size_share("--headroom", v, &opt.headroom, d);
        } else if ((v = af_cli_take(argc, argv, &i, "--facility", &missing))) {
            facility = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--pue", &missing))) {
            pue = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--energy-price", &missing))) {
            energy = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--lifetime", &missing))) {
            lifetime = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--power-basis", &missing))) {
            size_parse_basis(v, &opt.basis, d);
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
    if (usable_given && (in.erasure || in.fill))
        af_diag_error_at(d, NULL, 0, 0, "--usable",
                         "give the usable fraction either as --usable or as --erasure and "
                         "--fill (usable = data/(data+parity) x fill), not both");
    if (in.fill && !in.erasure && !usable_given)
        af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, "--fill",
                    "without --erasure the usable fraction is the fill alone (no erasure-code "
                    "overhead); add --erasure K+M for the code");
    if (sides[1].nsets && !compare)
        af_diag_error_at(d, NULL, 0, 0, "--set-b",
                         "overrides SYSTEM2, which needs --compare SYSTEM2; use --set for "
                         "SYSTEM");

    /* Look the systems up even after other mistakes, so that one run reports them all. */
    if (system)
        cat = af_cli_load_catalog(models, d);
    if (!cat)
        goto done;
    sides[0].name = system;
    sides[1].name = compare;
    int nsides = compare ? 2 : 1;
    for (int k = 0; k < nsides; k++) {
        const af_storage_spec *s =
            size_find(cat, AF_SECTION_STORAGE, sides[k].name, sides[k].option, d);
        if (s) {
            sides[k].spec = *s;
            size_apply_sets(cat, &sides[k], d);
        }
    }
    const af_facility_spec *preset = NULL;
    if (facility) {
        preset = size_find(cat, AF_SECTION_FACILITY, facility, "--facility", d);
    } else {
        size_t n = 0;
        const af_facility_spec *all = af_catalog_facilities(cat, &n);
        preset = af_catalog_find_facility(cat, AF_SIZE_DEFAULT_FACILITY);
        if (!preset && n)
            preset = &all[0]; /* a catalog of its own without the default: its first preset */
        if (!preset)
            af_diag_error(d, "the catalog has no facility preset; `aifsim size` needs one for "
                             "power and cost");
    }
    af_facility_spec fac = preset ? *preset : (af_facility_spec){0};
    in.pue_given = pue != NULL;
    in.price_given = energy != NULL;
    in.life_given = lifetime != NULL;
    if (pue)
        size_facility_opt("--pue", "pue", pue, &fac, d);
    if (energy)
        size_facility_opt("--energy-price", "energy_price", energy, &fac, d);
    if (lifetime)
        size_facility_opt("--lifetime", "lifetime", lifetime, &fac, d);
    /* Drives per node within the bays of each box (its devices after --set). */
    for (int k = 0; k < nsides && opt.devices > 0; k++)
        if (sides[k].spec.name && opt.devices > sides[k].spec.devices)
            af_diag_error_at(d, NULL, 0, 0, "--devices",
                             "%s has %d drive bays (its devices); expected 1 to %d or auto, got "
                             "%d",
                             sides[k].spec.name, sides[k].spec.devices, sides[k].spec.devices,
                             opt.devices);
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
    for (int k = 0; k < nsides; k++)
        if (af_size_plan(&sides[k].spec, &dem, &opt, &fac, &sides[k].res, d) != AF_OK)
            goto done;

    if (!quiet && !(json && strcmp(json, "-") == 0)) {
        if (nsides == 2)
            size_print_two(sides, &dem, &in, &fac, stdout);
        else
            size_print_one(&sides[0], &dem, &in, &fac, stdout);
    }
    rc = 1;
    if (af_cli_check_stdout(&c) != AF_OK)
        goto done;
    if (json && size_json_save(json, &dem, &fac, sides, nsides, d) != AF_OK)
        goto done;
    rc = 0;

done:
    af_free(sides[0].sets);
    af_free(sides[1].sets);
    af_catalog_free(cat);
    return af_cli_finish(&c, rc);
}
