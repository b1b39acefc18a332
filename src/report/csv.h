/*
 * csv: results as CSV files in a directory, for spreadsheets and data frames (`run --csv DIR`).
 *
 * Layout (aifsim(1), --csv):
 *   DIR/summary.csv         every metric, in recorded order:
 *                               name,value,unit,label
 *                               train.vit.gpu_utilization,0.61299999999999999,1,computing
 *                           the value in SI base units, the unit as the JSON names it
 *                           (af_units_si: "B/s", "W", "1" for ratios and counts); a text metric
 *                           has its text as the value and the unit "text".
 *   DIR/series-<group>.csv  the time series of one kind of component (group = the first part of
 *                           the series' names: train, pool, storage, lookup, facility, ...), one
 *                           row per window per component, window after window:
 *                               t_start_s,t_end_s,pool,gpu_utilization [1],power [W]
 *                               0,15,llm,0.98,412000
 *                           The third column names the component (it is headed by the group, and
 *                           absent for the facility, which is one); then one column per quantity,
 *                           headed "<leaf> [<SI unit>]", each value the mean over the window.
 *                           The last window ends at run.duration (in an interrupted run, the time
 *                           reached). When a series has merged windows to stay bounded
 *                           (base/results.h), a last, narrower row holds the base windows not yet
 *                           merged.
 *
 * Format: RFC 4180 fields (a field holding a comma, a double quote, CR or LF is quoted, quotes
 * doubled), a header line, lines ending in LF (which every CSV reader takes; RFC 4180 has CRLF).
 * Numbers are printed with %.17g, so they read back to the same double; an undefined value (NaN)
 * is an empty field and an infinite one "inf" or "-inf". The same results give the same bytes.
 *
 * Atomicity: every file is written to a temporary name in DIR and renamed into place once whole
 * (base/outfile.h). All the files are written to their temporaries first, then renamed in turn,
 * the series first and summary.csv last; a failure removes the temporaries not yet renamed and
 * leaves their files as they were. So each file is always whole, old or new, and a new
 * summary.csv means every file of the set is new. Files of an earlier run that this one does not
 * write (a series group it lacks) are left alone.
 */
#ifndef AF_REPORT_CSV_H
#define AF_REPORT_CSV_H

#include "base/diag.h"
#include "base/outfile.h"
#include "base/results.h"

/* Checks, creating nothing, that dir can take the files: an existing directory in which files
 * can be created, or a missing one whose nearest existing parent is a directory that can take
 * it. For a long run, to fail before it rather than after. Returns AF_OK, or AF_EIO with an
 * error in d naming dir. */
int af_report_csv_check(const char *dir, af_diag *d);

/* Writes results r into dir (created, with missing parents, when missing) as described above.
 * Returns AF_OK, or AF_EIO with an error in d (and the guarantee above). */
int af_report_csv_save(const af_results *r, const char *dir, af_diag *d);

/* Makes dir and its missing parents, as mkdir -p (also for other CSV files: `aifsim sweep`'s
 * sweep.csv). Returns AF_OK, or AF_EIO with an error in d naming dir. */
int af_report_csv_mkdirs(const char *dir, af_diag *d);

/* Writes s as one RFC 4180 field: as it is, or quoted when it holds a comma, a double quote, CR
 * or LF (quotes doubled). */
void af_csv_write_field(af_outfile *f, const char *s);

/* Writes v as a field: %.17g; empty for NaN; "inf" or "-inf". */
void af_csv_write_number(af_outfile *f, double v);

#endif
