/*
 * fuzz_scenario: libFuzzer harness for the scenario loader: YAML text through af_scenario_parse
 * (doc, schema and scenario checks) against the real catalog, loaded once.
 *
 * A failed parse must have reported an error; a successful one must have reported none and
 * produced a configuration that keeps every documented promise (af_fuzz_check_config), from
 * which the world builds (af_world_check: fabrics planned, resources and paths made, copies and
 * queues set up) or refuses with a message. Every message is formatted once. Everything is
 * freed per input.
 */
#include "fuzz.h"

#include "base/arena.h"
#include "base/diag.h"
#include "scenario/scenario.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    af_fuzz_catalog();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config cfg;
    int rc = af_scenario_parse("fuzz.yaml", (const char *)data, size, af_fuzz_catalog(), NULL, 0,
                               arena, &cfg, d);
    if (rc == AF_OK) {
        if (af_diag_errors(d) != 0)
            abort();
        af_fuzz_check_config(&cfg);
        int wrc = af_world_check(&cfg, d);
        if ((wrc == AF_OK) != (af_diag_errors(d) == 0)) {
            fprintf(stderr, "fuzz: af_world_check returned %d with %zu errors\n", wrc,
                    af_diag_errors(d));
            abort();
        }
    } else if (rc != AF_EINPUT || af_diag_errors(d) == 0) {
        fprintf(stderr, "fuzz: af_scenario_parse returned %d with %zu errors\n", rc,
                af_diag_errors(d));
        abort();
    }
    af_fuzz_drain(d);
    af_arena_free(arena);
    af_diag_free(d);
    return 0;
}
