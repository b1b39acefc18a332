/*
 * outfile: output files written atomically.
 *
 * Every file aifsim writes goes to a temporary name in the same directory and is renamed over the
 * final name only when every byte has been written, flushed and closed without error. A failed
 * or abandoned write removes the temporary file, so a reader never sees a half-written output.
 *
 * Test hook: when the environment variable AIFSIM_TEST_FAIL_WRITE=N is set, the N-th write call
 * (counted per file, from 1) fails with ENOSPC, as a full disk would.
 */
#ifndef AF_BASE_OUTFILE_H
#define AF_BASE_OUTFILE_H

#include "base/diag.h"

#include <stddef.h>

typedef struct af_outfile af_outfile;

/* Opens a temporary file next to `path`. Returns NULL and adds an error to d (naming the path and
 * strerror) on failure. The path "-" means standard output, written directly. */
af_outfile *af_outfile_open(const char *path, af_diag *d);

/* Appends n bytes / formatted text. Errors are remembered and reported by af_outfile_commit, so
 * callers can write without checking each call. */
void af_outfile_write(af_outfile *f, const void *buf, size_t n);
void af_outfile_printf(af_outfile *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Flushes, closes and renames the file into place, then frees f. Returns AF_OK, or AF_EIO with an
 * error in d (and the temporary file removed). */
int af_outfile_commit(af_outfile *f, af_diag *d);

/* Closes and removes the temporary file without touching `path`, then frees f; NULL is allowed. */
void af_outfile_abort(af_outfile *f);

#endif
