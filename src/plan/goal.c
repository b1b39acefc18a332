/*
 * plan/goal: goal expressions and the monotone search of `aifsim plan`; see goal.h.
 *
 * The search works on a predicate q over 0..n-1 that is false then true: for FEWEST q(i) is "the
 * goals hold at i", for MOST "they fail at i". Galloping probes 0, 1, 3, 7, ..., 2^k - 1 (and n - 1
 * last) until q holds, so the first true index f lies in (last false probe, first true probe];
 * bisection narrows it to f, each index evaluated once. FEWEST's answer is f (its failing
 * neighbour f - 1); MOST's is f - 1 (its failing neighbour f).
 */
#include "plan/goal.h"

#include "base/alloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- Goals ----------------------------------------------------------------------------------- */

void af_goals_init(af_goals *gs)
{
    memset(gs, 0, sizeof *gs);
}

void af_goals_fini(af_goals *gs)
{
    for (size_t i = 0; i < gs->n; i++) {
        af_free(gs->g[i].metric);
        af_free(gs->g[i].ref);
        af_free(gs->g[i].text);
    }
    af_goals_init(gs);
}

const char *af_goal_op_text(af_goal_op op)
{
    switch (op) {
    case AF_GOAL_GE:
        return ">=";
    case AF_GOAL_LE:
        return "<=";
    case AF_GOAL_GT:
        return ">";
    case AF_GOAL_LT:
        return "<";
    }
    return "?";
}

bool af_goal_holds(const af_goal *g, double x)
{
    if (isnan(x))
        return false;
    switch (g->op) {
    case AF_GOAL_GE:
        return x >= g->value;
    case AF_GOAL_LE:
        return x <= g->value;
    case AF_GOAL_GT:
        return x > g->value;
    case AF_GOAL_LT:
        return x < g->value;
    }
    return false;
}

double af_goal_bound(const af_goal *g, double lo, double hi)
{
    return g->op == AF_GOAL_GE || g->op == AF_GOAL_GT ? lo : hi;
}

/* A copy of [s, e) without surrounding blanks. */
static char *goal_trim(const char *s, const char *e)
{
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return af_strndup(s, (size_t)(e - s));
}

char *af_goal_metric_near(const char *name)
{
    const char *dot = strchr(name, '.');
    const char *last = strrchr(name, '.');
    char *inst =
        dot && last > dot ? af_strndup(dot + 1, (size_t)(last - dot - 1)) : af_strdup("NAME");
    char **cands = af_calloc(AF_M__COUNT, sizeof *cands);
    for (size_t i = 0; i < AF_M__COUNT; i++) {
        const af_metric_def *m = af_metric_get((af_metric_id)i);
        cands[i] = m->instanced ? af_strfmt("%s.%s.%s", m->group, inst, m->leaf)
                                : af_strfmt("%s.%s", m->group, m->leaf);
    }
    const char *near = af_did_you_mean(name, (const char *const *)cands, AF_M__COUNT);
    char *out = near ? af_strdup(near) : NULL;
    for (size_t i = 0; i < AF_M__COUNT; i++)
        af_free(cands[i]);
    af_free(cands);
    af_free(inst);
    return out;
}

