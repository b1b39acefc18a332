/*
 * plan/sweep_mpi: the sweep executor across MPI ranks (design in sweep_mpi.h). Compiled in every
 * build: without AF_HAVE_MPI (configure --with-mpi) the process is always rank 0 of 1, the
 * executor is af_sweep_exec and nothing includes mpi.h; the wire helpers are the same in both.
 */
#include "plan/sweep_mpi.h"

#include "base/alloc.h"

#include "config.h"

#include <assert.h>
#include <string.h>

#ifdef AF_HAVE_MPI
#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#endif

/* ---- The wire -------------------------------------------------------------------------------- */

void af_sweep_wire_init(af_sweep_wire *w)
{
    memset(w, 0, sizeof *w);
}

void af_sweep_wire_init_read(af_sweep_wire *w, const unsigned char *in, size_t n)
{
    memset(w, 0, sizeof *w);
    w->in = in;
    w->n = n;
}

unsigned char *af_sweep_wire_take(af_sweep_wire *w, size_t *size_B)
{
    assert(!w->in);
    unsigned char *b = w->buf;
    *size_B = w->n;
    af_sweep_wire_init(w);
    return b;
}

static void wire_put(af_sweep_wire *w, const void *p, size_t n)
{
    assert(!w->in);
    w->buf = af_grow(w->buf, &w->cap, w->n + n, 1);
    memcpy(w->buf + w->n, p, n);
    w->n += n;
}

void af_sweep_wire_put_u64(af_sweep_wire *w, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    wire_put(w, b, 8);
}

void af_sweep_wire_put_f64(af_sweep_wire *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    af_sweep_wire_put_u64(w, u);
}

void af_sweep_wire_put_str(af_sweep_wire *w, const char *s)
{
    /* 0 for NULL, else the length plus one, so "" and NULL differ. */
    size_t n = s ? strlen(s) : 0;
    af_sweep_wire_put_u64(w, s ? (uint64_t)n + 1 : 0);
    if (s)
        wire_put(w, s, n);
}

uint64_t af_sweep_wire_get_u64(af_sweep_wire *w)
{
    if (w->bad || w->n - w->at < 8) {
        w->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)w->in[w->at + (size_t)i] << (8 * i);
    w->at += 8;
    return v;
}

double af_sweep_wire_get_f64(af_sweep_wire *w)
{
    uint64_t u = af_sweep_wire_get_u64(w);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

char *af_sweep_wire_get_str(af_sweep_wire *w)
{
    uint64_t len = af_sweep_wire_get_u64(w);
    if (w->bad || len == 0)
        return NULL;
    size_t n = (size_t)(len - 1);
    if (len - 1 > w->n - w->at || memchr(w->in + w->at, '\0', n)) {
        w->bad = true;
        return NULL;
    }
    char *s = af_strndup((const char *)w->in + w->at, n);
    w->at += n;
    return s;
}

bool af_sweep_wire_done(const af_sweep_wire *w)
{
    return !w->bad && w->at == w->n;
}

/* ---- Without MPI ----------------------------------------------------------------------------- */

#ifndef AF_HAVE_MPI

bool af_sweep_mpi_built(void)
{
    return false;
}

int af_sweep_mpi_start(af_sweep_mpi *m, af_diag *d)
{
    (void)d;
    *m = (af_sweep_mpi){.rank = 0, .size = 1, .started = false};
    return AF_OK;
}

void af_sweep_mpi_stop(af_sweep_mpi *m)
{
    *m = (af_sweep_mpi){.rank = 0, .size = 1, .started = false};
}

int af_sweep_mpi_share(const af_sweep_mpi *m, int status, void **bytes, size_t *size_B,
                       int *root_status)
{
    (void)m;
    (void)bytes;
    (void)size_B;
    if (root_status)
        *root_status = status;
    return status;
}

int af_sweep_mpi_exec(const af_sweep_mpi *m, size_t njobs, unsigned nthreads,
                      const af_sweep_ops *ops, size_t *taken, af_diag *d)
{
    (void)m;
    return af_sweep_exec(njobs, nthreads, ops, taken, d);
}

#else /* AF_HAVE_MPI */

/* ---- With MPI -------------------------------------------------------------------------------- */

enum { MPI_TAG_JOB = 1, MPI_TAG_STOP = 2, MPI_TAG_RESULT = 3 };

/* The job number that tells a worker there are no more. */
#define MPI_END UINT64_MAX
/* Bytes of a result message's header: the job and its status. */
#define MPI_HEAD_B 16
/* Seconds a polling wait sleeps between probes. */
#define MPI_POLL_S 1e-3

bool af_sweep_mpi_built(void)
{
    return true;
}

/* Whether a launcher started this process as a rank of a job (see sweep_mpi.h). */
static bool mpi_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return true;
    }
    return false;
}

