/*
 * test_outfile: atomic output files. A commit puts exactly the written bytes at the path and
 * leaves no temporary file; an abort or a failed write (injected with AIFSIM_TEST_FAIL_WRITE, as
 * a full disk would fail) leaves no file and never touches an existing target; a missing
 * directory fails cleanly; "-" writes to standard output. Every test works in its own fresh
 * directory under $TMPDIR (or /tmp) and removes it afterwards.
 */
#include "base/outfile.h"

#include "base/alloc.h"

#include "cutest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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
    setenv("AIFSIM_TEST_FAIL_WRITE", "2", 1);
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_outfile_write(f, "one\n", 4);
    af_outfile_printf(f, "two\n"); /* the second write call fails */
    af_outfile_write(f, "three\n", 6);
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_EIO);
    unsetenv("AIFSIM_TEST_FAIL_WRITE");
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

static void test_failed_write_new_file(void)
{
    fresh_dir();
    char *a = path_in_dir("a.txt"), *b = path_in_dir("b.txt");
    af_diag *d = af_diag_new();
    /* The count is per file: with N = 3, a file with two writes succeeds and one with three
     * fails, even while both are open at once. */
    setenv("AIFSIM_TEST_FAIL_WRITE", "3", 1);
    af_outfile *fa = af_outfile_open(a, d);
    af_outfile *fb = af_outfile_open(b, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fa);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fb);
    af_outfile_write(fa, "1", 1);
    af_outfile_write(fb, "1", 1);
    af_outfile_write(fa, "2", 1);
    af_outfile_write(fb, "2", 1);
    af_outfile_write(fb, "3", 1);
    unsetenv("AIFSIM_TEST_FAIL_WRITE");
    CU_ASSERT_EQUAL(af_outfile_commit(fa, d), AF_OK);
    CU_ASSERT_EQUAL(af_outfile_commit(fb, d), AF_EIO);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    CU_ASSERT_EQUAL(access(b, F_OK), -1); /* no file at all */
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

    /* A failed write to standard output is reported too. */
    setenv("AIFSIM_TEST_FAIL_WRITE", "1", 1);
    got = capture_stdout(write_to_stdout, d, &rc);
    unsetenv("AIFSIM_TEST_FAIL_WRITE");
    CU_ASSERT_EQUAL(rc, AF_EIO);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    if (af_diag_count(d) == 1) {
        char *want = af_strfmt("cannot write standard output: %s", strerror(ENOSPC));
        CU_ASSERT_STRING_EQUAL(af_diag_get(d, 0)->text, want);
        af_free(want);
    }
    af_free(got);
    af_diag_free(d);
    remove_dir();
}

static const af_test tests[] = {
    {"commit writes the content and leaves no temporary file", test_commit},
    {"commit replaces an existing file, binary and long output", test_commit_replaces_and_binary},
    {"abort leaves no file and keeps an existing target", test_abort},
    {"a failed write keeps the old target and removes the temporary", test_failed_write},
    {"the failing write is counted per file", test_failed_write_new_file},
    {"a missing directory fails cleanly", test_missing_directory},
    {"a directory as target fails cleanly", test_target_is_directory},
    {"a relative path without a directory", test_relative_path},
    {"\"-\" writes to standard output", test_stdout},
    {NULL, NULL},
};

AF_TEST_MAIN("outfile", tests)
