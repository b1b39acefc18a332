/*
 * size_json: the JSON file of `aifsim size --json` (the demand, the facility, each system's
 * plan and the comparison's ratios), written atomically.
 */
#include "cli/size_cmd_int.h"

#include "base/outfile.h"
#include "report/json.h"

#include <math.h>
#include <stdio.h>

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

/* `"key": {"value": v, "unit": "u"}` for a value in SI units. */
static void size_json_value(af_outfile *f, const char *indent, const char *key, double v,
                            const char *unit, bool last)
{
    af_outfile_printf(f, "%s\"%s\": {\"value\": ", indent, key);
    size_json_number(f, v);
    af_outfile_printf(f, ", \"unit\": ");
    af_json_write_string(f, unit);
    af_outfile_printf(f, "}%s\n", last ? "" : ",");
}

/* `"key": {"value": v, "unit": "u"}` for figure fg of base. */
static void size_json_fig(af_outfile *f, const char *indent, const af_size_fig *fg,
                          const void *base, bool last)
{
    const char *unit = fg->json_unit ? fg->json_unit : fg->unit ? fg->unit : af_units_si(fg->dim);
    size_json_value(f, indent, fg->key, size_fig_get(fg, base), unit, last);
}

/* `"key": "text",` */
static void size_json_text(af_outfile *f, const char *indent, const char *key, const char *text)
{
    af_outfile_printf(f, "%s\"%s\": ", indent, key);
    af_json_write_string(f, text);
    af_outfile_printf(f, ",\n");
}

static void size_json_system(af_outfile *f, const size_side *sd, bool last)
{
    const af_size_result *r = &sd->res;
    const af_storage_sizing *z = &r->sizing;
    static const char *const chose[] = {"all", "given", "auto"};
    static const char *const usable[] = {"system", "given", "erasure"};
    af_outfile_printf(f, "    {\n      \"name\": ");
    af_json_write_string(f, sd->spec.name);
    af_outfile_printf(f, ",\n      \"nodes\": %d,\n      \"binding\": ", z->nodes);
    size_json_constraint(f, z->binding);
    af_outfile_printf(f, ",\n      \"constraints\": {\n");
    for (int c = 0; c < AF_SIZE__COUNT; c++) {
        af_outfile_printf(f, "        ");
        size_json_constraint(f, (af_storage_constraint)c);
        af_outfile_printf(f, ": {\"need\": ");
        size_json_number(f, z->need[c]);
        af_outfile_printf(f, ", \"nodes\": %d, \"overprovisioning\": ", z->nodes_for[c]);
        if (r->over[c] > 0)
            size_json_number(f, r->over[c]);
        else
            af_outfile_printf(f, "null");
        af_outfile_printf(f, "}%s\n", c + 1 < AF_SIZE__COUNT ? "," : "");
    }
    af_outfile_printf(f, "      },\n");
    for (size_t i = 0; i < size_ntier_figs; i++)
        size_json_fig(f, "      ", &size_tier_figs[i], r, false);
    size_json_text(f, "      ", "power_basis", af_size_power_basis_name(r->basis));
    af_outfile_printf(f, "      \"lifetime\": {\"value\": ");
    size_json_number(f, r->cost.life_s);
    af_outfile_printf(f, ", \"unit\": \"s\"},\n");
    af_outfile_printf(f, "      \"devices_per_node\": %d,\n      \"bays\": %d,\n", r->spec.devices,
                      r->bays);
    size_json_text(f, "      ", "devices_from", chose[r->devices_from]);
    size_json_text(f, "      ", "usable_fraction_from", usable[r->usable_from]);
    if (r->devices_from == AF_SIZE_CHOSE_AUTO) {
        af_outfile_printf(f,
                          "      \"devices_auto\": {\"tried_from\": %d, \"tried_to\": %d, "
                          "\"chosen\": %d, \"candidates\": [\n",
                          r->min_devices, r->max_devices, r->spec.devices);
        for (int k = 0; k < r->nalts; k++) {
            const af_size_alt *x = &r->alts[k];
            af_outfile_printf(
                f, "        {\"devices\": %d, \"nodes\": %d, \"binding\": ", x->devices, x->nodes);
            size_json_constraint(f, x->binding);
            af_outfile_printf(f, ", \"price\": ");
            size_json_number(f, x->price_usd);
            af_outfile_printf(f, ", \"power\": ");
            size_json_number(f, x->power_W);
            af_outfile_printf(f, ", \"tco\": ");
            size_json_number(f, x->tco_usd);
            af_outfile_printf(f, "}%s\n", k + 1 < r->nalts ? "," : "");
        }
        af_outfile_printf(f, "      ]},\n");
    }
    if (sd->nsets) {
        af_outfile_printf(f, "      \"overrides\": [");
        for (size_t i = 0; i < sd->nsets; i++) {
            af_outfile_printf(f, "%s", i ? ", " : "");
            af_json_write_string(f, sd->sets[i]);
        }
        af_outfile_printf(f, "],\n");
    }
    for (size_t i = 0; i < size_nnode_figs; i++)
        size_json_fig(f, "      ", &size_node_figs[i], r, i + 1 == size_nnode_figs);
    af_outfile_printf(f, "    }%s\n", last ? "" : ",");
}

/* Writes the figures to path atomically: the demand, the facility, each system's plan and, with
 * two systems, the ratios of the second system's figures to the first's. */
int size_json_save(const char *path, const af_storage_demand *dem, const af_facility_spec *fac,
                   const size_side *sides, int n, af_diag *d)
{
    af_outfile *f = af_outfile_open(path, d);
    if (!f)
        return AF_EIO;
    af_outfile_printf(f, "{\n  \"demand\": {\n");
    for (size_t i = 0; i < size_ndemand_figs; i++)
        size_json_fig(f, "    ", &size_demand_figs[i], dem, false);
    af_outfile_printf(f, "    \"min_nodes\": {\"value\": %d, \"unit\": \"1\"},\n", dem->min_nodes);
    size_json_value(f, "    ", "headroom", sides[0].res.headroom, "1", true);
    af_outfile_printf(f, "  },\n  \"facility\": {\n");
    size_json_text(f, "    ", "name", fac->name);
    size_json_value(f, "    ", "pue", fac->pue, "1", false);
    size_json_value(f, "    ", "energy_price", fac->energy_price_usd_J,
                    af_units_si(AF_DIM_ENERGY_PRICE), false);
    size_json_value(f, "    ", "storage_life", fac->storage_life_s, "s", false);
    size_json_value(f, "    ", "maintenance", fac->maintenance, "1/y", false);
    size_json_value(f, "    ", "space_cost", fac->space_usd_s_per_rack,
                    af_units_si(AF_DIM_HOURLY_PRICE), false);
    size_json_value(f, "    ", "lifetime", fac->lifetime_s, "s", true);
    af_outfile_printf(f, "  },\n  \"systems\": [\n");
    for (int k = 0; k < n; k++)
        size_json_system(f, &sides[k], k + 1 == n);
    af_outfile_printf(f, "  ]");
    if (n == 2) {
        af_size_ratios q = af_size_compare(&sides[0].res, &sides[1].res);
        const struct {
            const char *key;
            double v;
        } ratios[] = {{"nodes", q.nodes},
                      {"load_power", q.load_power},
                      {"rack_units", q.rack_units},
                      {"price", q.price},
                      {"power", q.power},
                      {"power_per_usable_capacity", q.W_per_usable_B},
                      {"energy_per_year", q.energy_year},
                      {"racks", q.racks},
                      {"tco", q.tco}};
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
