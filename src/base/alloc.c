/*
 * alloc: checked allocation; see alloc.h. Out-of-memory is not recoverable in a simulator that
 * sizes its pools up front, so it ends the process with a message rather than returning NULL.
 * It exits with _exit(1), not abort() (no core file, the documented status 1) and not exit(1):
 * the heap is exhausted and the callers' state half-built, so no atexit handler or stdio flush
 * may run; the hook has already removed what must not be left behind.
 */
#include "base/alloc.h"

#include "base/fault.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Called on out-of-memory before the exit; NULL for none. Process-wide, set at start-up. */
static void (*af_alloc_oom_hook)(void);

void af_alloc_set_oom_hook(void (*hook)(void))
{
    af_alloc_oom_hook = hook;
}

static _Noreturn void alloc_die(size_t n, size_t size)
{
    /* Formatted on the stack and written with write(2): stdio may want memory. */
    char msg[128];
    int len = snprintf(msg, sizeof msg,
                       "aifsim: error: out of memory (allocating %zu x %zu bytes)\n", n, size);
    if (af_alloc_oom_hook)
        af_alloc_oom_hook();
    if (len > 0) {
        ssize_t w = write(STDERR_FILENO, msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg);
        (void)w; /* nothing more to do if standard error fails too */
    }
    _exit(1);
}

void *af_malloc_array(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        alloc_die(n, size);
    size_t bytes = n * size;
    void *p = af_fault_alloc() ? NULL : malloc(bytes ? bytes : 1);
    if (!p)
        alloc_die(n, size);
    return p;
}

void *af_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        alloc_die(n, size);
    void *p = af_fault_alloc() ? NULL : calloc(n ? n : 1, size ? size : 1);
    if (!p)
        alloc_die(n, size);
    return p;
}

void *af_realloc_array(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        alloc_die(n, size);
    size_t bytes = n * size;
    void *q = af_fault_alloc() ? NULL : realloc(p, bytes ? bytes : 1);
    if (!q)
        alloc_die(n, size);
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
        alloc_die(0, 0);
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

void *af_grow_slow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            alloc_die(need, size);
        ncap *= 2;
    }
    p = af_realloc_array(p, ncap, size);
    *cap = ncap;
    return p;
}
