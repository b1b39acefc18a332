/*
 * csv: the summary and the time series as CSV files; see csv.h for the layout and the guarantee.
 *
 * The series are grouped by the first part of their names ("pool.llm.power" is group "pool",
 * component "llm", quantity "power"; "facility.it_power" is group "facility" with no component:
 * the component is what lies between the first and the last dot, as the text summary reads
 * names). Groups, components and quantities keep the order in which the run made their series,
 * so the bytes follow the results and nothing else. Every series of a run is pushed once per
 * window (base/results.h), so the series of a group share one grid; a row's window is read from
 * the group's first series.
 */
#include "report/csv.h"

#include "base/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void af_csv_write_field(af_outfile *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        af_outfile_write(f, s, strlen(s));
        return;
    }
    af_outfile_write(f, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        af_outfile_write(f, s, (size_t)(q - s + 1)); /* up to and with the quote, */
        af_outfile_write(f, "\"", 1);                /* which is doubled */
    }
    af_outfile_write(f, s, strlen(s));
    af_outfile_write(f, "\"", 1);
}

void af_csv_write_number(af_outfile *f, double v)
{
    if (isnan(v))
        return;
    if (isinf(v))
        af_outfile_printf(f, "%s", v > 0 ? "inf" : "-inf");
    else
        af_outfile_printf(f, "%.17g", v);
}

/* ---- checking and making the directory ----------------------------------------------------- */

int af_report_csv_check(const char *dir, af_diag *d)
{
    struct stat st;
    if (!*dir) {
        af_diag_error(d, "cannot create directory \"\": %s", strerror(ENOENT));
        return AF_EIO;
    }
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            af_diag_error(d, "cannot write %s: %s", dir, strerror(ENOTDIR));
            return AF_EIO;
        }
        if (access(dir, W_OK | X_OK) != 0) {
            af_diag_error(d, "cannot write %s: %s", dir, strerror(errno));
            return AF_EIO;
        }
        char *sum = af_strfmt("%s/summary.csv", dir);
        int rc = af_outfile_check(sum, d);
        af_free(sum);
        return rc;
    }
    if (errno != ENOENT) {
        af_diag_error(d, "cannot write %s: %s", dir, strerror(errno));
        return AF_EIO;
    }
    /* Missing: its nearest existing parent must be a directory that can take it. */
    char *p = af_strdup(dir);
    int rc = AF_OK;
    for (;;) {
        size_t n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
            p[--n] = '\0';
        char *slash = strrchr(p, '/');
        if (!slash) {
            strcpy(p, ".");
        } else if (slash == p) {
            p[1] = '\0';
        } else {
            *slash = '\0';
        }
        if (stat(p, &st) == 0) {
            if (!S_ISDIR(st.st_mode) || access(p, W_OK | X_OK) != 0) {
                af_diag_error(d, "cannot create directory %s: %s", dir,
                              S_ISDIR(st.st_mode) ? strerror(errno) : strerror(ENOTDIR));
                rc = AF_EIO;
            }
            break;
        }
        if (errno != ENOENT || strcmp(p, ".") == 0 || strcmp(p, "/") == 0) {
            af_diag_error(d, "cannot create directory %s: %s", dir, strerror(errno));
            rc = AF_EIO;
            break;
        }
    }
    af_free(p);
    return rc;
}

/* Makes dir and its missing parents (mode 0777 less the umask, as mkdir -p). */
static int csv_mkdirs(const char *dir, af_diag *d)
{
    return af_report_csv_mkdirs(dir, d);
}

int af_report_csv_mkdirs(const char *dir, af_diag *d)
{
    if (!*dir) {
        af_diag_error(d, "cannot create directory \"\": %s", strerror(ENOENT));
        return AF_EIO;
    }
    char *p = af_strdup(dir);
    int rc = AF_OK;
    for (char *s = p + 1;; s++) {
        bool last = *s == '\0';
        if (*s != '/' && !last)
            continue;
        char c = *s;
        *s = '\0';
        struct stat st;
        if (mkdir(p, 0777) != 0 && (errno != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode))) {
            int e = errno == EEXIST ? ENOTDIR : errno;
            af_diag_error(d, "cannot create directory %s: %s", dir, strerror(e));
            rc = AF_EIO;
            break;
        }
        *s = c;
        if (last)
            break;
    }
    af_free(p);
    return rc;
}

/* ---- the files ------------------------------------------------------------------------------ */

/* The parts of a series name: group, component (NULL for none) and quantity, as new strings. */
typedef struct csv_name {
    char *group, *inst, *leaf;
} csv_name;

