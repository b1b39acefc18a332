/*
 * alloc: checked allocation.
 *
 * Every allocation in aifsim goes through these wrappers. They test `n * size` for overflow and
 * end the process on out-of-memory, so callers never test for NULL (the Redis habit): the
 * message "aifsim: error: out of memory ..." on standard error and exit status 1, as documented
 * for a failed run, after the out-of-memory hook (af_alloc_set_oom_hook) has removed any output
 * file in progress. The engine's hot path does not call them per event: it draws from pools
 * allocated up front. Allocations count for fault injection (base/fault.h, AIFSIM_FAULT_ALLOC).
 */
#ifndef AF_BASE_ALLOC_H
#define AF_BASE_ALLOC_H

#include <stddef.h>

/* Allocates n * size bytes (uninitialised); exits on overflow or out-of-memory (see above).
 * n * size == 0 returns a valid unique pointer. Release with af_free. */
void *af_malloc_array(size_t n, size_t size);

/* Allocates n * size zeroed bytes; exits on overflow or out-of-memory. */
void *af_calloc(size_t n, size_t size);

/* Resizes p (may be NULL) to n * size bytes and returns the new pointer (the old one is no longer
 * valid); exits on overflow or out-of-memory. */
void *af_realloc_array(void *p, size_t n, size_t size);

/* Returns a new copy of the NUL-terminated string s (s must not be NULL). */
char *af_strdup(const char *s);

/* Returns a new NUL-terminated copy of the first n bytes of s. */
char *af_strndup(const char *s, size_t n);

/* Returns a new string formatted like printf. */
char *af_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Releases memory from the functions above; NULL is allowed. */
void af_free(void *p);

/* The growing part of af_grow (call af_grow). */
void *af_grow_slow(void *p, size_t *cap, size_t need, size_t size);

/* Grows a dynamic array so that it holds at least `need` elements of `size` bytes. `*cap` is the
 * current capacity in elements and is updated; returns the (possibly moved) array. Inline, so
 * that the common case, room enough, costs a compare where hot paths append. */
static inline void *af_grow(void *p, size_t *cap, size_t need, size_t size)
{
    return need <= *cap ? p : af_grow_slow(p, cap, need, size);
}

/* Sets the function called once on out-of-memory, just before the process exits (NULL for
 * none). It runs with the heap exhausted, so it must not allocate; base/outfile.c's removes the
 * temporary files in progress. Process-wide, like the exit it precedes; set it at start-up. */
void af_alloc_set_oom_hook(void (*hook)(void));

#endif
