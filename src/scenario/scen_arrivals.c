/*
 * scen_arrivals: checking an `arrivals:` value into an af_arrivals_config (workload/arrivals.h),
 * for every kind whose requests or data arrive over time (lookup; inference and ingest), and
 * reading its trace file.
 *
 * Forms:
 *     arrivals: 10000/s                                          Poisson at a rate
 *     arrivals: { rate: 10000/s,
 *                 diurnal: { peak_to_trough: 3, peak: 20 h },    or { hourly: [24 weights] }
 *                 start: 8 h,                                    time of day the run starts
 *                 bursts: { every: 1 h, length: 5 min, factor: 3, start: 30 min } }
 *     arrivals: { trace: traces/requests.csv }                   relative to the scenario file
 * A trace gives the times itself, so it takes none of the other keys.
 *
 * Trace files: one arrival per line, `time[,size]`, time in seconds (a plain number) or with a
 * unit ("250 ms"), size in bytes (a plain number) or with a unit ("4 KiB"); an optional header
 * line (a first line that starts with a letter), blank lines and `#` comments. Times do not
 * decrease; either every row has a size or none has. A bad row is reported at the trace file's
 * line and column under the field's path (`workloads[1].lookup.arrivals.trace`); reading stops
 * after TRACE_MAX_ERRORS of them. The file is read through a fixed line buffer and must be a
 * regular file, so a hostile name (a FIFO, /dev/zero, a file without newlines) costs a message,
 * not a hang or the memory. The arrays go to the scenario's arena.
 */
#include "scenario/scenario_int.h"

#include "workload/arrivals.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Rows a trace holds at most (10 million: 160 MB of times and sizes). */
#define TRACE_MAX_ROWS 10000000u
/* Longest line of a trace, in bytes. */
#define TRACE_MAX_LINE 4096
/* Bad rows reported before the rest of a trace is left unread. */
#define TRACE_MAX_ERRORS 10

/* Accepted rates, per s (a look-up stream's range). */
static const af_range rate_range = {0, 1e9, true};

/* `arrivals:` as a mapping. */
typedef struct arrivals_fields {
    const af_node *rate, *diurnal, *start, *bursts, *trace;
} arrivals_fields;
static const scen_key arrivals_keys[] = {
    SCEN_KEY_OR(arrivals_fields, "rate", rate, "trace"),
    SCEN_KEY(arrivals_fields, "diurnal", diurnal, SCEN_OPTIONAL),
    SCEN_KEY(arrivals_fields, "start", start, SCEN_OPTIONAL),
    SCEN_KEY(arrivals_fields, "bursts", bursts, SCEN_OPTIONAL),
    SCEN_KEY(arrivals_fields, "trace", trace, SCEN_OPTIONAL),
};

/* `diurnal:`. */
typedef struct diurnal_fields {
    const af_node *peak_to_trough, *peak, *hourly;
} diurnal_fields;
static const scen_key diurnal_keys[] = {
    SCEN_KEY_OR(diurnal_fields, "peak_to_trough", peak_to_trough, "hourly"),
    SCEN_KEY(diurnal_fields, "peak", peak, SCEN_OPTIONAL),
    SCEN_KEY(diurnal_fields, "hourly", hourly, SCEN_OPTIONAL),
};

/* `bursts:`. */
typedef struct bursts_fields {
    const af_node *every, *length, *factor, *start;
} bursts_fields;
static const scen_key bursts_keys[] = {
    SCEN_KEY(bursts_fields, "every", every, SCEN_REQUIRED),
    SCEN_KEY(bursts_fields, "length", length, SCEN_REQUIRED),
    SCEN_KEY(bursts_fields, "factor", factor, SCEN_REQUIRED),
    SCEN_KEY(bursts_fields, "start", start, SCEN_OPTIONAL),
};

