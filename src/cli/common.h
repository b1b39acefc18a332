/*
 * common: what the `aifsim` program does once at start-up and at exit, and what every
 * subcommand does at its start and its end, so that each command is only its own work:
 *
 *     int af_cmd_x(int argc, char **argv)
 *     {
 *         af_cli c;
 *         af_cli_start(&c, "x");
 *         int rc = 2;
 *         ... parse argv: af_cli_help, af_cli_unknown_option, af_cli_missing_value ...
 *         ... work, errors into c.d; print on stdout; af_cli_check_stdout before writing files ...
 *     done:
 *         ... release the command's own resources ...
 *         return af_cli_finish(&c, rc);
 *     }
 *
 * Standard output is checked like any output file: a summary that could not be written
 * (a full disk, /dev/full, a file-size limit, a closed descriptor) is reported once as
 * "aifsim: error: writing standard output: <strerror>" and the command exits 1.
 */
#ifndef AF_CLI_COMMON_H
#define AF_CLI_COMMON_H

#include "base/diag.h"
#include "scenario/catalog.h"

#include <stdbool.h>

/* One running subcommand. */
typedef struct af_cli {
    const char *cmd; /* the command's name ("run"), for messages; borrowed, static */
    af_diag *d;      /* the command's diagnostics, printed on stderr by af_cli_finish; owned */
    bool checked;    /* standard output has been checked once (af_cli_check_stdout) */
} af_cli;

/* Once, first thing in main: makes sure descriptors 0, 1 and 2 are open (a closed one gets
 * /dev/null opened the wrong way round, so that writing it fails with EBADF instead of landing
 * in the next file opened), ignores SIGXFSZ (a file-size limit then fails the write with EFBIG,
 * which is reported, instead of killing the process half-way), installs the removal of
 * temporary output files on signals and out-of-memory (base/outfile.h) and reads the fault
 * injection environment (base/fault.h). */
void af_cli_setup(void);

/* Last thing in main, with the exit status rc about to be returned: flushes and closes standard
 * output and, when rc is 0, reports a failure not reported yet on stderr (a command that failed
 * has given its reasons); prints the fault counts when AIFSIM_FAULT_COUNT asks. Returns rc, or
 * 1 when rc is 0 and standard output failed. */
int af_cli_exit(int rc);

/* Starts command cmd (a static string): c gets a new diag. */
void af_cli_start(af_cli *c, const char *cmd);

/* Prints usage on standard output (for -h, --help) and returns 0, the command's status. */
int af_cli_help(af_cli *c, const char *usage);

/* Adds the common errors: an unknown option arg, and an option opt given without its value. */
void af_cli_unknown_option(af_cli *c, const char *arg);
void af_cli_missing_value(af_cli *c, const char *opt);

/* The last branches of the option loop of a command that takes one scenario file: arg (not a
 * known option) is an unknown option, a second file (an error) or the file (*file). Nothing when
 * missing (the option before it lacked its value; reported after). af_cli_need_file, after the
 * loop, reports a command given no file when nothing else was wrong. */
void af_cli_one_file(af_cli *c, const char *arg, bool missing, const char **file);
void af_cli_need_file(af_cli *c, const char *file);

/* Flushes standard output and checks it for a write error; the first failure of the process
 * adds "writing standard output: <strerror>" to c->d. Returns AF_OK or AF_EIO (also when the
 * failure was reported before). A command calls it after printing and before writing output
 * files, so that a summary that failed leaves no file either; af_cli_finish calls it again.
 * The first check of a command is one output operation for AIFSIM_FAULT_WRITE (base/fault.h);
 * later ones are not, since a command prints nothing after it checked. */
int af_cli_check_stdout(af_cli *c);

/* Refuses to write the output out (given with option, e.g. "--json") over the input file in
 * (what it is, for the message: "scenario file"): when both exist and are the same file (device
 * and inode, so links and other spellings count), adds an error to c->d and returns AF_EINPUT;
 * else AF_OK. "-" passes. */
int af_cli_check_not_input(af_cli *c, const char *option, const char *out, const char *what,
                           const char *in);

/* Loads the model catalog from --models DIR (NULL when absent; see af_cli_models_dir). Returns
 * it (release with af_catalog_free), or NULL with errors in d. */
af_catalog *af_cli_load_catalog(const char *models, af_diag *d);

/* Ends the command: checks standard output (af_cli_check_stdout), prints the diagnostics on
 * stderr and frees them. Returns the command's exit status: rc, or 1 when rc is 0 and standard
 * output failed. */
int af_cli_finish(af_cli *c, int rc);

#endif
