/*
 * alloc: checked allocation; see alloc.h. Out-of-memory is not recoverable in a simulator that
 * sizes its pools up front, so it aborts with a message rather than returning NULL.
 */
#include "base/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void af_alloc_die(size_t n, size_t size)
{
    fprintf(stderr, "aifsim: out of memory allocating %zu x %zu bytes\n", n, size);
    abort();
}

void *af_malloc_array(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        af_alloc_die(n, size);
    size_t bytes = n * size;
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        af_alloc_die(n, size);
    return p;
}

void *af_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        af_alloc_die(n, size);
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        af_alloc_die(n, size);
    return p;
}

void *af_realloc_array(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        af_alloc_die(n, size);
    size_t bytes = n * size;
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q)
        af_alloc_die(n, size);
    return q;
}

char *af_strdup(const char *s)
{
    return af_strndup(s, strlen(s));
}

char *af_strndup(const char *s, size_t n)
{
    char *p = af_malloc_array(n + 1, 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *af_strfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        af_alloc_die(0, 0);
    char *p = af_malloc_array((size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void af_free(void *p)
{
    free(p);
}

void *af_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            af_alloc_die(need, size);
        ncap *= 2;
    }
    p = af_realloc_array(p, ncap, size);
    *cap = ncap;
    return p;
}
