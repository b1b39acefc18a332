/*
 * compare: rows of two runs, their text table and their JSON; see compare.h.
 *
 * Matching is linear in the number of metrics (the results' hash index finds each name): A's
 * metrics give the rows in order, and each metric only B wrote is given an anchor, the row
 * after which it goes, then the two are merged with a counting sort on the anchor that keeps
 * B's order among metrics of one anchor.
 *
 * The table's columns are sized to what they hold (labels, values, headings), within 100
 * columns: value columns are narrowed first, cutting a heading that does not fit with "..";
 * values themselves are never cut (a text longer than its column goes on lines of its own).
 */
#include "report/compare.h"

#include "base/alloc.h"
#include "base/outfile.h"
#include "report/json.h"
#include "report/text.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

/* The headline selection: fnmatch(3) patterns, '*' matching any run of characters (dots
 * included). New metrics under these names are picked up without a change here. */
static const char *const compare_headline_patterns[] = {
    "run.duration",
    "train.*.gpu_utilization",
    "train.*.data_wait",
    "train.*.bottleneck",
    "train.*.steps",
    "train.*.samples_per_second",
    "train.*.goodput",
    "burst.*.slowdown",
    "lookup.*.latency_p99",
    "inference.*.throughput",
    "inference.*.latency_p99",
    "inference.*.latency_p99_writes",
    "inference.*.ttft_p99",
    "inference.*.tpot_p99",
    "inference.*.slo_attainment",
    "inference.*.rejected",
    "pool.*.power",
    "storage.*.read_rate",
    "storage.*.write_rate",
    "storage.*.nodes",
    "storage.*.devices",
    "storage.*.rack_units",
    "storage.*.power",
    "fabric.*.power",
    "facility.*",
    "cost.*",
};

bool af_compare_headline(const char *name)
{
    for (size_t i = 0; i < sizeof compare_headline_patterns / sizeof compare_headline_patterns[0];
         i++)
        if (fnmatch(compare_headline_patterns[i], name, 0) == 0)
            return true;
    return false;
}

/* Fills row r for metrics a and b (either may be NULL, not both). */
static void compare_fill(af_compare_row *r, const af_metric *a, const af_metric *b)
{
    const af_metric *any = a ? a : b;
    memset(r, 0, sizeof *r);
    r->name = any->name;
    r->label = a && a->label ? a->label : b ? b->label : NULL;
    r->a = a;
    r->b = b;
    r->dim = any->dim;
    r->text = (a && a->text) || (b && b->text);
    r->provenance = r->text && strncmp(r->name, "run.", 4) == 0;
    if (!a || !b) {
        r->differs = true;
        return;
    }
    if (r->text) {
        r->differs = !a->text || !b->text || strcmp(a->text, b->text) != 0;
        return;
    }
    if (a->dim != b->dim) {
        r->differs = true;
        return;
    }
    /* Two NaNs (a figure neither run could give) are the same; a NaN and a number are not. */
    r->differs = !(a->value == b->value || (isnan(a->value) && isnan(b->value)));
    if (!isfinite(a->value) || !isfinite(b->value))
        return;
    r->has_diff = true;
    r->diff = b->value - a->value;
    if (a->value != 0) {
        r->has_ratio = true;
        r->ratio = r->diff / a->value;
    }
}

/* True when the names a and b are in the same summary group (report/text.h). */
static bool compare_same_group(const char *a, const char *b)
{
    size_t la = af_report_text_group_len(a);
    return la == af_report_text_group_len(b) && strncmp(a, b, la) == 0;
}

