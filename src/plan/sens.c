/*
 * plan/sens: the low and high values of a field moved by a share of its value; see sens.h.
 */
#include "plan/sens.h"

#include "base/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits text into its number (*num) and the unit after it (*unit, borrowed from text, with
 * any blank before it kept so that "360 Gb/s" gives back "... Gb/s"). Only a decimal number
 * with an optional exponent counts: strtod's hexadecimals, infinities and NaNs do not. Returns
 * false when text does not start with one. */
static bool sens_split(const char *text, double *num, const char **unit)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *q = p;
    if (*q == '+' || *q == '-')
        q++;
    size_t digits = strspn(q, "0123456789.");
    if (digits == 0 || strspn(q, ".") == digits)
        return false;
    q += digits;
    if ((*q == 'e' || *q == 'E') && ((q[1] >= '0' && q[1] <= '9') ||
                                     ((q[1] == '+' || q[1] == '-') && q[2] >= '0' && q[2] <= '9')))
        q += 2 + strspn(q + 2, "0123456789");
    char buf[64];
    size_t len = (size_t)(q - p);
    if (len >= sizeof buf)
        return false;
    memcpy(buf, p, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0' || !isfinite(v))
        return false;
    *num = v;
    *unit = q;
    return true;
}

/* The value of field f at factor (1 - by or 1 + by); side is "low" or "high" for messages. */
static int sens_one(const af_scenario_field *f, double factor, double num, const char *unit,
                    const char *path, const char *side, af_sens_value *out, af_diag *d)
{
    memset(out, 0, sizeof *out);
    double base = f->value, target;
    if (f->integer) {
        target = round(base * factor);
        /* At least one whole step away from the base, towards the side's direction. */
        double dir = (factor < 1 ? -1.0 : 1.0) * (base < 0 ? -1.0 : 1.0);
        if (dir < 0 ? target > base - 1 : target < base + 1)
            target = base + dir;
    } else {
        target = base * factor;
    }
    if (target > f->max) {
        target = f->max;
        out->clamped = true;
    }
    if (f->min_open ? !(target > f->min) : target < f->min) {
        if (f->min_open) {
            char a[64], b[64];
            af_diag_error(d,
                          "--param %s: the %s value %s is not more than the field's minimum %s; "
                          "move it by less (--by)",
                          path, side, af_units_format(target, f->dim, a, sizeof a),
                          af_units_format(f->min, f->dim, b, sizeof b));
            return AF_EINPUT;
        }
        target = f->min;
        out->clamped = true;
    }
    if (f->integer)
        snprintf(out->text, sizeof out->text, "%.0f", target);
    else
        snprintf(out->text, sizeof out->text, "%.12g%s", num * (target / base), unit);
    char err[256] = "it reads back as another value";
    double back;
    if (af_units_parse(out->text, f->integer ? AF_DIM_COUNT : f->dim, &back, err, sizeof err) !=
            0 ||
        !(fabs(back - target) <= 1e-9 * fabs(target))) {
        char q[128];
        af_diag_error(d, "--param %s: cannot write the %s value in the unit of \"%s\" (%s)", path,
                      side, af_doc_quote(f->text, q, sizeof q), err);
        return AF_EINPUT;
    }
    out->value = back;
    return AF_OK;
}

int af_sens_values(const af_scenario_field *f, double by, const char *path, af_sens_value *low,
                   af_sens_value *high, af_diag *d)
{
    char q[128];
    if (f->value == 0) {
        af_diag_error(d,
                      "--param %s: its value is %s: a share of it moves nothing; give it a "
                      "non-zero base with --set %s=VALUE",
                      path, af_doc_quote(f->text, q, sizeof q), path);
        return AF_EINPUT;
    }
    double num = 0;
    const char *unit = "";
    if (!f->integer && (!sens_split(f->text, &num, &unit) || num == 0)) {
        af_diag_error(d, "--param %s: \"%s\" is not a number with a unit to scale", path,
                      af_doc_quote(f->text, q, sizeof q));
        return AF_EINPUT;
    }
    int rc = sens_one(f, 1 - by, num, unit, path, "low", low, d);
    if (rc == AF_OK)
        rc = sens_one(f, 1 + by, num, unit, path, "high", high, d);
    return rc;
}
