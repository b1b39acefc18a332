/*
 * fuzz: what the libFuzzer harnesses in tests/fuzz/ share.
 *
 * Each harness is one program built with clang -fsanitize=fuzzer (configure --enable-fuzz) over
 * libaifsim.a compiled with AddressSanitizer, UBSan and coverage instrumentation. A harness frees
 * everything it allocates per input (LeakSanitizer is on), and turns a broken promise of a
 * header (a validated configuration out of range, a formatted quantity that does not parse
 * back) into an abort, so that libFuzzer reports it like a crash.
 *
 * The catalog the scenario harnesses check against is the real one: the directory in
 * $AIFSIM_MODELS when set, else AF_FUZZ_MODELS, compiled in by the Makefile as the source
 * tree's models/.
 */
#ifndef AF_TESTS_FUZZ_H
#define AF_TESTS_FUZZ_H

#include "scenario/catalog.h"
#include "workload/world.h"

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points (declared here for -Wmissing-prototypes). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A valid scenario against the shipped catalog that uses every kind of field: two pools (one
 * with overrides, a swapped NIC and an overridden GPU), two tiers, a facility mapping, and a job
 * of each compute form. NUL-terminated. */
extern const char af_fuzz_scenario[];

/* Loads the shipped catalog (see the file comment) or exits with its errors. The catalog is
 * freed at exit. Returns a borrowed pointer, the same on every call. */
const af_catalog *af_fuzz_catalog(void);

/* Aborts with a message unless cfg, as filled by a successful af_scenario_parse, keeps every
 * promise of scenario.h and schema.c: counts, indices and names valid, every figure finite and
 * in its field's range. */
void af_fuzz_check_config(const af_world_config *cfg);

/* Likewise for every entry of a loaded catalog. */
void af_fuzz_check_catalog(const af_catalog *cat);

/* Formats every message of d (exercising the formatter on hostile text) and frees the strings. */
void af_fuzz_drain(const af_diag *d);

#endif
