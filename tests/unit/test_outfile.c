/*
 * test_outfile: atomic output files. A commit puts exactly the written bytes at the path and
 * leaves no temporary file; an abort or a failed operation (each one in turn, injected with
 * AIFSIM_FAULT_WRITE as a full disk would fail it) leaves no file and never touches an existing
 * target; a missing directory fails cleanly; "-" writes to standard output. A read-only target
 * is refused and kept, a symlink is written through and stays a link, a 255-byte name works,
 * and a process killed by a signal or out of memory while writing leaves no temporary file.
 * Every test works in its own fresh directory under $TMPDIR (or /tmp) and removes it afterwards.
 */
#include "base/outfile.h"

#include "base/alloc.h"
#include "base/fault.h"

#include "cutest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The directory of the running test, created by fresh_dir. */
static char dir[4096];

static void fresh_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/af-outfile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

/* Number of entries in the test directory other than . and .. */
static int dir_entries(void)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(dp);
    return n;
}

/* Removes every plain file in the test directory, then the directory. */
static void remove_dir(void)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = af_strfmt("%s/%s", dir, e->d_name);
            if (unlink(p) != 0)
                rmdir(p);
            af_free(p);
        }
        closedir(dp);
    }
    rmdir(dir);
}

static char *path_in_dir(const char *name)
{
    return af_strfmt("%s/%s", dir, name);
}

/* Sets (value not NULL) or clears a fault-injection variable and restarts the counts. */
static void set_fault(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
    af_fault_setup();
}

/* Reads a whole file into a new string (NULL if it cannot be read); *len gets its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1024, n = 0;
    char *buf = af_malloc_array(cap, 1);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0)
            buf = af_grow(buf, &cap, cap * 2, 1);
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_commit(void)
{
    fresh_dir();
    char *path = path_in_dir("out.txt");
    af_diag *d = af_diag_new();
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(dir_entries(), 1); /* the temporary file, not yet the target */
    CU_ASSERT_EQUAL(access(path, F_OK), -1);
    af_outfile_write(f, "hello\n", 6);
    af_outfile_printf(f, "%d %s\n", 42, "lines");
    af_outfile_write(f, "", 0);
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    char *got = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(got, "hello\n42 lines\n");
    CU_ASSERT_EQUAL(dir_entries(), 1); /* only the target: no temporary file left */
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT(S_ISREG(st.st_mode) && (st.st_mode & 0444) == 0444); /* readable, not 0600 */
    af_free(got);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