/* Reads an optional time of day in [0, 24 h] under key, s; returns whether one was read. */
static bool scen_time_of_day(scen *s, const af_node *node, const char *key, double *out)
{
    double v;
    if (!scen_quantity(s, node, key, AF_DIM_TIME, (af_range){0, 100 * AF_YEAR_S, false}, &v))
        return false;
    if (v > 86400) {
        char q[128];
        SCEN_ERROR_AT(s, key, node, "expected a time of day from 0 h to 24 h, got \"%s\"",
                      af_doc_quote(node->text, q, sizeof q));
        return false;
    }
    *out = v;
    return true;
}

/* hourly: a list of 24 weights > 0, scaled to mean 1 into a->hourly. */
static void scen_hourly(scen *s, const af_node *list, af_arrivals_config *a)
{
    size_t k = af_path_key(&s->path, "hourly");
    static const char what[] = "a list of 24 hourly weights such as [1, 0.8, ..., 1.2]";
    if (!af_check_seq(&s->c, list, &s->path, what)) {
        af_path_pop(&s->path, k);
        return;
    }
    if (list->n != 24) {
        af_check_error(&s->c, list, &s->path,
                       "expected 24 hourly weights (the first from midnight to 1 h), got %zu",
                       list->n);
        af_path_pop(&s->path, k);
        return;
    }
    double sum = 0;
    bool ok = true;
    for (size_t h = 0; h < 24; h++) {
        size_t o = af_path_index(&s->path, h);
        ok &= af_check_quantity(&s->c, list->items[h], &s->path, AF_DIM_NUMBER,
                                (af_range){0, 1e6, true}, &a->hourly[h]);
        sum += a->hourly[h];
        af_path_pop(&s->path, o);
    }
    if (ok)
        for (size_t h = 0; h < 24; h++)
            a->hourly[h] *= 24 / sum;
    af_path_pop(&s->path, k);
}

/* diurnal: { peak_to_trough, peak } or { hourly }. */
static void scen_diurnal(scen *s, const af_node *node, af_arrivals_config *a)
{
    size_t k = af_path_key(&s->path, "diurnal");
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { peak_to_trough: 3, peak: 20 h } or { hourly: [...] }")) {
        af_path_pop(&s->path, k);
        return;
    }
    diurnal_fields v;
    scen_fields(s, node, diurnal_keys, SCEN_N(diurnal_keys), &v);
    a->diurnal = true;
    if (v.peak_to_trough && v.hourly) {
        SCEN_ERROR_AT(s, "hourly", v.hourly, "give either peak_to_trough or hourly, not both");
    } else if (v.hourly) {
        if (v.peak)
            SCEN_ERROR_AT(s, "peak", v.peak,
                          "peak goes with peak_to_trough; hourly gives every hour's weight");
        scen_hourly(s, v.hourly, a);
    } else if (v.peak_to_trough) {
        double ratio = 1, peak_s = 0;
        bool ok = scen_quantity(s, v.peak_to_trough, "peak_to_trough", AF_DIM_NUMBER,
                                (af_range){1, 1e6, false}, &ratio);
        if (!v.peak)
            af_check_error(&s->c, node, &s->path,
                           "missing required field \"peak\" (the busiest time of day, e.g. "
                           "\"peak: 20 h\")");
        else
            ok &= scen_time_of_day(s, v.peak, "peak", &peak_s);
        if (ok && v.peak)
            af_arrivals_diurnal(a->hourly, ratio, peak_s / 3600);
    }
    af_path_pop(&s->path, k);
}