af_compare *af_compare_new(const af_results *a, const af_results *b)
{
    size_t na = af_results_count(a), nb = af_results_count(b);
    /* anchor[k] for B's k-th metric when only B wrote it: the index in A of the metric it
     * follows, plus one (0: before all of A's). SIZE_MAX for a metric A wrote too. */
    size_t *anchor = af_malloc_array(nb ? nb : 1, sizeof *anchor);
    size_t *count = af_calloc(na + 2, sizeof *count);
    size_t after = 0, nonly = 0;
    for (size_t k = 0; k < nb; k++) {
        const af_metric *m = af_results_get(b, k);
        const af_metric *in_a = af_results_find(a, m->name);
        if (in_a) {
            /* The results' list is contiguous, so the index is the pointer's offset. */
            after = (size_t)(in_a - af_results_get(a, 0)) + 1;
            anchor[k] = SIZE_MAX;
            continue;
        }
        /* A metric opening a group of its own goes past the rest of the anchor's group. */
        size_t at = after;
        if (at > 0 && !compare_same_group(af_results_get(a, at - 1)->name, m->name))
            while (at < na &&
                   compare_same_group(af_results_get(a, at - 1)->name, af_results_get(a, at)->name))
                at++;
        anchor[k] = at;
        count[at + 1]++;
        nonly++;
    }
    /* count[i] becomes the first slot of the B-only metrics anchored at i. */
    for (size_t i = 1; i < na + 2; i++)
        count[i] += count[i - 1];
    const af_metric **only = af_malloc_array(nonly ? nonly : 1, sizeof *only);
    for (size_t k = 0; k < nb; k++)
        if (anchor[k] != SIZE_MAX)
            only[count[anchor[k]]++] = af_results_get(b, k);
    /* Now count[i] is one past the last B-only metric anchored at i, and the first is
     * count[i - 1] (0 for i = 0). */

    af_compare *c = af_calloc(1, sizeof *c);
    c->rows = af_malloc_array(na + nonly ? na + nonly : 1, sizeof *c->rows);
    size_t o = 0;
    for (size_t i = 0; i <= na; i++) {
        if (i > 0) {
            const af_metric *m = af_results_get(a, i - 1);
            compare_fill(&c->rows[c->n++], m, af_results_find(b, m->name));
        }
        for (; o < count[i]; o++)
            compare_fill(&c->rows[c->n++], NULL, only[o]);
    }
    af_free(only);
    af_free(count);
    af_free(anchor);
    return c;
}

void af_compare_free(af_compare *c)
{
    if (!c)
        return;
    af_free(c->rows);
    af_free(c);
}

/* ---------------------------------------------------------------------------------------------
 * Text. */

/* The widest the table may be. */
#define COMPARE_WIDTH 100
/* Columns never narrower than these. */
#define COMPARE_MIN_LABEL 20
#define COMPARE_MIN_VALUE 10
/* Gap between columns. */
#define COMPARE_GAP 2

/* One cell's text. */
typedef char compare_cell[64];

/* The value of metric m (NULL: not written) as the summary prints it. */
static const char *compare_value(const af_metric *m, compare_cell out)
{
    if (!m)
        snprintf(out, sizeof(compare_cell), "-");
    else if (m->text)
        return m->text; /* whole, never cut */
    else
        af_report_text_value(m->value, m->dim, out, sizeof(compare_cell));
    return out;
}

/* B - A with its sign and unit; a difference of shares in percentage points. */
static const char *compare_diff(const af_compare_row *r, compare_cell out)
{
    if (r->text) {
        snprintf(out, sizeof(compare_cell), "%s", r->differs ? "differs" : "same");
        return out;
    }
    if (!r->has_diff) {
        snprintf(out, sizeof(compare_cell), "n/a");
        return out;
    }
    char v[48];
    af_report_text_value(fabs(r->diff), r->dim, v, sizeof v);
    const char *sign = r->diff > 0 ? "+" : r->diff < 0 ? "-" : "";
    size_t len = strlen(v);
    if (r->dim == AF_DIM_RATIO && len > 0 && v[len - 1] == '%')
        snprintf(out, sizeof(compare_cell), "%s%.*s pp", sign, (int)(len - 1), v);
    else
        snprintf(out, sizeof(compare_cell), "%s%s", sign, v);
    return out;
}

/* B / A - 1 as a signed percentage. */
static const char *compare_ratio(const af_compare_row *r, compare_cell out)
{
    if (r->text) {
        out[0] = '\0';
        return out;
    }
    if (!r->has_ratio) {
        snprintf(out, sizeof(compare_cell), "n/a");
        return out;
    }
    char v[48];
    af_report_text_value(fabs(r->ratio), AF_DIM_RATIO, v, sizeof v);
    snprintf(out, sizeof(compare_cell), "%s%s", r->ratio > 0 ? "+" : r->ratio < 0 ? "-" : "", v);
    return out;
}

