/*
 * trace: the timeline as Chrome trace events; see trace.h.
 */
#include "report/trace.h"

#include "base/outfile.h"
#include "base/units.h"
#include "report/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

/* Process ids: one per process name, in order of first appearance; the series come last. */
static int trace_pid(const af_trace *t, const char *process)
{
    int pid = 0;
    for (size_t i = 0; i < af_trace_ntracks(t); i++) {
        const af_trace_track_info *k = af_trace_track_get(t, i);
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(af_trace_track_get(t, j)->process, k->process) == 0;
        if (!seen)
            pid++;
        if (strcmp(k->process, process) == 0)
            return pid;
    }
    return pid + 1;
}

/* Microseconds of ns, exact to the nanosecond. */
static void trace_us(af_outfile *f, int64_t ns)
{
    af_outfile_printf(f, "%" PRId64 ".%03d", ns / 1000, (int)(ns % 1000));
}

/* The series worth a counter track: the busiest resources and the totals. */
static bool trace_series_wanted(const char *name)
{
    static const char *const suffix[] = {".read_rate", ".write_rate", ".device_busy",
                                         ".gpu_utilization"};
    if (strncmp(name, "train.", 6) == 0 || strncmp(name, "lookup.", 7) == 0)
        return false;
    if (strcmp(name, "facility.power") == 0)
        return true;
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        size_t m = strlen(suffix[i]);
        if (n > m && strcmp(name + n - m, suffix[i]) == 0)
            return true;
    }
    return false;
}

int af_report_trace_save(const af_trace *t, const af_results *r, const char *path, af_diag *d)
{
    af_outfile *f = af_outfile_open(path, d);
    if (!f)
        return AF_EIO;
    const char *sep = "\n";
    af_outfile_printf(f, "{\"traceEvents\": [");
    /* Names of the processes and threads. */
    for (size_t i = 0; i < af_trace_ntracks(t); i++) {
        const af_trace_track_info *k = af_trace_track_get(t, i);
        int pid = trace_pid(t, k->process);
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(af_trace_track_get(t, j)->process, k->process) != 0;
        if (first) {
            af_outfile_printf(f, "%s  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, "
                                 "\"args\": {\"name\": ",
                              sep, pid);
            af_json_write_string(f, k->process);
            af_outfile_printf(f, "}}");
            sep = ",\n";
        }
        af_outfile_printf(f, "%s  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %d, "
                             "\"tid\": %zu, \"args\": {\"name\": ",
                          sep, pid, i + 1);
        af_json_write_string(f, k->thread);
        af_outfile_printf(f, "}}");
        sep = ",\n";
    }
    for (size_t i = 0; i < af_trace_count(t); i++) {
        const af_trace_event *e = af_trace_get(t, i);
        const af_trace_track_info *k = af_trace_track_get(t, e->track);
        af_outfile_printf(f, "%s  {\"name\": ", sep);
        af_json_write_string(f, e->name);
        af_outfile_printf(f, ", \"cat\": ");
        af_json_write_string(f, k->process);
        af_outfile_printf(f, ", \"ph\": \"%c\", \"ts\": ", e->kind);
        trace_us(f, e->start_ns);
        if (e->kind == 'X') {
            af_outfile_printf(f, ", \"dur\": ");
            trace_us(f, e->end_ns - e->start_ns);
        } else {
            af_outfile_printf(f, ", \"s\": \"t\"");
        }
        af_outfile_printf(f, ", \"pid\": %d, \"tid\": %u}", trace_pid(t, k->process),
                          e->track + 1);
        sep = ",\n";
    }
    size_t counters = 0;
    if (r) {
        int pid = trace_pid(t, "\001series"); /* after every process */
        af_outfile_printf(f, "%s  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, "
                             "\"args\": {\"name\": \"series\"}}",
                          sep, pid);
        sep = ",\n";
        for (size_t i = 0; i < af_results_nseries(r); i++) {
            const af_series *s = af_results_series_get(r, i);
            if (!trace_series_wanted(s->name))
                continue;
            for (size_t j = 0; j < s->n; j++) {
                double ts = af_series_t(s, j);
                if (ts * 1e9 < (double)af_trace_from(t) || ts * 1e9 > (double)af_trace_to(t))
                    continue;
                af_outfile_printf(f, "%s  {\"name\": ", sep);
                af_json_write_string(f, s->name);
                af_outfile_printf(f, ", \"ph\": \"C\", \"ts\": ");
                trace_us(f, (int64_t)llround(ts * 1e9));
                af_outfile_printf(f, ", \"pid\": %d, \"args\": {", pid);
                af_json_write_string(f, af_units_si(s->dim));
                af_outfile_printf(f, ": %.17g}}", isfinite(s->v[j]) ? s->v[j] : 0);
                counters++;
            }
        }
    }
    af_outfile_printf(f, "\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {");
    if (r)
        for (size_t i = 0; i < af_results_count(r); i++) {
            const af_metric *m = af_results_get(r, i);
            if (!m->text || strncmp(m->name, "run.", 4) != 0)
                continue;
            af_json_write_string(f, m->name);
            af_outfile_printf(f, ": ");
            af_json_write_string(f, m->text);
            af_outfile_printf(f, ", ");
        }
    af_outfile_printf(f, "\"events\": %zu, \"max_events\": %zu, \"dropped\": %" PRIu64
                         ", \"counters\": %zu, \"window_from_s\": %.17g, \"window_to_s\": %.17g}\n}\n",
                      af_trace_count(t), af_trace_max(t), af_trace_dropped(t), counters,
                      (double)af_trace_from(t) / 1e9, (double)af_trace_to(t) / 1e9);
    return af_outfile_commit(f, d);
}