/* bursts: { every, length, factor, start }. */
static void scen_bursts(scen *s, const af_node *node, af_arrivals_config *a)
{
    size_t k = af_path_key(&s->path, "bursts");
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { every: 1 h, length: 5 min, factor: 3 }")) {
        af_path_pop(&s->path, k);
        return;
    }
    bursts_fields v;
    scen_fields(s, node, bursts_keys, SCEN_N(bursts_keys), &v);
    const af_range span = {0, 100 * AF_YEAR_S, true};
    bool every = scen_quantity(s, v.every, "every", AF_DIM_TIME, span, &a->burst_every_s);
    bool length = scen_quantity(s, v.length, "length", AF_DIM_TIME, span, &a->burst_s);
    if (every && length && a->burst_s > a->burst_every_s) {
        char q[128], per[64];
        SCEN_ERROR_AT(s, "length", v.length, "expected at most the period (every: %s), got \"%s\"",
                      af_units_format(a->burst_every_s, AF_DIM_TIME, per, sizeof per),
                      af_doc_quote(v.length->text, q, sizeof q));
    }
    scen_quantity(s, v.factor, "factor", AF_DIM_NUMBER, (af_range){0, 1e6, true}, &a->burst_factor);
    scen_quantity(s, v.start, "start", AF_DIM_TIME, (af_range){0, 100 * AF_YEAR_S, false},
                  &a->burst_start_s);
    af_path_pop(&s->path, k);
}

/* ---------------------------------------------------------------------------------------------
 * Trace files. */

/* One trace being read. */
typedef struct trace_read {
    scen *s;
    const char *file; /* the trace's path as opened, for messages */
    int errors;       /* bad rows reported */
    double *t, *size; /* rows so far (af_grow arrays) */
    size_t n, cap_t, cap_size;
} trace_read;

/* Reports a mistake at line:col of the trace, under the current path. */
static void trace_error(trace_read *r, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void trace_error(trace_read *r, int line, int col, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    af_node at = {.kind = AF_NODE_SCALAR, .file = r->file, .line = line, .col = col};
    af_check_error(&r->s->c, &at, &r->s->path, "%s", text);
    r->errors++;
}

/* Reads one line of f (without its newline) into buf of n bytes. Returns its length, -1 at the
 * end of the file, or -2 when the line is longer than n - 1 bytes or holds a NUL byte (the rest
 * of the file is then not worth reading). */
static long trace_line(FILE *f, char *buf, size_t n)
{
    size_t len = 0;
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (c == '\0' || len + 1 >= n)
            return -2;
        buf[len++] = (char)c;
    }
    if (c == EOF && len == 0)
        return -1;
    if (len && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    return (long)len;
}

/* Whether text (NUL-terminated, trimmed) is a plain number; its value in *out. */
static bool trace_plain(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE)
        return false;
    *out = v;
    return true;
}

/* Parses one field: a plain number, or a quantity of dimension dim. */
static bool trace_value(const char *text, af_dim dim, double *out)
{
    char err[256];
    double v;
    if (!trace_plain(text, &v) && af_units_parse(text, dim, &v, err, sizeof err) != 0)
        return false;
    if (!isfinite(v) || v < 0)
        return false;
    *out = v;
    return true;
}

/* Trims spaces and tabs around [*b, *e); returns the column of the first kept byte. */
static int trace_trim(const char *line, char **b, char **e)
{
    while (*b < *e && (**b == ' ' || **b == '\t'))
        (*b)++;
    while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
    return (int)(*b - line) + 1;
}

/* One data row (comment cut, not blank). has_size: -1 until the first row, then whether rows
 * carry a size; size_line: the line that decided it. Returns false when the row is bad. */