static csv_name csv_split(const char *name)
{
    const char *first = strchr(name, '.');
    const char *last = strrchr(name, '.');
    csv_name n;
    if (!first) {
        n.group = af_strdup(name);
        n.inst = NULL;
        n.leaf = af_strdup(name);
    } else {
        n.group = af_strndup(name, (size_t)(first - name));
        n.inst = last != first ? af_strndup(first + 1, (size_t)(last - first - 1)) : NULL;
        n.leaf = af_strdup(last + 1);
    }
    return n;
}

static void csv_name_free(csv_name *n)
{
    af_free(n->group);
    af_free(n->inst);
    af_free(n->leaf);
}

/* Index of s in list (n strings), appending a copy when absent. */
static size_t csv_intern(char ***list, size_t *n, size_t *cap, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return i;
    *list = af_grow(*list, cap, *n + 1, sizeof **list);
    (*list)[*n] = af_strdup(s);
    return (*n)++;
}

static void csv_strings_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        af_free(list[i]);
    af_free(list);
}

/* Rows a series gives: its points, and one more for base windows not merged into a point yet. */
static size_t csv_rows(const af_series *s)
{
    return s->n + (s->acc_n > 0);
}

/* Row i's mean of series s (NaN past its end, written as an empty field). */
static double csv_value(const af_series *s, size_t i)
{
    if (i < s->n)
        return s->v[i];
    if (i == s->n && s->acc_n > 0)
        return s->acc / (double)s->acc_n;
    return NAN;
}

/* Row i's window by series s, the end clamped to the run's end (end_s; NaN when unknown). */
static void csv_window(const af_series *s, size_t i, double end_s, double *t0, double *t1)
{
    *t0 = af_series_t(s, i);
    if (i < s->n)
        *t1 = af_series_t(s, i + 1);
    else
        *t1 = *t0 + (double)s->acc_n * (s->dt / (double)s->per);
    if (*t1 > end_s)
        *t1 = end_s;
}

/* Writes series-<group>.csv of the series named group.* into f. */
static void csv_write_group(af_outfile *f, const af_results *r, const char *group, double end_s)
{
    size_t ns = af_results_nseries(r);
    char **insts = NULL, **leaves = NULL;
    size_t ni = 0, ci = 0, nl = 0, cl = 0;
    bool instanced = false;
    const af_series *first = NULL;
    /* The grid: cell[inst * nl + leaf] is the series, found once. */
    for (size_t k = 0; k < ns; k++) {
        const af_series *s = af_results_series_get(r, k);
        csv_name n = csv_split(s->name);
        if (strcmp(n.group, group) == 0) {
            if (!first)
                first = s;
            instanced |= n.inst != NULL;
            csv_intern(&insts, &ni, &ci, n.inst ? n.inst : "");
            csv_intern(&leaves, &nl, &cl, n.leaf);
        }
        csv_name_free(&n);
    }
    const af_series **cell = af_calloc(ni * nl > 0 ? ni * nl : 1, sizeof *cell);
    size_t rows = 0;
    for (size_t k = 0; k < ns; k++) {
        const af_series *s = af_results_series_get(r, k);
        csv_name n = csv_split(s->name);
        if (strcmp(n.group, group) == 0) {
            size_t i = csv_intern(&insts, &ni, &ci, n.inst ? n.inst : "");
            size_t l = csv_intern(&leaves, &nl, &cl, n.leaf);
            if (!cell[i * nl + l])
                cell[i * nl + l] = s;
            if (csv_rows(s) > rows)
                rows = csv_rows(s);
        }
        csv_name_free(&n);
    }

    af_outfile_printf(f, "t_start_s,t_end_s");
    if (instanced) {
        af_outfile_write(f, ",", 1);
        af_csv_write_field(f, group);
    }
    for (size_t l = 0; l < nl; l++) {
        const af_series *s = NULL;
        for (size_t i = 0; i < ni && !s; i++)
            s = cell[i * nl + l];
        char *head = af_strfmt("%s [%s]", leaves[l], af_units_si(s->dim));
        af_outfile_write(f, ",", 1);
        af_csv_write_field(f, head);
        af_free(head);
    }
    af_outfile_write(f, "\n", 1);
    for (size_t row = 0; row < rows; row++) {
        double t0, t1;
        csv_window(first, row, end_s, &t0, &t1);
        for (size_t i = 0; i < ni; i++) {
            af_csv_write_number(f, t0);
            af_outfile_write(f, ",", 1);
            af_csv_write_number(f, t1);
            if (instanced) {
                af_outfile_write(f, ",", 1);
                af_csv_write_field(f, insts[i]);
            }
            for (size_t l = 0; l < nl; l++) {
                af_outfile_write(f, ",", 1);
                const af_series *s = cell[i * nl + l];
                if (s)
                    af_csv_write_number(f, csv_value(s, row));
            }
            af_outfile_write(f, "\n", 1);
        }
    }
    af_free(cell);
    csv_strings_free(insts, ni);
    csv_strings_free(leaves, nl);
}

