/*
 * test_sweep_mpi: what plan/sweep_mpi.h does in one process. The wire: numbers, doubles (NaN,
 * -0, infinities bit for bit) and strings (NULL apart from "") read back as written, in
 * little-endian order whatever the host's; every truncation of a message and a string holding a
 * NUL byte are refused (bad set, nothing read past the end), and done() holds only when every byte
 * was read. The process: without an MPI launcher's variables it is rank 0 of 1 and calls no MPI
 * (in either build); share then returns the caller's status and leaves the bytes alone; exec runs
 * the threaded executor, every job taken once in order. The ranks themselves are tested by
 * tests/cli/mpi.sh under mpirun.
 */
#include "plan/sweep_mpi.h"

#include "base/alloc.h"
#include "base/diag.h"

#include "cutest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A message with one of everything. */
static unsigned char *sample(size_t *n)
{
    af_sweep_wire w;
    af_sweep_wire_init(&w);
    af_sweep_wire_put_u64(&w, 0x0102030405060708ull);
    af_sweep_wire_put_u64(&w, UINT64_MAX);
    af_sweep_wire_put_f64(&w, -0.0);
    af_sweep_wire_put_f64(&w, NAN);
    af_sweep_wire_put_f64(&w, -INFINITY);
    af_sweep_wire_put_f64(&w, 0.1);
    af_sweep_wire_put_str(&w, "storage.flash.nodes=4");
    af_sweep_wire_put_str(&w, "");
    af_sweep_wire_put_str(&w, NULL);
    return af_sweep_wire_take(&w, n);
}

static void test_round_trip(void)
{
    size_t n = 0;
    unsigned char *b = sample(&n);
    CU_ASSERT_EQUAL(n, 6 * 8 + (8 + 21) + 8 + 8);
    /* Little-endian whatever the host: the low byte first. */
    CU_ASSERT_EQUAL(b[0], 0x08);
    CU_ASSERT_EQUAL(b[7], 0x01);
    af_sweep_wire r;
    af_sweep_wire_init_read(&r, b, n);
    CU_ASSERT_EQUAL(af_sweep_wire_get_u64(&r), 0x0102030405060708ull);
    CU_ASSERT_EQUAL(af_sweep_wire_get_u64(&r), UINT64_MAX);
    double z = af_sweep_wire_get_f64(&r);
    CU_ASSERT(z == 0 && signbit(z));
    CU_ASSERT(isnan(af_sweep_wire_get_f64(&r)));
    double inf = af_sweep_wire_get_f64(&r);
    CU_ASSERT(isinf(inf) && inf < 0);
    CU_ASSERT(af_sweep_wire_get_f64(&r) == 0.1);
    char *s = af_sweep_wire_get_str(&r);
    CU_ASSERT_STRING_EQUAL(s, "storage.flash.nodes=4");
    af_free(s);
    s = af_sweep_wire_get_str(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, "");
    af_free(s);
    CU_ASSERT_PTR_NULL(af_sweep_wire_get_str(&r));
    CU_ASSERT(!r.bad);
    CU_ASSERT(af_sweep_wire_done(&r));
    /* One more read is past the end. */
    CU_ASSERT_EQUAL(af_sweep_wire_get_u64(&r), 0);
    CU_ASSERT(r.bad);
    CU_ASSERT(!af_sweep_wire_done(&r));
    af_free(b);
}

/* Every prefix of the sample is refused: reading it in full sets bad or leaves done() false. */
static void test_truncated(void)
{
    size_t n = 0;
    unsigned char *b = sample(&n);
    for (size_t k = 0; k < n; k++) {
        /* A copy of exactly k bytes, so a read past them is one past the allocation. */
        unsigned char *c = af_malloc_array(k ? k : 1, 1);
        memcpy(c, b, k);
        af_sweep_wire r;
        af_sweep_wire_init_read(&r, c, k);
        af_sweep_wire_get_u64(&r);
        af_sweep_wire_get_u64(&r);
        for (int i = 0; i < 4; i++)
            af_sweep_wire_get_f64(&r);
        for (int i = 0; i < 3; i++)
            af_free(af_sweep_wire_get_str(&r));
        CU_ASSERT(r.bad);
        CU_ASSERT(r.at <= k);
        CU_ASSERT(!af_sweep_wire_done(&r));
        af_free(c);
    }
    af_free(b);
}