static bool trace_row(trace_read *r, char *line, int lineno, int *has_size, int *size_line)
{
    char *comma = strchr(line, ',');
    char *tb = line, *te = comma ? comma : line + strlen(line);
    int tcol = trace_trim(line, &tb, &te);
    char q[128];
    if (comma && strchr(comma + 1, ',')) {
        trace_error(r, lineno, (int)(strchr(comma + 1, ',') - line) + 1,
                    "expected \"time\" or \"time,size\", got a third field");
        return false;
    }
    *te = '\0';
    double t;
    if (!trace_value(tb, AF_DIM_TIME, &t)) {
        trace_error(r, lineno, tcol,
                    "expected a time such as \"1.5\" (seconds) or \"250 ms\", at least 0, got "
                    "\"%s\"",
                    af_doc_quote(tb, q, sizeof q));
        return false;
    }
    if (r->n && t < r->t[r->n - 1]) {
        char prev[64];
        trace_error(r, lineno, tcol, "times must not decrease: \"%s\" comes after %s",
                    af_doc_quote(tb, q, sizeof q),
                    af_units_format(r->t[r->n - 1], AF_DIM_TIME, prev, sizeof prev));
        return false;
    }
    int sized = comma != NULL;
    if (*has_size < 0) {
        *has_size = sized;
        *size_line = lineno;
    } else if (sized != *has_size) {
        char *sb = comma + 1;
        while (sized && (*sb == ' ' || *sb == '\t'))
            sb++;
        trace_error(r, lineno, sized ? (int)(sb - line) + 1 : tcol,
                    "expected %s like line %d, got %s",
                    *has_size ? "\"time,size\"" : "a time alone", *size_line,
                    sized ? "a size too" : "no size");
        return false;
    }
    double size = 0;
    if (sized) {
        char *sb = comma + 1, *se = comma + 1 + strlen(comma + 1);
        int scol = trace_trim(line, &sb, &se);
        *se = '\0';
        if (!trace_value(sb, AF_DIM_SIZE, &size)) {
            trace_error(r, lineno, scol,
                        "expected a size such as \"4096\" (bytes) or \"4 KiB\", at least 0, got "
                        "\"%s\"",
                        af_doc_quote(sb, q, sizeof q));
            return false;
        }
    }
    if (r->n >= TRACE_MAX_ROWS) {
        trace_error(r, lineno, tcol, "more than %u arrivals; a trace holds at most that many",
                    TRACE_MAX_ROWS);
        r->errors = TRACE_MAX_ERRORS;
        return false;
    }
    r->t = af_grow(r->t, &r->cap_t, r->n + 1, sizeof *r->t);
    r->t[r->n] = t;
    if (sized) {
        r->size = af_grow(r->size, &r->cap_size, r->n + 1, sizeof *r->size);
        r->size[r->n] = size;
    }
    r->n++;
    return true;
}

/* Reads the rows of an open trace. */
static void trace_rows(trace_read *r, FILE *f)
{
    char line[TRACE_MAX_LINE + 1];
    int lineno = 0, has_size = -1, size_line = 0;
    bool first = true;
    long len;
    while (r->errors < TRACE_MAX_ERRORS && (len = trace_line(f, line, sizeof line)) != -1) {
        lineno++;
        if (len == -2) {
            trace_error(r, lineno, 1,
                        "expected lines of text of at most %d bytes, got a longer line or a NUL "
                        "byte; is this a trace?",
                        TRACE_MAX_LINE);
            return;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            continue;
        bool header = first && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
        first = false;
        if (!header)
            trace_row(r, line, lineno, &has_size, &size_line);
    }
    if (r->errors >= TRACE_MAX_ERRORS && r->n < TRACE_MAX_ROWS && getc(f) != EOF)
        trace_error(r, lineno + 1, 1, "not read: the trace has more than %d bad rows",
                    TRACE_MAX_ERRORS);
}

/* The path of a trace named `name` in a scenario at `scenario` (relative to its directory),
 * as a new string. */
static char *trace_path(const char *scenario, const char *name)
{
    const char *slash = scenario ? strrchr(scenario, '/') : NULL;
    if (name[0] == '/' || !slash)
        return af_strfmt("%s", name);
    return af_strfmt("%.*s/%s", (int)(slash - scenario), scenario, name);
}

/* trace: reads the file named at node into a->trace_s, trace_size and trace_n (in the arena). */
static void scen_trace(scen *s, const af_node *node, af_arrivals_config *a)
{
    size_t k = af_path_key(&s->path, "trace");
    const char *name =
        af_check_label(&s->c, node, &s->path, "a file name such as \"traces/requests.csv\"",
                       "traces/requests.csv");
    if (!name) {
        af_path_pop(&s->path, k);
        return;
    }
    trace_read r = {.s = s};
    char *path = trace_path(s->file, name);
    r.file = path;
    char q[128];
    af_doc_quote(path, q, sizeof q);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f = NULL;
    if (fd < 0) {
        af_check_error(&s->c, node, &s->path, "cannot open trace \"%s\": %s", q, strerror(errno));
    } else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        af_check_error(&s->c, node, &s->path, "cannot read trace \"%s\": not a regular file", q);
        close(fd);
    } else if (!(f = fdopen(fd, "r"))) {
        af_check_error(&s->c, node, &s->path, "cannot read trace \"%s\": %s", q, strerror(errno));
        close(fd);
    }
    if (f) {
        trace_rows(&r, f);
        if (ferror(f))
            af_check_error(&s->c, node, &s->path, "cannot read trace \"%s\": %s", q,
                           strerror(errno));
        else if (!r.errors && r.n == 0)
            af_check_error(&s->c, node, &s->path,
                           "trace \"%s\" holds no arrivals; expected lines such as \"0.25,4096\"",
                           q);
        fclose(f);
    }
    if (f && !r.errors && r.n) {
        double *t = af_arena_calloc(s->arena, r.n, sizeof *t);
        memcpy(t, r.t, r.n * sizeof *t);
        a->trace_s = t;
        a->trace_n = r.n;
        if (r.size) {
            double *size = af_arena_calloc(s->arena, r.n, sizeof *size);
            memcpy(size, r.size, r.n * sizeof *size);
            a->trace_size = size;
        }
    }
    af_free(r.t);
    af_free(r.size);
    af_free(path);
    af_path_pop(&s->path, k);
}

