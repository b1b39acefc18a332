/*
 * fuzz_set: libFuzzer harness for the command-line value parsers: af_scenario_parse_set on
 * "PATH=VALUE" arguments, then the accepted ones applied to the fixed scenario through
 * af_scenario_parse against the real catalog.
 *
 * The input is a list of up to 16 arguments separated by NUL bytes (as argv would hold them), or
 * by newlines when it holds no NUL (so that hand-written seeds read as text). A refused argument
 * must have reported an error and an accepted one must point into its argument; the parse then
 * keeps the same promises as in fuzz_scenario. Everything is freed per input.
 */
#include "fuzz.h"

#include "base/arena.h"
#include "base/diag.h"
#include "scenario/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AF_FUZZ_MAX_SETS 16

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    af_fuzz_catalog();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (size)
        memcpy(buf, data, size);
    buf[size] = '\0';
    char sep = memchr(data, '\0', size) ? '\0' : '\n';
    af_scenario_set *sets = calloc(AF_FUZZ_MAX_SETS, sizeof *sets);
    size_t nsets = 0;
    af_diag *d = af_diag_new();
    size_t errors = 0;
    char *p = buf, *e = buf + size;
    for (int i = 0; i < AF_FUZZ_MAX_SETS && p < e; i++) {
        char *end = memchr(p, sep, (size_t)(e - p));
        if (!end)
            end = e;
        *end = '\0';
        if (af_scenario_parse_set(p, &sets[nsets], d) == AF_OK) {
            const af_scenario_set *s = &sets[nsets];
            if (s->arg != p || s->value <= p || s->value > end || s->value[-1] != '=' ||
                strlen(s->path) != (size_t)(s->value - 1 - p))
                abort();
            nsets++;
        } else if (af_diag_errors(d) <= errors) {
            abort();
        }
        errors = af_diag_errors(d);
        p = end + 1;
    }
    af_arena *arena = af_arena_new();
    af_world_config cfg;
    int rc = af_scenario_parse("fuzz.yaml", af_fuzz_scenario, strlen(af_fuzz_scenario),
                               af_fuzz_catalog(), sets, nsets, arena, &cfg, d);
    if (rc == AF_OK) {
        if (af_diag_errors(d) != errors)
            abort();
        af_fuzz_check_config(&cfg);
    } else if (rc != AF_EINPUT || af_diag_errors(d) == errors) {
        fprintf(stderr, "fuzz: af_scenario_parse returned %d without a new error\n", rc);
        abort();
    }
    af_fuzz_drain(d);
    af_arena_free(arena);
    af_diag_free(d);
    free(sets);
    free(buf);
    return 0;
}
