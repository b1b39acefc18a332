/*
 * outfile: write to "<dir>/.aifsim-<pid>-<n>.tmp", then fsync and rename(2) over the target.
 * rename is atomic within a file system, which is why the temporary file lives in the target's
 * directory; its name is short and fixed in length, so any name the target may have fits.
 *
 * The files with a temporary in progress form a list that the signal handler and the
 * out-of-memory hook walk to remove them. The list changes only with the handled signals
 * blocked, and every string it points to is allocated before the change, so neither the handler
 * nor the hook ever sees it half-changed or needs memory. Output files are opened and committed
 * by one thread (the command line's); the list is process-wide because signals are.
 */
#include "base/outfile.h"

#include "base/alloc.h"
#include "base/fault.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Links followed from the named path to the file replaced, at most (Linux's own limit). */
#define AF_OUTFILE_MAX_LINKS 40

struct af_outfile {
    char *path;       /* the path as given (for messages), owned; "-" for standard output */
    char *target;     /* the file that commit replaces: path with symlinks followed; owned;
                       * NULL when written in place */
    char *tmp;        /* temporary path, owned; NULL when written in place */
    FILE *fp;         /* open stream: on tmp, on the in-place target, or on a copy of fd 1 */
    int err;          /* first errno seen, 0 if none */
    af_outfile *next; /* next file with a temporary in progress (af_outfile_live) */
};

/* Files whose temporary exists and must be removed if the process dies. */
static af_outfile *volatile af_outfile_live;

/* The signals after which the temporary files are removed (the ones that end a command line
 * program by default). */
static const int outfile_signals[] = {SIGHUP, SIGINT, SIGPIPE, SIGTERM};

