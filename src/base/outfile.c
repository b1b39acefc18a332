/*
 * outfile: write to "<dir>/.<name>.<pid>.<n>.tmp", then fsync and rename(2) over the target. rename is
 * atomic within a file system, which is why the temporary file lives in the target's directory.
 */
#include "base/outfile.h"

#include "base/alloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct af_outfile {
    char *path;      /* final path, owned */
    char *tmp;       /* temporary path, owned; NULL for stdout */
    FILE *fp;        /* open stream */
    int err;         /* first errno seen, 0 if none */
    long writes;     /* write calls so far (for the test hook) */
    long fail_at;    /* write call that fails (test hook), 0 for none */
};

/* Creates "<dir>/.<name>.<pid>.<n>.tmp" exclusively with mode 0666 (so the umask applies, as
 * for any other file the user creates). Returns the descriptor, or -1 with errno set. */
static int af_outfile_create_tmp(af_outfile *f, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    for (unsigned n = 0; n < 1000; n++) {
        f->tmp = af_strfmt("%.*s.%s.%ld.%u.tmp", (int)dirlen, path, slash ? slash + 1 : path,
                           (long)getpid(), n);
        int fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        int e = errno;
        af_free(f->tmp);
        f->tmp = NULL;
        if (e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

af_outfile *af_outfile_open(const char *path, af_diag *d)
{
    af_outfile *f = af_calloc(1, sizeof *f);
    f->path = af_strdup(path);
    const char *hook = getenv("AIFSIM_TEST_FAIL_WRITE");
    f->fail_at = hook ? strtol(hook, NULL, 10) : 0;
    if (strcmp(path, "-") == 0) {
        f->fp = stdout;
        return f;
    }
    /* A target that exists and is not a regular file (a terminal, a pipe, /dev/null, /dev/full)
     * is written in place: renaming over it would replace the device with a file. */
    struct stat st;
    int fd;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            af_diag_error(d, "cannot write %s: %s", path, strerror(EISDIR));
            goto fail;
        }
        fd = open(path, O_WRONLY | O_CLOEXEC);
    } else {
        fd = af_outfile_create_tmp(f, path);
    }
    if (fd < 0) {
        af_diag_error(d, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
        af_diag_error(d, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        if (f->tmp)
            unlink(f->tmp);
        goto fail;
    }
    return f;

fail:
    af_free(f->tmp);
    af_free(f->path);
    af_free(f);
    return NULL;
}

void af_outfile_write(af_outfile *f, const void *buf, size_t n)
{
    if (f->err)
        return;
    f->writes++;
    if (f->fail_at > 0 && f->writes == f->fail_at) {
        f->err = ENOSPC;
        return;
    }
    if (n && fwrite(buf, 1, n, f->fp) != n)
        f->err = errno ? errno : EIO;
}

void af_outfile_printf(af_outfile *f, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        f->err = EINVAL;
        return;
    }
    if ((size_t)n < sizeof small) {
        af_outfile_write(f, small, (size_t)n);
        return;
    }
    char *big = af_malloc_array((size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    af_outfile_write(f, big, (size_t)n);
    af_free(big);
}

static void af_outfile_release(af_outfile *f)
{
    af_free(f->tmp);
    af_free(f->path);
    af_free(f);
}

int af_outfile_commit(af_outfile *f, af_diag *d)
{
    if (!f->tmp) {
        /* Standard output, or a non-regular file written in place. */
        if (!f->err && fflush(f->fp) != 0)
            f->err = errno;
        if (f->fp != stdout && fclose(f->fp) != 0 && !f->err)
            f->err = errno;
        int rc = AF_OK;
        if (f->err) {
            af_diag_error(d, "cannot write %s: %s",
                          f->fp == stdout ? "standard output" : f->path, strerror(f->err));
            rc = AF_EIO;
        }
        af_outfile_release(f);
        return rc;
    }
    if (!f->err && fflush(f->fp) != 0)
        f->err = errno;
    if (!f->err && fsync(fileno(f->fp)) != 0 && errno != EINVAL)
        f->err = errno;
    if (fclose(f->fp) != 0 && !f->err)
        f->err = errno;
    if (!f->err && rename(f->tmp, f->path) != 0)
        f->err = errno;
    if (f->err) {
        af_diag_error(d, "cannot write %s: %s", f->path, strerror(f->err));
        unlink(f->tmp);
        af_outfile_release(f);
        return AF_EIO;
    }
    af_outfile_release(f);
    return AF_OK;
}

void af_outfile_abort(af_outfile *f)
{
    if (!f)
        return;
    if (f->tmp) {
        fclose(f->fp);
        unlink(f->tmp);
    } else if (f->fp != stdout) {
        fclose(f->fp);
    }
    af_outfile_release(f);
}
