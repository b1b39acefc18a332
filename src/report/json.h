/*
 * json: results as a JSON object of metrics,
 *     {"train.vit.gpu_utilization": {"value": 0.613, "unit": "1"}, ...}
 * with values in SI base units, the unit named by af_units_si, names in recorded order and
 * numbers printed with 17 significant digits so that they read back exactly. Non-finite values
 * are written as null; a text metric as {"text": "..."} (train.vit.bottleneck). The file is
 * written atomically (base/outfile.h).
 */
#ifndef AF_REPORT_JSON_H
#define AF_REPORT_JSON_H

#include "base/diag.h"
#include "base/outfile.h"
#include "base/results.h"

/* Writes results r to path ("-" for stdout). Returns AF_OK, or AF_EIO with an error in d and no
 * file left behind. */
int af_report_json_save(const af_results *r, const char *path, af_diag *d);

/* Writes s to f as a JSON string: quoted, with quotes, backslashes and control characters
 * escaped. */
void af_json_write_string(af_outfile *f, const char *s);

#endif