int af_sweep_mpi_start(af_sweep_mpi *m, af_diag *d)
{
    *m = (af_sweep_mpi){.rank = 0, .size = 1, .started = false};
    if (!mpi_launched())
        return AF_OK;
    int provided = 0, inited = 0;
    MPI_Initialized(&inited);
    if (inited) {
        af_diag_error(d, "sweep: MPI was started twice in one process");
        return AF_EIO;
    }
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        af_diag_error(d, "sweep: MPI_Init_thread failed");
        return AF_EIO;
    }
    m->started = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    return AF_OK;
}

void af_sweep_mpi_stop(af_sweep_mpi *m)
{
    if (m->started)
        MPI_Finalize();
    *m = (af_sweep_mpi){.rank = 0, .size = 1, .started = false};
}

static double mpi_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void mpi_nap(void)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(MPI_POLL_S * 1e9)};
    nanosleep(&ts, NULL);
}

/* Waits for a message from source (MPI_ANY_SOURCE) with tag (MPI_ANY_TAG) by polling, and
 * receives it into a new buffer (af_free; NULL for an empty message) of *size_B bytes. */
static unsigned char *mpi_recv(int source, int tag, MPI_Status *st, size_t *size_B)
{
    int flag = 0;
    for (;;) {
        MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, st);
        if (flag)
            break;
        mpi_nap();
    }
    int count = 0;
    MPI_Get_count(st, MPI_BYTE, &count);
    unsigned char *b = count > 0 ? af_malloc_array((size_t)count, 1) : NULL;
    MPI_Recv(b, count, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    *size_B = (size_t)count;
    return b;
}

