/*
 * fuzz_catalog: libFuzzer harness for the catalog parser, af_catalog_parse from memory.
 *
 * The input holds the nine catalog files in section order (gpus, links, nodes, storage,
 * facility, switches, llms, mlperf, servers) separated by lines that read exactly "%%" (a line no
 * catalog file can hold: YAML takes a leading "%" for a directive); missing files are empty. A catalog that loads
 * must keep every figure in range (af_fuzz_check_catalog), answer its look-ups, and check the
 * fixed scenario without crashing (with or without errors, since its names may be gone).
 * Everything is freed per input.
 */
#include "fuzz.h"

#include "base/arena.h"
#include "base/diag.h"
#include "scenario/scenario.h"
#include "scenario/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Finds the next separator line in [p, e): returns where it starts (e when none) and stores in
 * *next where the following file starts. */
static const char *af_fuzz_split(const char *p, const char *e, const char **next)
{
    for (const char *q = p; q < e; q++) {
        if ((q == p || q[-1] == '\n') && e - q >= 2 && q[0] == '%' && q[1] == '%' &&
            (e - q == 2 || q[2] == '\n')) {
            *next = e - q == 2 ? e : q + 3;
            return q;
        }
    }
    *next = e;
    return e;
}

static void af_fuzz_lookups(const af_catalog *cat)
{
    for (int sec = 0; sec < AF_SECTION__COUNT; sec++) {
        const af_spec_desc *desc = af_schema_desc((af_section)sec);
        size_t n;
        const char *const *names = af_catalog_names(cat, (af_section)sec, &n);
        for (size_t i = 0; i < n; i++)
            for (size_t f = 0; f < desc->nfields; f++) {
                const char *src = af_catalog_source(cat, (af_section)sec, names[i],
                                                    desc->fields[f].key);
                bool figure = desc->fields[f].kind == AF_FIELD_REAL ||
                              desc->fields[f].kind == AF_FIELD_INT;
                if (figure != (src != NULL))
                    abort();
            }
        if (af_catalog_find(cat, (af_section)sec, "") ||
            af_catalog_source(cat, (af_section)sec, "no-such-entry", "name"))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[AF_SECTION__COUNT] = {
        "gpus.yaml",     "links.yaml",    "nodes.yaml", "storage.yaml",
        "facility.yaml", "switches.yaml", "llms.yaml",     "mlperf.yaml", "servers.yaml"};
    af_catalog_text texts[AF_SECTION__COUNT];
    const char *p = (const char *)data, *e = p + size;
    for (int sec = 0; sec < AF_SECTION__COUNT; sec++) {
        const char *next;
        const char *end = sec + 1 < AF_SECTION__COUNT ? af_fuzz_split(p, e, &next) : e;
        if (sec + 1 == AF_SECTION__COUNT)
            next = e;
        texts[sec] = (af_catalog_text){names[sec], p, (size_t)(end - p)};
        p = next;
    }
    af_diag *d = af_diag_new();
    af_catalog *cat = af_catalog_parse(texts, d);
    if (cat) {
        if (af_diag_errors(d) != 0)
            abort();
        af_fuzz_check_catalog(cat);
        af_fuzz_lookups(cat);
        af_arena *arena = af_arena_new();
        af_world_config cfg;
        if (af_scenario_parse("fuzz.yaml", af_fuzz_scenario, strlen(af_fuzz_scenario), cat, NULL,
                              0, arena, &cfg, d) == AF_OK)
            af_fuzz_check_config(&cfg);
        af_arena_free(arena);
    } else if (af_diag_errors(d) == 0) {
        fprintf(stderr, "fuzz: af_catalog_parse failed without an error\n");
        abort();
    }
    af_fuzz_drain(d);
    af_catalog_free(cat);
    af_diag_free(d);
    return 0;
}
