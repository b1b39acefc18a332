/*
 * fault: fault injection for the tests, in the spirit of SQLite's malloc and I/O fault tests.
 *
 * The checked allocator (base/alloc.h) and the output files (base/outfile.h) ask this module,
 * once per operation, whether the operation is to fail. It counts the operations of the process
 * and fails the N-th one named by the environment:
 *
 *     AIFSIM_FAULT_ALLOC=N   the N-th allocation fails, as if the system were out of memory
 *     AIFSIM_FAULT_WRITE=N   the N-th output operation fails with ENOSPC, as a full disk would;
 *                            the operations are: creating an output file, each write call,
 *                            and at commit its flush, fsync, close and rename, plus each check
 *                            of standard output by the command line
 *     AIFSIM_FAULT_COUNT=1   the command prints "aifsim: faults: A allocations, W writes" on
 *                            standard error at the end, so a test knows how many there are
 *
 * AIFSIM_TEST_FAIL_WRITE=N is the older name of AIFSIM_FAULT_WRITE. The hooks are always
 * compiled in: a test can then drive the very program users run, and the cost is one relaxed
 * atomic increment per allocation (the engine does not allocate per event). Counting starts at
 * af_fault_setup, which reads the environment; until it is called nothing fails.
 *
 * The counters are process-wide (atomic, so a sweep's threads may allocate at once): a fault is
 * a property of the process under test, not of one simulation.
 */
#ifndef AF_BASE_FAULT_H
#define AF_BASE_FAULT_H

#include <stdbool.h>

/* Reads AIFSIM_FAULT_ALLOC, AIFSIM_FAULT_WRITE (or AIFSIM_TEST_FAIL_WRITE) and
 * AIFSIM_FAULT_COUNT and resets both counters to zero. A value that is not a positive integer
 * means no fault. Call it once at start-up (the command line does), or in a test after setenv. */
void af_fault_setup(void);

/* Counts one allocation; true when it is the one to fail. Never allocates. */
bool af_fault_alloc(void);

/* Counts one output operation; true when it is the one to fail. Never allocates. */
bool af_fault_write(void);

/* Allocations and output operations counted since af_fault_setup. */
long af_fault_allocs(void);
long af_fault_writes(void);

/* True when AIFSIM_FAULT_COUNT asked for the counts to be printed at the end. */
bool af_fault_report_wanted(void);

#endif