/* Parses one comparison [s, e) and appends it. */
static int goal_one(af_goals *gs, const char *s, const char *e, af_diag *d)
{
    char *cmp = goal_trim(s, e);
    char *metric = NULL, *value = NULL;
    int rc = AF_EINPUT;
    const char *p = cmp;
    while (*p && *p != '<' && *p != '>' && *p != '=' && *p != '!')
        p++;
    af_goal_op op;
    size_t oplen = 1;
    if (!*cmp) {
        af_diag_error(d, "--goal: an empty comparison; expected METRIC OP VALUE joined by \"and\", "
                         "e.g. 'train.llm.gpu_utilization >= 90%%'");
        goto done;
    }
    if (*p == '>' || *p == '<') {
        op = p[1] == '=' ? (*p == '>' ? AF_GOAL_GE : AF_GOAL_LE)
                         : (*p == '>' ? AF_GOAL_GT : AF_GOAL_LT);
        oplen = p[1] == '=' ? 2 : 1;
    } else {
        af_diag_error(d,
                      "--goal \"%s\": expected a comparison METRIC OP VALUE with OP one of >=, <=, "
                      ">, <, e.g. 'train.llm.gpu_utilization >= 90%%'",
                      cmp);
        goto done;
    }
    metric = goal_trim(cmp, p);
    value = goal_trim(p + oplen, cmp + strlen(cmp));
    if (!*metric || strpbrk(metric, " \t<>=")) {
        af_diag_error(d,
                      "--goal \"%s\": expected a metric name before \"%s\", e.g. "
                      "train.llm.gpu_utilization",
                      cmp, af_goal_op_text(op));
        goto done;
    }
    if (!*value || strpbrk(value, "<>=")) {
        af_diag_error(d, "--goal \"%s\": expected one value after \"%s\", e.g. 90%% or 50 ms", cmp,
                      af_goal_op_text(op));
        goto done;
    }
    const af_metric_def *def = af_metric_of_name(metric);
    if (!def) {
        char *near = af_goal_metric_near(metric);
        af_diag_error(d, "--goal \"%s\": unknown metric \"%s\"%s%s%s; see `aifsim metrics`", cmp,
                      metric, near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
        af_free(near);
        goto done;
    }
    if (def->text) {
        af_diag_error(d, "--goal \"%s\": %s is a text metric (a name), not a number to compare",
                      cmp, metric);
        goto done;
    }
    double v = 0;
    char err[256] = "";
    char *ref = NULL;
    const af_metric_def *rdef = NULL;
    if (af_units_parse(value, def->dim, &v, err, sizeof err) != 0) {
        /* Not a quantity: another metric of the same dimension ("... >= ...mlperf_au_min")? */
        rdef = strchr(value, '.') && !strpbrk(value, " \t") ? af_metric_of_name(value) : NULL;
        if (!rdef) {
            af_diag_error(d, "--goal \"%s\": %s: %s (or another metric of the same unit)", cmp,
                          metric, err);
            goto done;
        }
        if (rdef->text || rdef->dim != def->dim) {
            af_diag_error(d,
                          "--goal \"%s\": %s is not a metric of %s's unit; expected a quantity or "
                          "a metric of the same unit",
                          cmp, value, metric);
            goto done;
        }
        ref = af_strdup(value);
        v = 0;
    }
    if (gs->n == AF_GOAL_MAX) {
        af_diag_error(d, "--goal: more than %d goals", AF_GOAL_MAX);
        af_free(ref);
        goto done;
    }
    gs->g[gs->n++] = (af_goal){.metric = metric,
                               .ref = ref,
                               .op = op,
                               .value = v,
                               .dim = def->dim,
                               .text = af_strfmt("%s %s %s", metric, af_goal_op_text(op), value)};
    metric = NULL;
    rc = AF_OK;
done:
    af_free(metric);
    af_free(value);
    af_free(cmp);
    return rc;
}

/* The next " and " (a word of its own, any case) in [s, ...), or NULL. */
static const char *goal_and(const char *s)
{
    for (const char *p = s; *p; p++)
        if ((p == s || isspace((unsigned char)p[-1])) && strncasecmp(p, "and", 3) == 0 &&
            (isspace((unsigned char)p[3]) || p[3] == '\0'))
            return p;
    return NULL;
}

int af_goals_parse(af_goals *gs, const char *expr, af_diag *d)
{
    int rc = AF_OK;
    const char *s = expr;
    for (;;) {
        const char *a = goal_and(s);
        const char *e = a ? a : s + strlen(s);
        if (goal_one(gs, s, e, d) != AF_OK)
            rc = AF_EINPUT;
        if (!a)
            break;
        s = a + 3;
    }
    return rc;
}

/* ---- The search ------------------------------------------------------------------------------ */

/* q(i): the goals' result at i turned into "on the far side". */
static int search_q(af_search_dir dir, af_search_eval eval, void *ctx, size_t i, size_t *runs,
                    bool *q)
{
    bool pass = false;
    int rc = eval(ctx, i, &pass);
    (*runs)++;
    *q = dir == AF_SEARCH_FEWEST ? pass : !pass;
    return rc;
}

int af_search(size_t n, af_search_dir dir, af_search_eval eval, void *ctx, af_search_result *out)
{
    af_search_result r = {.found = false, .pass = AF_SEARCH_NONE, .fail = AF_SEARCH_NONE};
    int rc = AF_OK;
    bool q = false;
    /* Gallop: lo is the last probe with q false (NONE before any), hi the first with q true. */
    size_t lo = AF_SEARCH_NONE, hi = AF_SEARCH_NONE;
    size_t probe = 0, step = 1;
    for (;;) {
        if ((rc = search_q(dir, eval, ctx, probe, &r.runs, &q)) != AF_OK)
            goto done;
        if (q) {
            hi = probe;
            break;
        }
        lo = probe;
        if (probe == n - 1)
            break;
        probe = probe + step >= n ? n - 1 : probe + step;
        step *= 2;
    }
    if (hi != AF_SEARCH_NONE) {
        /* Bisect (lo, hi]: the first true index. */
        size_t a = lo == AF_SEARCH_NONE ? 0 : lo + 1;
        while (a < hi) {
            size_t mid = a + (hi - a) / 2;
            if ((rc = search_q(dir, eval, ctx, mid, &r.runs, &q)) != AF_OK)
                goto done;
            if (q)
                hi = mid;
            else {
                lo = mid;
                a = mid + 1;
            }
        }
        lo = hi == 0 ? AF_SEARCH_NONE : hi - 1;
    }
    /* First true index hi (NONE: q false everywhere); lo = hi - 1 (NONE when hi is 0). */
    if (dir == AF_SEARCH_FEWEST) {
        r.found = hi != AF_SEARCH_NONE;
        r.pass = hi;
        r.fail = r.found ? lo : n - 1;
    } else {
        r.found = hi != 0;
        r.pass = hi == AF_SEARCH_NONE ? n - 1 : hi == 0 ? AF_SEARCH_NONE : hi - 1;
        r.fail = hi;
    }
done:
    *out = r;
    return rc;
}