static void test_commit_replaces_and_binary(void)
{
    fresh_dir();
    char *path = path_in_dir("data.bin");
    put_file(path, "old content that is longer than the new one");
    af_diag *d = af_diag_new();
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static const char bin[] = {'a', '\0', 'b', '\n', '\xff'};
    af_outfile_write(f, bin, sizeof bin);
    /* printf output longer than its internal small buffer */
    char big[3001];
    memset(big, 'z', 3000);
    big[3000] = '\0';
    af_outfile_printf(f, "[%s]", big);
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
    size_t n = 0;
    char *got = slurp(path, &n);
    CU_ASSERT_FATAL(got != NULL);
    CU_ASSERT_EQUAL(n, sizeof bin + 3002);
    CU_ASSERT(memcmp(got, bin, sizeof bin) == 0);
    CU_ASSERT(got[sizeof bin] == '[' && got[n - 1] == ']' && got[sizeof bin + 1] == 'z');
    CU_ASSERT_EQUAL(dir_entries(), 1);
    af_free(got);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

static void test_abort(void)
{
    fresh_dir();
    char *path = path_in_dir("never.txt");
    af_diag *d = af_diag_new();
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_outfile_write(f, "partial", 7);
    af_outfile_abort(f);
    CU_ASSERT_EQUAL(access(path, F_OK), -1);
    CU_ASSERT_EQUAL(dir_entries(), 0);

    /* An existing target is left as it was. */
    put_file(path, "keep me\n");
    f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_outfile_printf(f, "replacement\n");
    af_outfile_abort(f);
    char *got = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(got, "keep me\n");
    CU_ASSERT_EQUAL(dir_entries(), 1);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_outfile_abort(NULL);
    af_free(got);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

static void test_failed_write(void)
{
    fresh_dir();
    char *path = path_in_dir("full.txt");
    put_file(path, "old\n");
    af_diag *d = af_diag_new();
    /* Operation 1 creates the file, 2 and 3 are the writes: the second write call fails. */
    set_fault("AIFSIM_FAULT_WRITE", "3");
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_outfile_write(f, "one\n", 4);
    af_outfile_printf(f, "two\n");
    af_outfile_write(f, "three\n", 6);
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_EIO);
    set_fault("AIFSIM_FAULT_WRITE", NULL);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    char *msg = af_diag_format(d, 0);
    char *want = af_strfmt("aifsim: error: cannot write %s: %s", path, strerror(ENOSPC));
    CU_ASSERT_STRING_EQUAL(msg, want);
    char *got = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(got, "old\n"); /* the target keeps its old content */
    CU_ASSERT_EQUAL(dir_entries(), 1);    /* and the temporary file is gone */
    af_free(got);
    af_free(want);
    af_free(msg);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

/* Writes "12" to path in two calls and commits: 7 output operations (create, 2 writes, flush,
 * fsync, close, rename). */
static int write_12(const char *path, af_diag *d)
{
    af_outfile *f = af_outfile_open(path, d);
    if (!f)
        return AF_EIO;
    af_outfile_write(f, "1", 1);
    af_outfile_write(f, "2", 1);
    return af_outfile_commit(f, d);
}

static void test_failed_write_new_file(void)
{
    fresh_dir();
    char *a = path_in_dir("a.txt"), *b = path_in_dir("b.txt");
    af_diag *d = af_diag_new();
    /* Each operation in turn fails: the open, each write, the flush, fsync, close and rename. */
    for (int n = 1; n <= 7; n++) {
        char v[8];
        snprintf(v, sizeof v, "%d", n);
        set_fault("AIFSIM_FAULT_WRITE", v);
        CU_ASSERT_EQUAL(write_12(a, d), AF_EIO);
        CU_ASSERT_EQUAL(af_fault_writes(), n); /* nothing is tried after the failure */
        CU_ASSERT_EQUAL(af_diag_errors(d), 1);
        if (af_diag_count(d) == 1) {
            char *want = af_strfmt("cannot write %s: %s", a, strerror(ENOSPC));
            CU_ASSERT_STRING_EQUAL(af_diag_get(d, 0)->text, want);
            af_free(want);
        }
        af_diag_clear(d);
        CU_ASSERT_EQUAL(access(a, F_OK), -1); /* no file at all */
        CU_ASSERT_EQUAL(dir_entries(), 0);    /* nor a temporary one */
    }
    /* The count is process-wide: with N = 10 the first file (7 operations) succeeds and the
     * second fails at its third, its second write. */
    set_fault("AIFSIM_FAULT_WRITE", "10");
    CU_ASSERT_EQUAL(write_12(a, d), AF_OK);
    CU_ASSERT_EQUAL(af_fault_writes(), 7);
    CU_ASSERT_EQUAL(write_12(b, d), AF_EIO);
    set_fault("AIFSIM_FAULT_WRITE", NULL);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    CU_ASSERT_EQUAL(access(b, F_OK), -1);
    char *got = slurp(a, NULL);
    CU_ASSERT_STRING_EQUAL(got, "12");
    CU_ASSERT_EQUAL(dir_entries(), 1);
    af_free(got);
    af_free(a);
    af_free(b);
    af_diag_free(d);
    remove_dir();
}

static void test_missing_directory(void)
{
    fresh_dir();
    char *path = path_in_dir("no/such/dir/out.txt");
    af_diag *d = af_diag_new();
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NULL(f);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    char *msg = af_diag_format(d, 0);
    char *want = af_strfmt("aifsim: error: cannot write %s: %s", path, strerror(ENOENT));
    CU_ASSERT_STRING_EQUAL(msg, want);
    CU_ASSERT_EQUAL(dir_entries(), 0);
    af_free(want);
    af_free(msg);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

static void test_target_is_directory(void)
{
    fresh_dir();
    char *path = path_in_dir("sub");
    CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
    af_diag *d = af_diag_new();
    /* Refused at open (nothing is created), naming the path and the reason. */
    CU_ASSERT_PTR_NULL(af_outfile_open(path, d));
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(af_diag_get(d, 0)->text, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(af_diag_get(d, 0)->text, "Is a directory"));
    CU_ASSERT_EQUAL(dir_entries(), 1); /* the directory itself, no temporary file */
    struct stat st;
    CU_ASSERT(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    rmdir(path);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

static void test_relative_path(void)
{
    fresh_dir();
    char cwd[4096];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
    af_diag *d = af_diag_new();
    af_outfile *f = af_outfile_open("plain.txt", d);
    CU_ASSERT_PTR_NOT_NULL(f);
    if (f) {
        af_outfile_printf(f, "here\n");
        CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
    }
    char *got = slurp("plain.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got)
        CU_ASSERT_STRING_EQUAL(got, "here\n");
    CU_ASSERT_EQUAL(dir_entries(), 1);
    CU_ASSERT_EQUAL(chdir(cwd), 0);
    af_free(got);
    af_diag_free(d);
    remove_dir();
}

/* Runs fn with standard output sent to a file in the test directory; returns what it wrote. */
static char *capture_stdout(int (*fn)(af_diag *), af_diag *d, int *rc)
{
    char *cap = path_in_dir("stdout.txt");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (saved < 0 || fd < 0) {
        af_free(cap);
        return NULL;
    }
    dup2(fd, STDOUT_FILENO);
    close(fd);
    *rc = fn(d);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    char *got = slurp(cap, NULL);
    unlink(cap);
    af_free(cap);
    return got;
}

static int write_to_stdout(af_diag *d)
{
    af_outfile *f = af_outfile_open("-", d);
    if (!f)
        return -1;
    af_outfile_write(f, "to stdout\n", 10);
    af_outfile_printf(f, "%s\n", "printf too");
    return af_outfile_commit(f, d);
}

static int abort_stdout(af_diag *d)
{
    af_outfile *f = af_outfile_open("-", d);
    if (!f)
        return -1;
    af_outfile_abort(f);
    return 0;
}

static void test_stdout(void)
{
    fresh_dir();
    af_diag *d = af_diag_new();
    int rc = -1;
    char *got = capture_stdout(write_to_stdout, d, &rc);
    CU_ASSERT_EQUAL(rc, AF_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "to stdout\nprintf too\n");
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    CU_ASSERT_EQUAL(dir_entries(), 0); /* no temporary file, no file called "-" */
    CU_ASSERT_EQUAL(access("-", F_OK), -1);
    af_free(got);

    /* Abort leaves standard output open and usable. */
    got = capture_stdout(abort_stdout, d, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(got, "");
    af_free(got);
    CU_ASSERT(fprintf(stdout, "%s", "") >= 0);

    /* A failed write to standard output is reported too, and leaves the stream itself clean. */
    set_fault("AIFSIM_FAULT_WRITE", "2");
    got = capture_stdout(write_to_stdout, d, &rc);
    set_fault("AIFSIM_FAULT_WRITE", NULL);
    CU_ASSERT_EQUAL(rc, AF_EIO);
    CU_ASSERT_FALSE(ferror(stdout));
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    if (af_diag_count(d) == 1) {
        char *want = af_strfmt("writing standard output: %s", strerror(ENOSPC));
        CU_ASSERT_STRING_EQUAL(af_diag_get(d, 0)->text, want);
        af_free(want);
    }
    af_free(got);
    af_diag_free(d);
    remove_dir();
}

static void test_read_only_target(void)
{
    fresh_dir();
    char *path = path_in_dir("ro.json");
    put_file(path, "precious\n");
    CU_ASSERT_EQUAL_FATAL(chmod(path, 0444), 0);
    af_diag *d = af_diag_new();
    /* Refused by the check before a run and by the open, even for root. */
    CU_ASSERT_EQUAL(af_outfile_check(path, d), AF_EIO);
    CU_ASSERT_PTR_NULL(af_outfile_open(path, d));
    CU_ASSERT_EQUAL(af_diag_errors(d), 2);
    char *want = af_strfmt("cannot write %s: the file is read-only", path);
    CU_ASSERT_STRING_EQUAL(af_diag_get(d, 1)->text, want);
    char *got = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(got, "precious\n");
    CU_ASSERT_EQUAL(dir_entries(), 1);
    struct stat st;
    CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0444);
    af_free(got);
    af_free(want);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

static void test_keeps_mode(void)
{
    fresh_dir();
    char *path = path_in_dir("private.json");
    put_file(path, "old\n");
    CU_ASSERT_EQUAL_FATAL(chmod(path, 0600), 0);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_outfile_check(path, d), AF_OK);
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_outfile_printf(f, "new\n");
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
    struct stat st;
    CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    char *got = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(got, "new\n");
    af_free(got);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

static void test_symlink(void)
{
    fresh_dir();
    char *real = path_in_dir("real.json"), *link = path_in_dir("link.json");
    char *chain = path_in_dir("chain.json"), *dangling = path_in_dir("dangling.json");
    char *made = path_in_dir("made.json");
    put_file(real, "old\n");
    CU_ASSERT_EQUAL_FATAL(symlink("real.json", link), 0); /* relative to the link's directory */
    CU_ASSERT_EQUAL_FATAL(symlink(link, chain), 0);       /* absolute, two hops */
    CU_ASSERT_EQUAL_FATAL(symlink("made.json", dangling), 0);
    af_diag *d = af_diag_new();
    const char *via[] = {link, chain};
    for (int i = 0; i < 2; i++) {
        af_outfile *f = af_outfile_open(via[i], d);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        af_outfile_printf(f, "through %d\n", i);
        CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
        char want[32];
        snprintf(want, sizeof want, "through %d\n", i);
        char *got = slurp(real, NULL);
        CU_ASSERT_STRING_EQUAL(got, want);
        af_free(got);
        struct stat st;
        CU_ASSERT(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
        CU_ASSERT(lstat(chain, &st) == 0 && S_ISLNK(st.st_mode));
    }
    /* A dangling link: the file it names is created, the link stays. */
    af_outfile *f = af_outfile_open(dangling, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_outfile_printf(f, "made\n");
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
    char *got = slurp(made, NULL);
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got)
        CU_ASSERT_STRING_EQUAL(got, "made\n");
    af_free(got);
    struct stat st;
    CU_ASSERT(lstat(dangling, &st) == 0 && S_ISLNK(st.st_mode));
    CU_ASSERT_EQUAL(dir_entries(), 5); /* real, link, chain, dangling, made: no temporary */
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    /* A loop is refused. */
    char *loop = path_in_dir("loop.json");
    CU_ASSERT_EQUAL_FATAL(symlink("loop.json", loop), 0);
    CU_ASSERT_PTR_NULL(af_outfile_open(loop, d));
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    CU_ASSERT_EQUAL(dir_entries(), 6);
    af_free(loop);
    af_free(made);
    af_free(dangling);
    af_free(chain);
    af_free(link);
    af_free(real);
    af_diag_free(d);
    remove_dir();
}

static void test_long_name(void)
{
    fresh_dir();
    /* The longest name a directory entry can have: the temporary's must not grow past it. */
    char name[NAME_MAX + 1];
    memset(name, 'n', NAME_MAX);
    name[NAME_MAX] = '\0';
    char *path = path_in_dir(name);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_outfile_check(path, d), AF_OK);
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_outfile_printf(f, "long\n");
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
    char *got = slurp(path, NULL);
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got)
        CU_ASSERT_STRING_EQUAL(got, "long\n");
    CU_ASSERT_EQUAL(dir_entries(), 1);
    af_free(got);
    af_free(path);
    af_diag_free(d);
    remove_dir();
}

static void test_check(void)
{
    fresh_dir();
    af_diag *d = af_diag_new();
    char *ok = path_in_dir("new.json"), *missing = path_in_dir("no/such/dir/x.json");
    CU_ASSERT_EQUAL(af_outfile_check(ok, d), AF_OK);
    CU_ASSERT_EQUAL(af_outfile_check("-", d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    CU_ASSERT_EQUAL(af_outfile_check(missing, d), AF_EIO);
    CU_ASSERT_EQUAL(af_outfile_check(dir, d), AF_EIO); /* a directory */
    CU_ASSERT_EQUAL(af_diag_errors(d), 2);
    CU_ASSERT_EQUAL(dir_entries(), 0); /* a check creates nothing */
    af_free(missing);
    af_free(ok);
    af_diag_free(d);
    remove_dir();
}

/* In a child process: opens an output file in the test directory, writes to it and then, with
 * the clean-up installed, dies by signal sig (0: runs out of memory instead). Returns the
 * child's wait status. */
static int die_while_writing(int sig)
{
    char *path = path_in_dir("out.json");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDERR_FILENO); /* the out-of-memory message */
        af_outfile_install_cleanup();
        af_diag *d = af_diag_new();
        af_outfile *f = af_outfile_open(path, d);
        if (!f)
            _exit(3);
        af_outfile_printf(f, "{\"partial\": ");
        if (sig) {
            raise(sig);
        } else {
            set_fault("AIFSIM_FAULT_ALLOC", "1");
            af_malloc_array(1, 1);
        }
        _exit(4); /* not reached */
    }
    af_free(path);
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

static void test_signal_removes_temporary(void)
{
    static const int sigs[] = {SIGHUP, SIGINT, SIGPIPE, SIGTERM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        fresh_dir();
        int status = die_while_writing(sigs[i]);
        /* Killed by the same signal, with the default action, and nothing left behind. */
        CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i]);
        CU_ASSERT_EQUAL(dir_entries(), 0);
        remove_dir();
    }
}

static void test_out_of_memory_removes_temporary(void)
{
    fresh_dir();
    int status = die_while_writing(0);
    /* The documented exit status 1, not an abort, and nothing left behind. */
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    CU_ASSERT_EQUAL(dir_entries(), 0);
    remove_dir();
}

static const af_test tests[] = {
    {"commit writes the content and leaves no temporary file", test_commit},
    {"commit replaces an existing file, binary and long output", test_commit_replaces_and_binary},
    {"abort leaves no file and keeps an existing target", test_abort},
    {"a failed write keeps the old target and removes the temporary", test_failed_write},
    {"each output operation in turn fails cleanly, counted per process",
     test_failed_write_new_file},
    {"a missing directory fails cleanly", test_missing_directory},
    {"a directory as target fails cleanly", test_target_is_directory},
    {"a relative path without a directory", test_relative_path},
    {"\"-\" writes to standard output", test_stdout},
    {"a read-only target is refused and kept", test_read_only_target},
    {"a replaced file keeps its permission bits", test_keeps_mode},
    {"a symlink is written through and stays a link", test_symlink},
    {"a name of NAME_MAX bytes can be written", test_long_name},
    {"af_outfile_check finds what open would refuse", test_check},
    {"a signal while writing removes the temporary", test_signal_removes_temporary},
    {"out of memory while writing removes the temporary", test_out_of_memory_removes_temporary},
    {NULL, NULL},
};

AF_TEST_MAIN("outfile", tests)