static void outfile_block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof outfile_signals / sizeof outfile_signals[0]; i++)
        sigaddset(&set, outfile_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void outfile_unblock(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

/* Removes every temporary file in progress. Async-signal-safe: only unlink(2) and reads. */
static void outfile_remove_temps(void)
{
    for (af_outfile *f = af_outfile_live; f; f = f->next)
        unlink(f->tmp);
}

static void outfile_on_signal(int sig)
{
    outfile_remove_temps();
    /* The signal is blocked while its handler runs: raised again with the default action, it
     * ends the process as soon as the handler returns, with the status a shell expects. */
    signal(sig, SIG_DFL);
    raise(sig);
}

void af_outfile_install_cleanup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = outfile_on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof outfile_signals / sizeof outfile_signals[0]; i++)
        sigaddset(&sa.sa_mask, outfile_signals[i]);
    for (size_t i = 0; i < sizeof outfile_signals / sizeof outfile_signals[0]; i++) {
        struct sigaction old;
        /* A signal the parent ignores (nohup, a background job's SIGINT) stays ignored. */
        if (sigaction(outfile_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(outfile_signals[i], &sa, NULL);
    }
    af_alloc_set_oom_hook(outfile_remove_temps);
}

/* Returns path with the symlinks at its last component followed, as a new string: the file a
 * commit must replace so that the links stay. A dangling link gives the path it names (the
 * file is then created there). NULL with errno set (ELOOP) on a loop. */
static char *outfile_follow(const char *path)
{
    char *cur = af_strdup(path);
    for (int hops = 0; hops < AF_OUTFILE_MAX_LINKS; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
            return cur;
        size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : PATH_MAX;
        char *link = af_malloc_array(cap, 1);
        ssize_t n = readlink(cur, link, cap);
        if (n < 0 || (size_t)n >= cap) {
            /* Changed under us: refuse rather than replace the link with a file. */
            int e = n < 0 ? errno : ELOOP;
            af_free(link);
            af_free(cur);
            errno = e;
            return NULL;
        }
        link[n] = '\0';
        const char *slash = strrchr(cur, '/');
        char *next = link[0] == '/' || !slash
                         ? af_strdup(link)
                         : af_strfmt("%.*s%s", (int)(slash - cur + 1), cur, link);
        af_free(link);
        af_free(cur);
        cur = next;
    }
    af_free(cur);
    errno = ELOOP;
    return NULL;
}

/* What writing path means, decided before any file is touched. */
typedef struct af_outfile_plan {
    char *target;  /* path with its symlinks followed (new string), NULL for in-place writes */
    bool exists;   /* the target is an existing regular file */
    mode_t mode;   /* its mode bits when it exists */
    bool in_place; /* an existing non-regular file (a device, a pipe): written in place */
} af_outfile_plan;

/* Fills p for path, or adds an error to d and returns AF_EIO: a directory, a read-only file,
 * a symlink loop, or a path that cannot be looked up. */
static int outfile_make_plan(const char *path, af_outfile_plan *p, af_diag *d)
{
    memset(p, 0, sizeof *p);
    struct stat st;
    /* A target that exists and is not a regular file (a terminal, a pipe, /dev/null, /dev/full)
     * is written in place: renaming over it would replace the device with a file. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            af_diag_error(d, "cannot write %s: %s", path, strerror(EISDIR));
            return AF_EIO;
        }
        p->in_place = true;
        return AF_OK;
    }
    p->target = outfile_follow(path);
    if (!p->target) {
        af_diag_error(d, "cannot write %s: %s", path, strerror(errno));
        return AF_EIO;
    }
    if (stat(p->target, &st) == 0) {
        p->exists = true;
        p->mode = st.st_mode;
        /* Replacing a file by rename needs only the directory's permission; a file its owner
         * made read-only is refused, as the shell's `>` would refuse it. Root passes access(2),
         * hence the mode bits too. */
        if ((st.st_mode & 0222) == 0 || access(p->target, W_OK) != 0) {
            af_diag_error(d, "cannot write %s: the file is read-only", path);
            goto fail;
        }
    } else if (errno != ENOENT) {
        af_diag_error(d, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    return AF_OK;

fail:
    af_free(p->target);
    p->target = NULL;
    return AF_EIO;
}

int af_outfile_check(const char *path, af_diag *d)
{
    if (strcmp(path, "-") == 0)
        return AF_OK;
    af_outfile_plan p;
    if (outfile_make_plan(path, &p, d) != AF_OK)
        return AF_EIO;
    int rc = AF_OK;
    if (p.target) {
        /* The temporary file is created in the target's directory. */
        const char *slash = strrchr(p.target, '/');
        char *dir = slash ? af_strndup(p.target, slash == p.target ? 1 : (size_t)(slash - p.target))
                          : af_strdup(".");
        if (access(dir, W_OK | X_OK) != 0) {
            af_diag_error(d, "cannot write %s: %s", path, strerror(errno));
            rc = AF_EIO;
        }
        af_free(dir);
    }
    af_free(p.target);
    return rc;
}

/* Creates "<dir of target>/.aifsim-<pid>-<n>.tmp" exclusively with mode 0666 (so the umask
 * applies, as for any other file the user creates) and puts f on the list of temporaries, both
 * with the signals blocked. Returns the descriptor, or -1 with errno set. */
static int outfile_create_tmp(af_outfile *f)
{
    const char *slash = strrchr(f->target, '/');
    int dirlen = slash ? (int)(slash - f->target) + 1 : 0;
    for (unsigned n = 0; n < 1000; n++) {
        char *tmp = af_strfmt("%.*s.aifsim-%ld-%u.tmp", dirlen, f->target, (long)getpid(), n);
        sigset_t old;
        outfile_block(&old);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        int e = errno;
        if (fd >= 0) {
            f->tmp = tmp;
            f->next = af_outfile_live;
            af_outfile_live = f;
        }
        outfile_unblock(&old);
        if (fd >= 0)
            return fd;
        af_free(tmp);
        if (e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

/* Takes f off the list of temporaries. Call it with the signals blocked. */
static void outfile_unlist_blocked(af_outfile *f)
{
    for (af_outfile *volatile *p = &af_outfile_live; *p; p = &(*p)->next) {
        if (*p == f) {
            *p = f->next;
            break;
        }
    }
}

/* Removes f's temporary file and takes f off the list, with the signals blocked, so that a
 * signal finds the file either listed or gone. */
static void outfile_remove_tmp(af_outfile *f)
{
    sigset_t old;
    outfile_block(&old);
    unlink(f->tmp);
    outfile_unlist_blocked(f);
    outfile_unblock(&old);
}

static void outfile_release(af_outfile *f)
{
    af_free(f->tmp);
    af_free(f->target);
    af_free(f->path);
    af_free(f);
}

af_outfile *af_outfile_open(const char *path, af_diag *d)
{
    af_outfile *f = af_calloc(1, sizeof *f);
    f->path = af_strdup(path);
    bool to_stdout = strcmp(path, "-") == 0;
    af_outfile_plan p = {0};
    int fd;
    if (af_fault_write()) {
        errno = ENOSPC;
        fd = -1;
    } else if (to_stdout) {
        /* A copy of the descriptor, so that a failed write here leaves the stdout stream's own
         * state alone (the command checks that separately) and closing it closes nothing else.
         * Whatever the program printed before goes first. */
        fflush(stdout);
        fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    } else if (outfile_make_plan(path, &p, d) != AF_OK) {
        goto fail;
    } else if (p.in_place) {
        fd = open(path, O_WRONLY | O_CLOEXEC);
    } else {
        f->target = p.target;
        fd = outfile_create_tmp(f);
        /* A replaced file keeps its permissions (best effort: the owner may differ). */
        if (fd >= 0 && p.exists)
            (void)fchmod(fd, p.mode & 0777);
    }
    if (fd < 0) {
        if (to_stdout)
            af_diag_error(d, "writing standard output: %s", strerror(errno));
        else
            af_diag_error(d, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
        af_diag_error(d, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        if (f->tmp)
            outfile_remove_tmp(f);
        goto fail;
    }
    return f;

fail:
    outfile_release(f);
    return NULL;
}

void af_outfile_write(af_outfile *f, const void *buf, size_t n)
{
    if (f->err || n == 0)
        return;
    if (af_fault_write()) {
        f->err = ENOSPC;
        return;
    }
    if (fwrite(buf, 1, n, f->fp) != n)
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
        f->err = f->err ? f->err : EINVAL;
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

/* Runs one step of a commit unless an error came before: a fault (AIFSIM_FAULT_WRITE) or a
 * failed step records its errno. */
#define AF_OUTFILE_STEP(f, call)                                                                   \
    do {                                                                                           \
        if (!(f)->err) {                                                                           \
            if (af_fault_write())                                                                  \
                (f)->err = ENOSPC;                                                                 \
            else if ((call) != 0)                                                                  \
                (f)->err = errno ? errno : EIO;                                                    \
        }                                                                                          \
    } while (0)

int af_outfile_commit(af_outfile *f, af_diag *d)
{
    errno = 0;
    AF_OUTFILE_STEP(f, fflush(f->fp));
    if (f->tmp)
        AF_OUTFILE_STEP(f, fsync(fileno(f->fp)) != 0 && errno != EINVAL);
    /* The stream is closed whatever came before; its failure counts only as the first error. */
    bool fault = !f->err && af_fault_write();
    if (fclose(f->fp) != 0 && !f->err)
        f->err = errno ? errno : EIO;
    if (fault && !f->err)
        f->err = ENOSPC;
    if (f->tmp) {
        /* Renamed (or removed) and taken off the list in one step as far as signals go. */
        sigset_t old;
        outfile_block(&old);
        if (!f->err && af_fault_write())
            f->err = ENOSPC;
        else if (!f->err && rename(f->tmp, f->target) != 0)
            f->err = errno;
        if (f->err)
            unlink(f->tmp);
        outfile_unlist_blocked(f);
        outfile_unblock(&old);
    }
    int rc = AF_OK;
    if (f->err) {
        if (strcmp(f->path, "-") == 0)
            af_diag_error(d, "writing standard output: %s", strerror(f->err));
        else
            af_diag_error(d, "cannot write %s: %s", f->path, strerror(f->err));
        rc = AF_EIO;
    }
    outfile_release(f);
    return rc;
}

void af_outfile_abort(af_outfile *f)
{
    if (!f)
        return;
    fclose(f->fp);
    if (f->tmp)
        outfile_remove_tmp(f);
    outfile_release(f);
}
