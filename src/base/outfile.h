/*
 * outfile: output files written atomically.
 *
 * Every file aifsim writes goes to a temporary name in the same directory and is renamed over the
 * final name only when every byte has been written, flushed and closed without error. A failed
 * or abandoned write removes the temporary file, so a reader never sees a half-written output.
 * Once af_outfile_install_cleanup has run, neither does a process killed by SIGHUP, SIGINT,
 * SIGPIPE or SIGTERM, or one out of memory: the temporary files in progress are removed first.
 *
 * The target is resolved when the file is opened:
 *   - "-" is standard output, written through a copy of its descriptor;
 *   - an existing file that is not a regular one (a terminal, a pipe, /dev/null) is written in
 *     place, since renaming over it would replace the device with a file;
 *   - a symlink is followed to the file it names, which is replaced (or created), so the link
 *     stays a link;
 *   - an existing regular file without write permission is refused ("the file is read-only")
 *     and left as it is; a replaced file keeps its permission bits;
 *   - a directory is refused.
 *
 * Fault injection (base/fault.h): creating the file, each write call with bytes, and the flush,
 * fsync, close and rename of a commit each count as one output operation for
 * AIFSIM_FAULT_WRITE, and the failing one fails with ENOSPC.
 */
#ifndef AF_BASE_OUTFILE_H
#define AF_BASE_OUTFILE_H

#include "base/diag.h"

#include <stddef.h>

typedef struct af_outfile af_outfile;

/* Opens a temporary file next to the file `path` resolves to (see above). Returns NULL and adds
 * an error to d (naming the path and strerror, or saying it is read-only) on failure. */
af_outfile *af_outfile_open(const char *path, af_diag *d);

/* Checks, without creating anything, that path could be opened: what af_outfile_open would
 * refuse (a directory, a read-only file, a symlink loop) or a directory that cannot take the
 * temporary file. For a long run, to fail before it rather than after. Returns AF_OK, or AF_EIO
 * with an error in d. "-" passes. */
int af_outfile_check(const char *path, af_diag *d);

/* Appends n bytes / formatted text. Errors are remembered and reported by af_outfile_commit, so
 * callers can write without checking each call. */
void af_outfile_write(af_outfile *f, const void *buf, size_t n);
void af_outfile_printf(af_outfile *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Flushes, closes and renames the file into place, then frees f. Returns AF_OK, or AF_EIO with an
 * error in d (and the temporary file removed). For "-" the error reads "writing standard output:
 * <strerror>". */
int af_outfile_commit(af_outfile *f, af_diag *d);

/* Closes and removes the temporary file without touching `path`, then frees f; NULL is allowed. */
void af_outfile_abort(af_outfile *f);

/* Installs, for the whole process, handlers for SIGHUP, SIGINT, SIGPIPE and SIGTERM (those not
 * ignored already) that remove the temporary files in progress and then end the process with the
 * signal's default action, and the out-of-memory hook of base/alloc.h that removes them before
 * the exit. For a program's start-up (the command line calls it); a library user may skip it. */
void af_outfile_install_cleanup(void);

#endif
