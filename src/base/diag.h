/*
 * diag: diagnostics, collected and shown together.
 *
 * A scenario with five mistakes gets five messages in one run (the tmux habit), each in the GNU
 * form that editors jump to:
 *
 *     scenarios/x.yaml:14:9: error: storage[1].nodes: expected a positive integer, got "eight"
 *
 * Fallible functions take an `af_diag *` as their last argument and return a status (AF_OK is 0).
 * The diag owns copies of every string it is given. Messages keep insertion order, which follows
 * document order, so output never depends on a hash or an address.
 */
#ifndef AF_BASE_DIAG_H
#define AF_BASE_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* Status codes returned by fallible functions. */
enum {
    AF_OK = 0,     /* success */
    AF_EINPUT = 2, /* the user's input is wrong (exit status 2) */
    AF_EIO = 1,    /* an I/O or run failure (exit status 1) */
};

typedef enum { AF_SEV_ERROR, AF_SEV_WARNING, AF_SEV_NOTE } af_severity;

/* One message. Strings are owned by the diag. */
typedef struct af_diag_msg {
    af_severity sev; /* error, warning or note */
    char *file;      /* source name ("scenarios/x.yaml", "--set"), or NULL for none */
    int line;        /* 1-based line, 0 when unknown */
    int col;         /* 1-based column, 0 when unknown */
    char *path;      /* dotted field path ("storage[1].nodes"), or NULL */
    char *text;      /* the message, lower case, without trailing newline */
} af_diag_msg;

typedef struct af_diag af_diag;

/* Creates an empty diag. Free with af_diag_free. */
af_diag *af_diag_new(void);
void af_diag_free(af_diag *d);

/* Adds a message at a position (file may be NULL; line and col may be 0; path may be NULL). */
void af_diag_add(af_diag *d, af_severity sev, const char *file, int line, int col, const char *path,
                 const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Shorthand for an error at a position. */
void af_diag_error_at(af_diag *d, const char *file, int line, int col, const char *path,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Shorthand for an error with no position ("aifsim: error: ..."). */
void af_diag_error(af_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Gives every message from index `from` on that has no file the file name `file` (copied), so
 * that a check made on a whole scenario (not at one line) still names the scenario. */
void af_diag_set_file(af_diag *d, size_t from, const char *file);

/* Number of errors (not warnings) collected so far. */
size_t af_diag_errors(const af_diag *d);

/* Number of messages of every severity, and the i-th of them (borrowed, valid until the next
 * af_diag_add or af_diag_free). */
size_t af_diag_count(const af_diag *d);
const af_diag_msg *af_diag_get(const af_diag *d, size_t i);

/* Formats message i as one line (no newline) into a new string. */
char *af_diag_format(const af_diag *d, size_t i);

/* Prints every message, one per line, to f. */
void af_diag_print(const af_diag *d, FILE *f);

/* Removes every message. */
void af_diag_clear(af_diag *d);

/* Returns the Levenshtein distance between a and b, capped at 100 (for "did you mean"). */
int af_edit_distance(const char *a, const char *b);

/* Among n candidates, returns the one closest to `word` if it is close enough to be a plausible
 * typo (distance at most 1/3 of its length, at least 1 or 2), or NULL. */
const char *af_did_you_mean(const char *word, const char *const *cands, size_t n);

#endif
