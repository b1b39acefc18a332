/*
 * plan/sweep_mpi: the sweep executor across the ranks of an MPI job, for `mpirun -n K aifsim
 * sweep`. The contract is af_sweep_exec's (plan/sweep.h): jobs 0..n-1 run through ops->run and
 * every finished one reaches ops->take on rank 0, in ascending job order, so the consumer (the
 * database writer) is the same code and receives the same runs in the same order whatever K is.
 *
 *   rank 0        hands out jobs one at a time to ranks 1..K-1 as they come free (dynamic: a slow
 *                 point holds one rank, not a share of the grid), at most a window of jobs ahead
 *                 of the next one to take (4 per worker, at least 16), so the results it holds
 *                 stay bounded; it runs no job itself, takes the results in order, ticks, and is
 *                 the only rank that writes or prints.
 *   ranks 1..K-1  run one job at a time (on a thread, while the rank's main thread watches for a
 *                 stop from rank 0), turn the result into bytes with ops->pack and send them.
 *   K == 1        (a plain `aifsim sweep`, or mpirun -n 1): af_sweep_exec on nthreads threads.
 *
 * Messages (MPI_COMM_WORLD): rank 0 -> worker, tag JOB: one uint64, the job, or UINT64_MAX for
 * "no more jobs, return"; tag STOP, empty: cut the running job (a stop that finds the worker idle
 * is ignored). Worker -> rank 0, tag RESULT: the job (uint64) and its status (int64), then, unless
 * the status is AF_SWEEP_CUT, ops->pack's bytes. Every number on the wire is little-endian, so
 * ranks of different byte orders agree. Both sides wait by polling (MPI_Iprobe, then a 1 ms
 * sleep) rather than in a blocking receive, which in Open MPI spins a core: rank 0 and idle
 * workers then leave the CPUs to the ranks that simulate.
 *
 * Stopping works as in af_sweep_exec: when tick returns false (Ctrl-C on rank 0) or take fails,
 * no job is handed out any more and the running ones are told to stop; once every worker has
 * answered, the jobs that finished are taken in ascending order (after a tick) or dropped (after
 * a failed take). MPI errors abort the whole job (MPI's default handler): a sweep cannot go on
 * without a rank.
 *
 * MPI is joined only when the process was started by an MPI launcher (its environment names a
 * rank: OMPI_COMM_WORLD_SIZE from Open MPI's mpirun, PMI_SIZE from MPICH's or Slurm's, PMIX_RANK
 * from PMIx ones); otherwise, or in a build without --with-mpi (AF_HAVE_MPI), the process is
 * rank 0 of 1 and nothing here calls MPI. The thread level asked for is MPI_THREAD_FUNNELED: only
 * a rank's main thread calls MPI.
 *
 * The wire helpers (af_sweep_wire_*) are what a pack/unpack pair writes with: whole numbers,
 * doubles (their bits) and strings (NULL kept apart from ""), read back with bounds checks.
 *
 * Layering: plan/sweep.h and base/ (MPI and POSIX threads).
 */
#ifndef AF_PLAN_SWEEP_MPI_H
#define AF_PLAN_SWEEP_MPI_H

#include "base/diag.h"
#include "plan/sweep.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* This process' place in the MPI job. */
typedef struct af_sweep_mpi {
    int rank;     /* 0..size-1; 0 without MPI */
    int size;     /* ranks in all (K); 1 without MPI */
    bool started; /* af_sweep_mpi_start called MPI_Init_thread (MPI_Finalize is due) */
} af_sweep_mpi;

/* Whether this build has MPI (configure --with-mpi). */
bool af_sweep_mpi_built(void);

/* Joins the MPI job when the process was started by a launcher (see above) and the build has
 * MPI, and sets m's rank and size; otherwise m is rank 0 of 1. Returns AF_OK, or AF_EIO with a
 * message in d when MPI cannot start (m is then rank 0 of 1 and not started). */
