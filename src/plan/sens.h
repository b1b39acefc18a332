/*
 * plan/sens: the values a one-at-a-time sensitivity analysis (`aifsim sensitivity`) moves a
 * field to: its base value times (1 - by) and (1 + by), written back as --set texts in the unit
 * the field was written in ("400 Gb/s" moved by 10% gives "360 Gb/s" and "440 Gb/s", "80%"
 * gives "72%" and "88%"), so that the scenario layer parses them as it parsed the base.
 *
 *   units       the written text is a number and a unit suffix ("360 Gb/s", "4Mi", "90%",
 *               "1e6"); every unit aifsim reads is a pure scale (no offsets), so scaling the
 *               number scales the quantity. The text is checked by parsing it back
 *               (af_units_parse) against the value it should have.
 *   integers    a whole-number field (node counts, GPUs, batch sizes) is rounded to the nearest
 *               integer, half away from zero, and moves by at least 1 each way: 2 nodes at 10%
 *               gives 1 and 3, not 2 and 2. Its texts are plain integers ("3").
 *   the range   a value outside the range the field accepts is brought to its end (a hit ratio
 *               of 95% moved up by 10% stays at 100%) and marked clamped, so the output can say
 *               the value used is not the one asked for; a value that would cross an open end
 *               (a positive time moved to 0) cannot be used and is refused.
 *
 * Layering: base/ and the scenario's field description (scenario/scenario.h).
 */
#ifndef AF_PLAN_SENS_H
#define AF_PLAN_SENS_H

#include "base/diag.h"
#include "scenario/scenario.h"

#include <stdbool.h>

/* Largest share a field may be moved by (exclusive): 1 would move a value to 0. */
#define AF_SENS_MAX_BY 1.0

/* One moved value. */
typedef struct af_sens_value {
    char text[64]; /* the --set value text, in the field's written unit ("360 Gb/s", "3") */
    double value;  /* its value in SI base units of the field's dimension (text parsed back) */
    bool clamped;  /* brought to the end of the field's range */
} af_sens_value;

/* The low (base x (1 - by)) and high (base x (1 + by)) values of field f, by in (0, 1). Returns
 * AF_OK with *low and *high set; AF_EINPUT with a message in d naming path when the base value
 * is 0 (a share of it moves nothing), the written text is not a number and a unit, a value would
 * leave the field's range at an open end, or the text made does not parse back to the value
 * meant. */
int af_sens_values(const af_scenario_field *f, double by, const char *path, af_sens_value *low,
                   af_sens_value *high, af_diag *d);

#endif
