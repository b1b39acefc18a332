/*
 * common: the start and end of the program and of its subcommands; see common.h.
 *
 * Standard output is process-wide, so whether its failure has been reported is too: the one
 * mutable global here, af_cli_stdout_failed, keeps a full disk from being reported twice (by the
 * command, then at exit).
 */
#include "cli/common.h"

#include "base/alloc.h"
#include "base/fault.h"
#include "base/outfile.h"
#include "cli/options.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A failure of standard output has been reported (by af_cli_check_stdout or af_cli_exit). */
static bool af_cli_stdout_failed;

void af_cli_setup(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* open returns the lowest free descriptor, which is fd since the ones below are open. */
        int got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (got >= 0 && got != fd)
            close(got);
    }
    signal(SIGXFSZ, SIG_IGN);
    af_outfile_install_cleanup();
    af_fault_setup();
}

/* Flushes standard output; returns 0 or the errno of its failure. With fault_point it counts as
 * an output operation for fault injection, which fails it with ENOSPC. */
static int cli_flush_stdout(bool fault_point)
{
    if (fault_point && af_fault_write())
        return ENOSPC;
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        return errno ? errno : EIO;
    return 0;
}

int af_cli_exit(int rc)
{
    int err = af_cli_stdout_failed ? 0 : cli_flush_stdout(false);
    errno = 0;
    if (fclose(stdout) != 0 && !err && !af_cli_stdout_failed)
        err = errno ? errno : EIO;
    /* A command that failed has said why already (a command outside af_cli may have reported
     * standard output itself); a failure here matters when it thought it had succeeded. */
    if (err && rc == 0) {
        fprintf(stderr, "aifsim: error: writing standard output: %s\n", strerror(err));
        af_cli_stdout_failed = true;
    }
    if (af_fault_report_wanted())
        fprintf(stderr, "aifsim: faults: %ld allocations, %ld writes\n", af_fault_allocs(),
                af_fault_writes());
    return rc == 0 && af_cli_stdout_failed ? 1 : rc;
}

void af_cli_start(af_cli *c, const char *cmd)
{
    c->cmd = cmd;
    c->d = af_diag_new();
    c->checked = false;
}

int af_cli_help(af_cli *c, const char *usage)
{
    (void)c;
    fputs(usage, stdout);
    return 0;
}

void af_cli_unknown_option(af_cli *c, const char *arg)
{
    af_diag_error(c->d, "unknown option \"%s\" for `aifsim %s`; see `aifsim %s --help`", arg,
                  c->cmd, c->cmd);
}

void af_cli_one_file(af_cli *c, const char *arg, bool missing, const char **file)
{
    if (missing)
        return;
    if (arg[0] == '-' && arg[1] != '\0')
        af_cli_unknown_option(c, arg);
    else if (*file)
        af_diag_error(c->d, "`aifsim %s` takes one scenario file, got \"%s\" and \"%s\"", c->cmd,
                      *file, arg);
    else
        *file = arg;
}

void af_cli_need_file(af_cli *c, const char *file)
{
    if (!file && af_diag_errors(c->d) == 0)
        af_diag_error(c->d, "`aifsim %s` needs a scenario file; see `aifsim %s --help`", c->cmd,
                      c->cmd);
}

void af_cli_missing_value(af_cli *c, const char *opt)
{
    af_diag_error(c->d, "option %s needs a value; see `aifsim %s --help`", opt, c->cmd);
}

int af_cli_check_stdout(af_cli *c)
{
    if (af_cli_stdout_failed)
        return AF_EIO;
    int err = cli_flush_stdout(!c->checked);
    c->checked = true;
    if (!err)
        return AF_OK;
    af_diag_error(c->d, "writing standard output: %s", strerror(err));
    af_cli_stdout_failed = true;
    return AF_EIO;
}

int af_cli_check_not_input(af_cli *c, const char *option, const char *out, const char *what,
                           const char *in)
{
    struct stat so, si;
    if (strcmp(out, "-") == 0 || stat(out, &so) != 0 || stat(in, &si) != 0)
        return AF_OK;
    if (so.st_dev != si.st_dev || so.st_ino != si.st_ino)
        return AF_OK;
    af_diag_error_at(c->d, NULL, 0, 0, option,
                     "\"%s\" is the %s \"%s\" itself; writing it would destroy it, choose "
                     "another output",
                     out, what, in);
    return AF_EINPUT;
}

af_catalog *af_cli_load_catalog(const char *models, af_diag *d)
{
    char *dir = af_cli_models_dir(models);
    af_catalog *cat = af_catalog_load(dir, d);
    af_free(dir);
    return cat;
}

int af_cli_finish(af_cli *c, int rc)
{
    if (af_cli_check_stdout(c) != AF_OK && rc == 0)
        rc = 1;
    af_diag_print(c->d, stderr);
    af_diag_free(c->d);
    c->d = NULL;
    return rc;
}