/* The row's label: the metric's label, else the last part of its name. */
static const char *compare_label(const af_compare_row *r)
{
    if (r->label)
        return r->label;
    size_t glen = af_report_text_group_len(r->name);
    return r->name[glen] ? r->name + glen + 1 : r->name;
}

static size_t compare_max(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* s fitted into w columns: cut with ".." at the end when longer. */
static const char *compare_fit(const char *s, size_t w, compare_cell out)
{
    if (strlen(s) <= w || w < 3 || w >= sizeof(compare_cell))
        snprintf(out, sizeof(compare_cell), "%s", s);
    else
        snprintf(out, sizeof(compare_cell), "%.*s..", (int)(w - 2), s);
    return out;
}

/* "flagship (scenarios/flagship.yaml, seed 42, --set a=1 --set b=2)" */
static void compare_side_line(const char *tag, const af_compare_side *s, FILE *f)
{
    fprintf(f, "  %s: %s (%s, seed %" PRIu64, tag, s->name, s->file, s->seed);
    for (size_t i = 0; i < s->noverrides; i++)
        fprintf(f, "%s--set %s", i == 0 ? ", " : " ", s->overrides[i]);
    fprintf(f, ")\n");
}

void af_report_compare_text(const af_compare *c, const af_compare_side *a, const af_compare_side *b,
                            bool all, const char *title, FILE *f)
{
    /* Column widths from what the shown rows hold. */
    size_t lw = COMPARE_MIN_LABEL, vw = COMPARE_MIN_VALUE, dw = strlen("B - A"),
           rw = strlen("B/A - 1");
    size_t shown = 0, differ = 0, differ_all = 0;
    for (size_t i = 0; i < c->n; i++) {
        const af_compare_row *r = &c->rows[i];
        bool differs = r->differs && !r->provenance;
        differ_all += differs;
        if (!all && (r->provenance || !af_compare_headline(r->name)))
            continue;
        shown++;
        differ += differs;
        compare_cell s;
        lw = compare_max(lw, strlen(compare_label(r)));
        if (!r->text) {
            vw = compare_max(vw, strlen(compare_value(r->a, s)));
            vw = compare_max(vw, strlen(compare_value(r->b, s)));
        }
        dw = compare_max(dw, strlen(compare_diff(r, s)));
        rw = compare_max(rw, strlen(compare_ratio(r, s)));
    }
    size_t fixed = 2 + lw + 4 * COMPARE_GAP + dw + rw;
    size_t heads = compare_max(strlen(a->column), strlen(b->column));
    if (heads > vw)
        vw = fixed + 2 * heads <= COMPARE_WIDTH ? heads
             : fixed + 2 * vw < COMPARE_WIDTH   ? (COMPARE_WIDTH - fixed) / 2
                                                : vw;

    fprintf(f, "%s\n", title);
    compare_side_line("A", a, f);
    compare_side_line("B", b, f);
    compare_cell ha, hb;
    fprintf(f, "\n  %-*s  %*s  %*s  %*s  %*s\n", (int)lw, "", (int)vw,
            compare_fit(a->column, vw, ha), (int)vw, compare_fit(b->column, vw, hb), (int)dw,
            "B - A", (int)rw, "B/A - 1");

    const char *group = NULL;
    size_t glen = 0;
    for (size_t i = 0; i < c->n; i++) {
        const af_compare_row *r = &c->rows[i];
        if (!all && (r->provenance || !af_compare_headline(r->name)))
            continue;
        size_t len = af_report_text_group_len(r->name);
        if (!group || len != glen || strncmp(group, r->name, len) != 0) {
            group = r->name;
            glen = len;
            fprintf(f, "\n%.*s\n", (int)glen, group);
        }
        compare_cell va, vb, d, q;
        /* Texts whole (a long path, the overrides), numbers formatted into the cells. */
        const char *ta = compare_value(r->a, va), *tb = compare_value(r->b, vb);
        compare_diff(r, d);
        compare_ratio(r, q);
        if (r->text && (strlen(ta) > vw || strlen(tb) > vw)) {
            /* A long text: each side on a line of its own, the mark on B's. */
            fprintf(f, "  %-*s  A: %s\n", (int)lw, compare_label(r), ta);
            fprintf(f, "  %-*s  B: %s  (%s)\n", (int)lw, "", tb, d);
            continue;
        }
        char line[512];
        snprintf(line, sizeof line, "  %-*s  %*s  %*s  %*s  %*s", (int)lw, compare_label(r),
                 (int)vw, ta, (int)vw, tb, (int)dw, d, (int)rw, q);
        size_t end = strlen(line);
        while (end > 0 && line[end - 1] == ' ')
            end--;
        fprintf(f, "%.*s\n", (int)end, line);
    }
    fprintf(f, "\n");
    if (all && differ_all == 0)
        fprintf(f, "%zu metrics; the two runs agree on every one\n", c->n);
    else if (all)
        fprintf(f, "%zu metrics, %zu differ\n", c->n, differ_all);
    else if (differ_all == 0)
        fprintf(f, "%zu of %zu metrics shown; the two runs agree on every one\n", shown, c->n);
    else
        fprintf(f,
                "%zu of %zu metrics shown, %zu of them differ (%zu of all %zu); --all shows "
                "every one\n",
                shown, c->n, differ, differ_all, c->n);
}

/* ---------------------------------------------------------------------------------------------
 * JSON. */

static void compare_json_number(af_outfile *f, bool defined, double v)
{
    if (defined && isfinite(v))
        af_outfile_printf(f, "%.17g", v);
    else
        af_outfile_printf(f, "null");
}

/* A side's value: a string for a text metric, a number, or null. */
static void compare_json_value(af_outfile *f, const af_metric *m)
{
    if (!m)
        af_outfile_printf(f, "null");
    else if (m->text)
        af_json_write_string(f, m->text);
    else
        compare_json_number(f, true, m->value);
}

static void compare_json_side(af_outfile *f, const char *key, const af_compare_side *s)
{
    af_outfile_printf(f, "  \"%s\": {\"file\": ", key);
    af_json_write_string(f, s->file);
    af_outfile_printf(f, ", \"name\": ");
    af_json_write_string(f, s->name);
    af_outfile_printf(f, ", \"seed\": %" PRIu64 ", \"overrides\": [", s->seed);
    for (size_t i = 0; i < s->noverrides; i++) {
        af_outfile_printf(f, "%s", i ? ", " : "");
        af_json_write_string(f, s->overrides[i]);
    }
    af_outfile_printf(f, "]},\n");
}

int af_report_compare_json_save(const af_compare *c, const af_compare_side *a,
                                const af_compare_side *b, const char *path, af_diag *d)
{
    af_outfile *f = af_outfile_open(path, d);
    if (!f)
        return AF_EIO;
    af_outfile_printf(f, "{\n");
    compare_json_side(f, "a", a);
    compare_json_side(f, "b", b);
    af_outfile_printf(f, "  \"metrics\": [\n");
    for (size_t i = 0; i < c->n; i++) {
        const af_compare_row *r = &c->rows[i];
        af_outfile_printf(f, "    {\"name\": ");
        af_json_write_string(f, r->name);
        af_outfile_printf(f, ", \"unit\": ");
        af_json_write_string(f, r->text ? "text" : af_units_si(r->dim));
        af_outfile_printf(f, ", \"a\": ");
        compare_json_value(f, r->a);
        af_outfile_printf(f, ", \"b\": ");
        compare_json_value(f, r->b);
        af_outfile_printf(f, ", \"diff\": ");
        compare_json_number(f, r->has_diff, r->diff);
        af_outfile_printf(f, ", \"ratio\": ");
        compare_json_number(f, r->has_ratio, r->ratio);
        af_outfile_printf(f, "}%s\n", i + 1 < c->n ? "," : "");
    }
    af_outfile_printf(f, "  ]\n}\n");
    return af_outfile_commit(f, d);
}
