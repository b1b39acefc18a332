/*
 * json: one metric per line, in recorded order; see json.h.
 */
#include "report/json.h"

#include "base/outfile.h"

#include <math.h>

void af_json_write_string(af_outfile *f, const char *s)
{
    af_outfile_write(f, "\"", 1);
    /* Runs of plain bytes go out in one write; quotes, backslashes and the control characters
     * (below 0x20, and DEL) as escapes, \u00XX for the controls so no raw one reaches a reader. */
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c != '"' && c != '\\' && c >= 0x20 && c != 0x7f)
            continue;
        af_outfile_write(f, run, (size_t)(s - run));
        if (c == '"' || c == '\\')
            af_outfile_printf(f, "\\%c", c);
        else
            af_outfile_printf(f, "\\u%04x", c);
        run = s + 1;
    }
    af_outfile_write(f, run, (size_t)(s - run));
    af_outfile_write(f, "\"", 1);
}

int af_report_json_save(const af_results *r, const char *path, af_diag *d)
{
    af_outfile *f = af_outfile_open(path, d);
    if (!f)
        return AF_EIO;
    af_outfile_printf(f, "{\n");
    size_t n = af_results_count(r);
    for (size_t i = 0; i < n; i++) {
        const af_metric *m = af_results_get(r, i);
        af_outfile_printf(f, "  ");
        af_json_write_string(f, m->name);
        if (m->text) {
            af_outfile_printf(f, ": {\"text\": ");
            af_json_write_string(f, m->text);
            af_outfile_printf(f, "}%s\n", i + 1 < n ? "," : "");
            continue;
        }
        if (isfinite(m->value))
            af_outfile_printf(f, ": {\"value\": %.17g, \"unit\": ", m->value);
        else
            af_outfile_printf(f, ": {\"value\": null, \"unit\": ");
        af_json_write_string(f, af_units_si(m->dim));
        af_outfile_printf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    af_outfile_printf(f, "}\n");
    return af_outfile_commit(f, d);
}
