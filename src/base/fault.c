/*
 * fault: counters and the environment hooks; see fault.h. Nothing here allocates, since the
 * allocator itself asks af_fault_alloc.
 */
#include "base/fault.h"

#include <stdatomic.h>
#include <stdlib.h>

/* Operations counted since af_fault_setup, and the one to fail (0 for none). */
static atomic_long af_fault_nalloc, af_fault_nwrite;
static atomic_long af_fault_alloc_at, af_fault_write_at;
static atomic_bool af_fault_report;

/* The positive integer in environment variable name, or 0. */
static long fault_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    return *end == '\0' && n > 0 ? n : 0;
}

void af_fault_setup(void)
{
    long w = fault_env("AIFSIM_FAULT_WRITE");
    atomic_store(&af_fault_alloc_at, fault_env("AIFSIM_FAULT_ALLOC"));
    atomic_store(&af_fault_write_at, w ? w : fault_env("AIFSIM_TEST_FAIL_WRITE"));
    atomic_store(&af_fault_report, fault_env("AIFSIM_FAULT_COUNT") > 0);
    atomic_store(&af_fault_nalloc, 0);
    atomic_store(&af_fault_nwrite, 0);
}

bool af_fault_alloc(void)
{
    long n = atomic_fetch_add_explicit(&af_fault_nalloc, 1, memory_order_relaxed) + 1;
    return n == atomic_load_explicit(&af_fault_alloc_at, memory_order_relaxed);
}

bool af_fault_write(void)
{
    long n = atomic_fetch_add_explicit(&af_fault_nwrite, 1, memory_order_relaxed) + 1;
    return n == atomic_load_explicit(&af_fault_write_at, memory_order_relaxed);
}

long af_fault_allocs(void)
{
    return atomic_load(&af_fault_nalloc);
}

long af_fault_writes(void)
{
    return atomic_load(&af_fault_nwrite);
}

bool af_fault_report_wanted(void)
{
    return atomic_load(&af_fault_report);
}