static void mpi_send_u64(uint64_t v, int dest, int tag)
{
    af_sweep_wire w;
    af_sweep_wire_init(&w);
    af_sweep_wire_put_u64(&w, v);
    MPI_Send(w.buf, (int)w.n, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
    af_free(w.buf);
}

int af_sweep_mpi_share(const af_sweep_mpi *m, int status, void **bytes, size_t *size_B,
                       int *root_status)
{
    if (m->size == 1) {
        if (root_status)
            *root_status = status;
        return status;
    }
    /* One reduction gives both rank 0's status and the worst of all. */
    int mine[2] = {m->rank == 0 ? status : 0, status}, all[2];
    MPI_Allreduce(mine, all, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (root_status)
        *root_status = all[0];
    if (all[1] != AF_OK)
        return all[1];
    unsigned long long n = m->rank == 0 ? (unsigned long long)*size_B : 0;
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    /* Broadcast in pieces of at most 1 GiB: a count is an int. */
    unsigned char *b = m->rank == 0 ? *bytes : (n ? af_malloc_array((size_t)n, 1) : NULL);
    for (unsigned long long at = 0; at < n;) {
        int piece = n - at > (1ull << 30) ? 1 << 30 : (int)(n - at);
        MPI_Bcast(b + at, piece, MPI_BYTE, 0, MPI_COMM_WORLD);
        at += (unsigned long long)piece;
    }
    if (m->rank != 0) {
        *bytes = b;
        *size_B = (size_t)n;
    }
    return AF_OK;
}

/* ---- Rank 0 ---------------------------------------------------------------------------------- */

enum { JOB_WAITING, JOB_GIVEN, JOB_FINISHED };

typedef struct mpi_job {
    unsigned char state; /* JOB_* */
    int status;          /* once finished: run's status (AF_SWEEP_CUT when cut) */
    void *result;        /* once finished and not cut: the unpacked result */
} mpi_job;

typedef struct mpi_boss {
    const af_sweep_ops *ops;
    size_t njobs;
    mpi_job *jobs;
    size_t *busy;     /* per rank: the job it runs, or SIZE_MAX when idle (rank 0: unused) */
    size_t nbusy;     /* ranks running a job */
    size_t next_give; /* first job not handed out */
    size_t next_take; /* first job not taken */
    size_t window;    /* most jobs handed out beyond next_take */
    bool stopping;    /* no more jobs go out */
} mpi_boss;

/* Hands worker w the next job when the window and the stop allow. */
static void boss_give(mpi_boss *b, int w)
{
    if (b->stopping || b->busy[w] != SIZE_MAX || b->next_give >= b->njobs ||
        b->next_give >= b->next_take + b->window)
        return;
    size_t j = b->next_give++;
    b->jobs[j].state = JOB_GIVEN;
    b->busy[w] = j;
    b->nbusy++;
    mpi_send_u64((uint64_t)j, w, MPI_TAG_JOB);
}

/* No more jobs go out; the running ones are told to stop. */
static void boss_stop(mpi_boss *b, int size)
{
    if (b->stopping)
        return;
    b->stopping = true;
    for (int w = 1; w < size; w++)
        if (b->busy[w] != SIZE_MAX)
            MPI_Send(NULL, 0, MPI_BYTE, w, MPI_TAG_STOP, MPI_COMM_WORLD);
}

/* Receives one result, waiting at most until deadline_s; returns AF_OK (also when none came),
 * or AF_EIO when its bytes do not unpack (a message in d). */
static int boss_receive(mpi_boss *b, double deadline_s, af_diag *d)
{
    MPI_Status st;
    int flag = 0;
    for (;;) {
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_TAG_RESULT, MPI_COMM_WORLD, &flag, &st);
        if (flag || mpi_now_s() >= deadline_s)
            break;
        mpi_nap();
    }
    if (!flag)
        return AF_OK;
    size_t n = 0;
    unsigned char *msg = mpi_recv(st.MPI_SOURCE, MPI_TAG_RESULT, &st, &n);
    int w = st.MPI_SOURCE;
    af_sweep_wire r;
    af_sweep_wire_init_read(&r, msg, n);
    uint64_t j = af_sweep_wire_get_u64(&r);
    int status = (int)(int64_t)af_sweep_wire_get_u64(&r);
    /* A worker answers only for the job it was given: anything else is our bug (or two
     * different binaries), and the sweep cannot be trusted. */
    if (r.bad || w <= 0 || j >= b->njobs || b->busy[w] != j) {
        fprintf(stderr, "aifsim: sweep: rank %d answered for job %llu, not its own; stopping\n", w,
                (unsigned long long)j);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    b->busy[w] = SIZE_MAX;
    b->nbusy--;
    mpi_job *job = &b->jobs[j];
    job->state = JOB_FINISHED;
    job->status = status;
    job->result = NULL;
    int rc = AF_OK;
    if (status != AF_SWEEP_CUT && b->ops->unpack(b->ops->ctx, (size_t)j, msg + MPI_HEAD_B,
                                                 n - MPI_HEAD_B, &job->result) != AF_OK) {
        af_diag_error(d, "sweep: the result of job %zu from rank %d is damaged (%zu bytes)",
                      (size_t)j, w, n);
        job->status = AF_SWEEP_CUT; /* nothing to take */
        rc = AF_EIO;
    }
    af_free(msg);
    return rc;
}

static int mpi_boss_run(const af_sweep_mpi *m, size_t njobs, const af_sweep_ops *ops, size_t *taken,
                        af_diag *d)
{
    assert(ops->pack && ops->unpack);
    int size = m->size;
    mpi_boss b = {.ops = ops, .njobs = njobs};
    b.jobs = af_calloc(njobs ? njobs : 1, sizeof *b.jobs);
    b.busy = af_malloc_array((size_t)size, sizeof *b.busy);
    for (int w = 0; w < size; w++)
        b.busy[w] = SIZE_MAX;
    size_t workers = (size_t)size - 1;
    b.window = 4 * workers < 16 ? 16 : 4 * workers;
    double tick_s = ops->tick_s > 0 ? ops->tick_s : 0.25;
    double next_tick = mpi_now_s() + tick_s;
    size_t ntaken = 0;
    int rc = AF_OK;
    for (;;) {
        /* Take what finished, in order, then hand idle workers what the window allows. */
        while (!b.stopping && b.next_take < njobs && b.jobs[b.next_take].state == JOB_FINISHED) {
            size_t j = b.next_take++;
            mpi_job *job = &b.jobs[j];
            void *res = job->result;
            job->result = NULL;
            if (job->status == AF_SWEEP_CUT) {
                if (res)
                    ops->drop(ops->ctx, j, res);
            } else {
                ntaken++;
                int trc = ops->take(ops->ctx, j, job->status, res);
                if (trc != AF_OK) {
                    rc = trc;
                    boss_stop(&b, size);
                }
            }
        }
        for (int w = 1; w < size; w++)
            boss_give(&b, w);
        if ((!b.stopping && b.next_take == njobs) || (b.stopping && b.nbusy == 0))
            break;
        if (!b.stopping && ops->tick && mpi_now_s() >= next_tick) {
            bool go = ops->tick(ops->ctx, ntaken, njobs);
            next_tick = mpi_now_s() + tick_s;
            if (!go) {
                rc = AF_SWEEP_CUT;
                boss_stop(&b, size);
                continue;
            }
        }
        int urc = boss_receive(&b, b.stopping || !ops->tick ? mpi_now_s() + 3600 : next_tick, d);
        if (urc != AF_OK && rc == AF_OK) {
            rc = urc;
            boss_stop(&b, size);
        }
    }
    for (int w = 1; w < size; w++)
        mpi_send_u64(MPI_END, w, MPI_TAG_JOB);

    /* Every worker has answered: what finished after a stop is taken in order (Ctrl-C: no
     * finished job is lost), or dropped after a failed take. */
    for (size_t j = b.next_take; j < njobs; j++) {
        mpi_job *job = &b.jobs[j];
        if (job->state != JOB_FINISHED || job->status == AF_SWEEP_CUT)
            continue;
        if (rc == AF_SWEEP_CUT) {
            ntaken++;
            int trc = ops->take(ops->ctx, j, job->status, job->result);
            if (trc != AF_OK)
                rc = trc;
        } else {
            ops->drop(ops->ctx, j, job->result);
        }
        job->result = NULL;
    }
    af_free(b.busy);
    af_free(b.jobs);
    if (taken)
        *taken = ntaken;
    return rc;
}

/* ---- Ranks 1..K-1 ---------------------------------------------------------------------------- */

/* One job on a thread, watched by the rank's main thread. */
typedef struct mpi_task {
    const af_sweep_ops *ops;
    size_t j;
    atomic_bool stop; /* set by the main thread on rank 0's STOP */
    atomic_bool done; /* set by the thread when run returned */
    int status;
    void *result;
} mpi_task;

static void *mpi_task_main(void *arg)
{
    mpi_task *t = arg;
    t->status = t->ops->run(t->ops->ctx, t->j, &t->stop, &t->result);
    atomic_store(&t->done, true);
    return NULL;
}

static int mpi_worker_run(size_t njobs, const af_sweep_ops *ops, af_diag *d)
{
    assert(ops->pack);
    for (;;) {
        MPI_Status st;
        size_t n = 0;
        unsigned char *msg = mpi_recv(0, MPI_ANY_TAG, &st, &n);
        if (st.MPI_TAG == MPI_TAG_STOP) { /* it came after this rank's last result: stale */
            af_free(msg);
            continue;
        }
        af_sweep_wire r;
        af_sweep_wire_init_read(&r, msg, n);
        uint64_t j = af_sweep_wire_get_u64(&r);
        af_free(msg);
        if (j == MPI_END)
            return AF_OK;
        if (r.bad || j >= njobs) {
            /* Rank 0 and this rank disagree on the jobs: our bug, or two different binaries. */
            fprintf(stderr, "aifsim: sweep: rank 0 handed out job %llu of %zu; stopping the job\n",
                    (unsigned long long)j, njobs);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        mpi_task t = {.ops = ops, .j = (size_t)j};
        atomic_init(&t.stop, false);
        atomic_init(&t.done, false);
        pthread_t th;
        bool threaded = pthread_create(&th, NULL, mpi_task_main, &t) == 0;
        if (threaded) {
            while (!atomic_load(&t.done)) {
                int flag = 0;
                MPI_Iprobe(0, MPI_TAG_STOP, MPI_COMM_WORLD, &flag, &st);
                if (flag) {
                    MPI_Recv(NULL, 0, MPI_BYTE, 0, MPI_TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                    atomic_store(&t.stop, true);
                }
                mpi_nap();
            }
            pthread_join(th, NULL);
        } else {
            mpi_task_main(&t); /* no thread to spare: run it here; a stop waits for its end */
        }
        af_sweep_wire w;
        af_sweep_wire_init(&w);
        af_sweep_wire_put_u64(&w, (uint64_t)t.j);
        af_sweep_wire_put_u64(&w, (uint64_t)(int64_t)t.status);
        if (t.status == AF_SWEEP_CUT) {
            ops->drop(ops->ctx, t.j, t.result);
        } else {
            size_t nb = 0;
            unsigned char *bytes = ops->pack(ops->ctx, t.j, t.result, &nb);
            wire_put(&w, bytes, nb);
            af_free(bytes);
        }
        if (w.n > (size_t)INT_MAX) {
            af_diag_error(d, "sweep: job %zu's result is %zu bytes, more than MPI sends at once",
                          t.j, w.n);
            fprintf(stderr, "aifsim: sweep: job %zu's result is too large to send (%zu bytes)\n",
                    t.j, w.n);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        MPI_Send(w.buf, (int)w.n, MPI_BYTE, 0, MPI_TAG_RESULT, MPI_COMM_WORLD);
        af_free(w.buf);
    }
}

int af_sweep_mpi_exec(const af_sweep_mpi *m, size_t njobs, unsigned nthreads,
                      const af_sweep_ops *ops, size_t *taken, af_diag *d)
{
    if (m->size <= 1)
        return af_sweep_exec(njobs, nthreads, ops, taken, d);
    if (taken)
        *taken = 0;
    if (m->rank == 0)
        return mpi_boss_run(m, njobs, ops, taken, d);
    return mpi_worker_run(njobs, ops, d);
}

#endif /* AF_HAVE_MPI */