static void csv_write_summary(af_outfile *f, const af_results *r)
{
    af_outfile_printf(f, "name,value,unit,label\n");
    for (size_t i = 0; i < af_results_count(r); i++) {
        const af_metric *m = af_results_get(r, i);
        af_csv_write_field(f, m->name);
        af_outfile_write(f, ",", 1);
        if (m->text)
            af_csv_write_field(f, m->text);
        else
            af_csv_write_number(f, m->value);
        af_outfile_write(f, ",", 1);
        af_csv_write_field(f, m->text ? "text" : af_units_si(m->dim));
        af_outfile_write(f, ",", 1);
        af_csv_write_field(f, m->label ? m->label : "");
        af_outfile_write(f, "\n", 1);
    }
}

/* A file name's part made of a group name: letters, digits, '-' and '_' kept, the rest '_'. */
static char *csv_file_part(const char *group)
{
    char *s = af_strdup(group);
    for (char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            *c = '_';
    return s;
}

/* Removes the series-<group>.csv files of dir that an earlier run wrote and this one did not
 * (another scenario's groups), so the directory holds one run's files; a file is taken as
 * aifsim's by its header, and every other file is left. */
static void csv_remove_stale(const char *dir, char **groups, size_t ng)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= strlen("series-.csv") || strncmp(e->d_name, "series-", 7) != 0 ||
            strcmp(e->d_name + n - 4, ".csv") != 0)
            continue;
        bool ours = false;
        for (size_t g = 0; g < ng && !ours; g++) {
            char *part = csv_file_part(groups[g]);
            char *name = af_strfmt("series-%s.csv", part);
            ours = strcmp(name, e->d_name) == 0;
            af_free(name);
            af_free(part);
        }
        if (!ours) {
            /* Only a file aifsim wrote: its header starts with the window's ends. */
            char *path = af_strfmt("%s/%s", dir, e->d_name);
            FILE *f = fopen(path, "r");
            char head[32] = "";
            if (f) {
                if (!fgets(head, sizeof head, f))
                    head[0] = '\0';
                fclose(f);
            }
            if (strncmp(head, "t_start_s,t_end_s,", 18) == 0)
                unlink(path);
            af_free(path);
        }
    }
    closedir(dp);
}

int af_report_csv_save(const af_results *r, const char *dir, af_diag *d)
{
    if (csv_mkdirs(dir, d) != AF_OK)
        return AF_EIO;
    const af_metric *dur = af_results_find(r, "run.duration");
    double end_s = dur && !dur->text ? dur->value : INFINITY;

    /* The groups, in the order their first series was made. */
    char **groups = NULL;
    size_t ng = 0, cg = 0;
    for (size_t k = 0; k < af_results_nseries(r); k++) {
        csv_name n = csv_split(af_results_series_get(r, k)->name);
        csv_intern(&groups, &ng, &cg, n.group);
        csv_name_free(&n);
    }
    /* Every file to its temporary first (the series, then the summary), then renamed in turn. */
    af_outfile **files = af_calloc(ng + 1, sizeof *files);
    int rc = AF_OK;
    size_t k = 0;
    for (; k <= ng; k++) {
        char *path;
        if (k < ng) {
            char *part = csv_file_part(groups[k]);
            path = af_strfmt("%s/series-%s.csv", dir, part);
            af_free(part);
        } else {
            path = af_strfmt("%s/summary.csv", dir);
        }
        files[k] = af_outfile_open(path, d);
        af_free(path);
        if (!files[k]) {
            rc = AF_EIO;
            break;
        }
        if (k < ng)
            csv_write_group(files[k], r, groups[k], end_s);
        else
            csv_write_summary(files[k], r);
    }
    for (size_t j = 0; j <= ng; j++) {
        if (rc == AF_OK && j < k)
            rc = af_outfile_commit(files[j], d);
        else
            af_outfile_abort(files[j]);
    }
    af_free(files);
    if (rc == AF_OK)
        csv_remove_stale(dir, groups, ng);
    csv_strings_free(groups, ng);
    return rc;
}