/* A mapping of arrival fields. */
static void scen_arrivals_map(scen *s, const af_node *node, af_arrivals_config *a)
{
    arrivals_fields v;
    scen_fields(s, node, arrivals_keys, SCEN_N(arrivals_keys), &v);
    if (v.trace) {
        /* The trace gives the times: every other key would be ignored. */
        const struct {
            const char *key;
            const af_node *val;
        } other[] = {
            {"rate", v.rate}, {"diurnal", v.diurnal}, {"start", v.start}, {"bursts", v.bursts}};
        for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
            if (other[i].val)
                SCEN_ERROR_AT(s, other[i].key, other[i].val,
                              "give either trace or %s, not both (a trace gives the arrival "
                              "times)",
                              other[i].key);
        scen_trace(s, v.trace, a);
        return;
    }
    scen_quantity(s, v.rate, "rate", AF_DIM_RATE, rate_range, &a->rate_per_s);
    if (v.diurnal)
        scen_diurnal(s, v.diurnal, a);
    if (v.start && !v.diurnal) {
        SCEN_ERROR_AT(s, "start", v.start,
                      "start (the time of day at which the run starts) needs diurnal");
    } else {
        double start_s = 0;
        if (scen_time_of_day(s, v.start, "start", &start_s))
            a->start_hour = fmod(start_s / 3600, 24); /* 24 h is midnight */
    }
    if (v.bursts)
        scen_bursts(s, v.bursts, a);
}

void scen_arrivals(scen *s, const af_node *node, const char *key, af_arrivals_config *out)
{
    if (!node)
        return;
    size_t k = af_path_key(&s->path, key);
    size_t errors = s->c.errors;
    af_arrivals_config a = {0};
    if (node->kind == AF_NODE_SCALAR)
        af_check_quantity(&s->c, node, &s->path, AF_DIM_RATE, rate_range, &a.rate_per_s);
    else if (af_check_map(&s->c, node, &s->path,
                          "a rate such as \"10000/s\" or a mapping of arrival fields (rate, "
                          "diurnal, start, bursts, trace)"))
        scen_arrivals_map(s, node, &a);
    if (s->c.errors == errors)
        *out = a;
    af_path_pop(&s->path, k);
}
