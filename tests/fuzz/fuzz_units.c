/*
 * fuzz_units: libFuzzer harness for the units parser and formatter (base/units.h).
 *
 * Each input is read as text in every dimension, and in one of them (chosen by the input's
 * length) with error buffers of three sizes, each allocated to its exact size so that
 * AddressSanitizer sees a write past it. A value that
 * parses is formatted and must parse back within 0.05% (units.h: "every output parses back").
 * When the input holds at least 8 bytes, they are also read as a double and formatted in every
 * dimension into buffers of several sizes, and checked the same way.
 */
#include "fuzz.h"

#include "base/units.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Whether units.h promises that the formatted value parses back: finite, far from overflow and
 * underflow after the display unit's scaling, and for counts a whole number in [0, 2^53]. */
static bool af_fuzz_checkable(double v, af_dim dim)
{
    double x = fabs(v);
    if (!isfinite(v) || (x != 0 && (x < 1e-290 || x > 1e290)))
        return false;
    if (dim == AF_DIM_COUNT)
        return v >= 0 && v == floor(v) && v <= 9007199254740992.0;
    return true;
}

/* Formats v in dim into buffers of several sizes and checks that the full text parses back. */
static void af_fuzz_format(double v, af_dim dim)
{
    static const size_t sizes[] = {0, 1, 2, 3, 5, 8, 13, 21};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        char *buf = n ? malloc(n) : NULL;
        char *got = af_units_format(v, dim, buf, n);
        if (got != buf || (n && strlen(buf) >= n))
            abort();
        free(buf);
    }
    char text[128], err[512];
    af_units_format(v, dim, text, sizeof text);
    if (!af_fuzz_checkable(v, dim))
        return;
    double back = NAN;
    if (af_units_parse(text, dim, &back, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz: %.17g formatted in dimension %d as \"%s\" does not parse: %s\n", v,
                (int)dim, text, err);
        abort();
    }
    if (!(fabs(back - v) <= 5e-4 * fabs(v) * (1 + 1e-9))) {
        fprintf(stderr, "fuzz: %.17g formatted in dimension %d as \"%s\" parses as %.17g\n", v,
                (int)dim, text, back);
        abort();
    }
}

/* Parses text in dim with an error buffer of 512 bytes and, when small is not 0, again with none
 * and with `small` bytes; the results must agree. */
static void af_fuzz_parse(const char *text, af_dim dim, size_t small)
{
    const size_t sizes[] = {512, 0, small};
    int first_rc = 0;
    double first = 0;
    for (size_t i = 0; i < (small ? 3 : 1); i++) {
        size_t n = sizes[i];
        char *err = n ? malloc(n) : NULL;
        double v = NAN;
        int rc = af_units_parse(text, dim, &v, err, n);
        if (rc != 0 && rc != -1)
            abort();
        if (n && rc != 0 && strlen(err) >= n)
            abort();
        if (i == 0) {
            first_rc = rc;
            first = v;
        } else if (rc != first_rc || (rc == 0 && memcmp(&v, &first, sizeof v) != 0)) {
            abort();
        }
        if (rc == 0 && (!isfinite(v) || (v != 0 && fabs(v) < DBL_MIN))) {
            fprintf(stderr, "fuzz: \"%s\" parsed in dimension %d as %g\n", text, (int)dim, v);
            abort();
        }
        free(err);
    }
    if (first_rc == 0) {
        if (dim == AF_DIM_COUNT && !(first >= 0 && first == floor(first) &&
                                     first <= 9007199254740992.0)) {
            fprintf(stderr, "fuzz: \"%s\" parsed as the count %.17g\n", text, first);
            abort();
        }
        af_fuzz_format(first, dim);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    for (int dim = 0; dim < AF_DIM__COUNT; dim++) {
        /* The small buffers cost as much as the hints, so one dimension per input gets them. */
        bool small = (size_t)dim == size % AF_DIM__COUNT;
        af_fuzz_parse(text, (af_dim)dim, small ? 1 + size % 48 : 0);
        if (!af_units_si((af_dim)dim) || !af_units_expected((af_dim)dim))
            abort();
    }
    if (size >= sizeof(double)) {
        double v;
        memcpy(&v, data, sizeof v);
        for (int dim = 0; dim < AF_DIM__COUNT; dim++)
            af_fuzz_format(v, (af_dim)dim);
    }
    free(text);
    return 0;
}