int af_sweep_mpi_start(af_sweep_mpi *m, af_diag *d);

/* Leaves MPI (MPI_Finalize) when af_sweep_mpi_start joined it; m becomes rank 0 of 1. Safe on a
 * zeroed m and twice. Every rank must call it, after its last MPI call. */
void af_sweep_mpi_stop(af_sweep_mpi *m);

/* Collective: every rank calls it once at the same point. Agrees whether every rank is ready
 * (its status is AF_OK) and, when all are, gives the other ranks a copy of rank 0's bytes.
 * Returns the worst status over the ranks (the largest, so AF_EINPUT before AF_EIO before
 * AF_OK); *root_status (may be NULL) is rank 0's. When every status is AF_OK, on ranks other
 * than 0, *bytes is a new buffer (af_free; NULL when size_B is 0) of *size_B bytes; rank 0's
 * *bytes and *size_B are read, never changed. With one rank it returns status. */
int af_sweep_mpi_share(const af_sweep_mpi *m, int status, void **bytes, size_t *size_B,
                       int *root_status);

/* Runs jobs 0..njobs-1 across the ranks as described above: af_sweep_exec's contract and return
 * values on rank 0 (njobs, ops->take, ops->tick, *taken), with ops->pack and ops->unpack
 * required when m->size > 1; nthreads is used only when m->size is 1 (every worker rank runs one
 * job at a time). On the other ranks it runs what rank 0 hands out through ops->run, ops->pack
 * and ops->drop (njobs must be rank 0's: a job outside it aborts the MPI job) and returns AF_OK
 * once rank 0 says there is no more, with *taken 0. Every rank must call it. A result whose
 * bytes rank 0 cannot unpack stops the sweep like a failed take (AF_EIO, a message in d). */
int af_sweep_mpi_exec(const af_sweep_mpi *m, size_t njobs, unsigned nthreads,
                      const af_sweep_ops *ops, size_t *taken, af_diag *d);

/* ---- The wire -------------------------------------------------------------------------------- */

/* A byte buffer being written (put) or read (get). */
typedef struct af_sweep_wire {
    unsigned char *buf;      /* written bytes (owned while writing); NULL when reading */
    const unsigned char *in; /* the bytes being read (borrowed); NULL when writing */
    size_t n;                /* bytes written, or bytes to read */
    size_t cap;              /* capacity of buf */
    size_t at;               /* bytes read so far */
    bool bad;                /* a get went past the end or met a malformed string */
} af_sweep_wire;

/* An empty writer; af_sweep_wire_take hands over its bytes. */
void af_sweep_wire_init(af_sweep_wire *w);
/* A reader of the n bytes at in (borrowed: they must outlive the reads). */
void af_sweep_wire_init_read(af_sweep_wire *w, const unsigned char *in, size_t n);
/* The written bytes, a new buffer (af_free) of *size_B bytes; w is empty after. */
unsigned char *af_sweep_wire_take(af_sweep_wire *w, size_t *size_B);

void af_sweep_wire_put_u64(af_sweep_wire *w, uint64_t v);
/* A double as its 64 bits (NaNs and -0 kept). */
void af_sweep_wire_put_f64(af_sweep_wire *w, double v);
/* A string (its length, then its bytes), or NULL, which reads back as NULL. */
void af_sweep_wire_put_str(af_sweep_wire *w, const char *s);

/* The next value; past the end: 0 (or NULL), and w->bad is set. */
uint64_t af_sweep_wire_get_u64(af_sweep_wire *w);
double af_sweep_wire_get_f64(af_sweep_wire *w);
/* A new string (af_free), or NULL when NULL was put or the bytes are malformed (then w->bad;
 * a string holding a NUL byte is malformed). */
char *af_sweep_wire_get_str(af_sweep_wire *w);
/* Whether every byte was read and none went wrong: the last check of an unpack. */
bool af_sweep_wire_done(const af_sweep_wire *w);

#endif