static void test_malformed_strings(void)
{
    /* A string claiming more bytes than there are. */
    af_sweep_wire w;
    af_sweep_wire_init(&w);
    af_sweep_wire_put_u64(&w, 100);
    af_sweep_wire_put_u64(&w, 0);
    size_t n = 0;
    unsigned char *b = af_sweep_wire_take(&w, &n);
    af_sweep_wire r;
    af_sweep_wire_init_read(&r, b, n);
    CU_ASSERT_PTR_NULL(af_sweep_wire_get_str(&r));
    CU_ASSERT(r.bad);
    af_free(b);
    /* A length of 2^64 - 1 (no overflow in the bounds check). */
    af_sweep_wire_init(&w);
    af_sweep_wire_put_u64(&w, UINT64_MAX);
    b = af_sweep_wire_take(&w, &n);
    af_sweep_wire_init_read(&r, b, n);
    CU_ASSERT_PTR_NULL(af_sweep_wire_get_str(&r));
    CU_ASSERT(r.bad);
    af_free(b);
    /* A NUL inside: refused, as the text would be cut short. */
    unsigned char nul[8 + 3] = {4, 0, 0, 0, 0, 0, 0, 0, 'a', 0, 'b'};
    af_sweep_wire_init_read(&r, nul, sizeof nul);
    CU_ASSERT_PTR_NULL(af_sweep_wire_get_str(&r));
    CU_ASSERT(r.bad);
    /* Bytes left over: not done. */
    unsigned char extra[9] = {1, 0, 0, 0, 0, 0, 0, 0, 7};
    af_sweep_wire_init_read(&r, extra, sizeof extra);
    char *e = af_sweep_wire_get_str(&r);
    CU_ASSERT_STRING_EQUAL(e, "");
    af_free(e);
    CU_ASSERT(!r.bad);
    CU_ASSERT(!af_sweep_wire_done(&r));
}

/* ---- One process ----------------------------------------------------------------------------- */

static void test_single_process(void)
{
    /* make check runs outside any launcher; a test run under one would not be a single process. */
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("PMI_SIZE");
    unsetenv("PMIX_RANK");
    af_diag *d = af_diag_new();
    af_sweep_mpi m;
    memset(&m, 0x55, sizeof m);
    CU_ASSERT_EQUAL(af_sweep_mpi_start(&m, d), AF_OK);
    CU_ASSERT_EQUAL(m.rank, 0);
    CU_ASSERT_EQUAL(m.size, 1);
    CU_ASSERT(!m.started);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    char text[] = "abc";
    void *bytes = text;
    size_t n = 3;
    int root = -1;
    CU_ASSERT_EQUAL(af_sweep_mpi_share(&m, AF_OK, &bytes, &n, &root), AF_OK);
    CU_ASSERT_EQUAL(root, AF_OK);
    CU_ASSERT_PTR_EQUAL(bytes, text);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(af_sweep_mpi_share(&m, AF_EINPUT, NULL, NULL, &root), AF_EINPUT);
    CU_ASSERT_EQUAL(root, AF_EINPUT);
    af_sweep_mpi_stop(&m);
    CU_ASSERT_EQUAL(m.size, 1);
    af_sweep_mpi_stop(&m); /* twice is harmless */
    af_diag_free(d);
}

typedef struct order {
    size_t next; /* the job take expects */
    size_t bad;  /* takes out of order */
} order;

static int order_run(void *ctx, size_t j, const atomic_bool *stop, void **result)
{
    (void)ctx;
    (void)stop;
    size_t *v = af_malloc_array(1, sizeof *v);
    *v = j * j;
    *result = v;
    return AF_OK;
}

static int order_take(void *ctx, size_t j, int status, void *result)
{
    order *o = ctx;
    size_t *v = result;
    if (j != o->next || status != AF_OK || *v != j * j)
        o->bad++;
    o->next = j + 1;
    af_free(v);
    return AF_OK;
}

static void order_drop(void *ctx, size_t j, void *result)
{
    (void)ctx;
    (void)j;
    af_free(result);
}

static void test_exec_one_rank(void)
{
    af_sweep_mpi m = {.rank = 0, .size = 1, .started = false};
    af_diag *d = af_diag_new();
    for (unsigned threads = 1; threads <= 4; threads *= 4) {
        order o = {0, 0};
        af_sweep_ops ops = {.ctx = &o, .run = order_run, .take = order_take, .drop = order_drop};
        size_t taken = 0;
        CU_ASSERT_EQUAL(af_sweep_mpi_exec(&m, 100, threads, &ops, &taken, d), AF_OK);
        CU_ASSERT_EQUAL(taken, 100);
        CU_ASSERT_EQUAL(o.next, 100);
        CU_ASSERT_EQUAL(o.bad, 0);
    }
    af_diag_free(d);
}

static const af_test tests[] = {
    {"the wire: every kind of value reads back as written, little-endian", test_round_trip},
    {"the wire: every truncated message is refused", test_truncated},
    {"the wire: strings too long, with a NUL, or bytes left over", test_malformed_strings},
    {"without a launcher: rank 0 of 1, share is a no-op", test_single_process},
    {"one rank: exec is the threaded executor, jobs taken in order", test_exec_one_rank},
    {NULL, NULL},
};

AF_TEST_MAIN("sweep_mpi", tests)
