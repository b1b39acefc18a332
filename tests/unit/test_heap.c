/*
 * test_heap: the pending-event heap against a sorted reference.
 *
 * Random inputs come from a fixed-seed GSL generator; times are drawn from a small range so that
 * equal times (ties broken by seq) are common. The reference is qsort on (t_ns, seq), or a
 * linear-scan multiset for interleaved pushes and pops.
 */
#include "engine/heap.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "cutest.h"

/* Orders entries by (t_ns, seq) for qsort. */
static int cmp_entry(const void *pa, const void *pb)
{
    const af_heap_entry *a = pa, *b = pb;
    if (a->t_ns != b->t_ns)
        return a->t_ns < b->t_ns ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

static gsl_rng *test_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

/* Pushes n random entries (times in [-range/2, range/2), unique seqs in random order), pops them
 * all, and checks the pop order against qsort. */
static void check_sorted(gsl_rng *r, size_t n, unsigned long range)
{
    af_heap h;
    af_heap_init(&h, 0);
    af_heap_entry *ref = af_malloc_array(n ? n : 1, sizeof(*ref));
    for (size_t i = 0; i < n; i++) {
        ref[i].t_ns = (int64_t)gsl_rng_uniform_int(r, range) - (int64_t)(range / 2);
        ref[i].seq = i;
        ref[i].payload = (uint32_t)i;
    }
    /* Shuffle so that seq order is not push order. */
    for (size_t i = n; i > 1; i--) {
        size_t j = gsl_rng_uniform_int(r, i);
        af_heap_entry t = ref[i - 1];
        ref[i - 1] = ref[j];
        ref[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        af_heap_push(&h, ref[i].t_ns, ref[i].seq, ref[i].payload);
    CU_ASSERT_EQUAL(af_heap_size(&h), n);
    qsort(ref, n, sizeof(*ref), cmp_entry);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        af_heap_entry e = af_heap_pop(&h);
        bad += e.t_ns != ref[i].t_ns || e.seq != ref[i].seq || e.payload != ref[i].payload;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(af_heap_size(&h), 0);
    CU_ASSERT_PTR_NULL(af_heap_min(&h));
    af_free(ref);
    af_heap_fini(&h);
}

static void test_sorted_random(void)
{
    gsl_rng *r = test_rng(1);
    /* Sizes around the boundaries of full 4-ary levels (1, 5, 21, 85, 341) and beyond. */
    static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 6, 20, 21, 22, 85, 86, 341, 342, 1000, 54321};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        check_sorted(r, sizes[k], 1000000000); /* mostly distinct times */
        check_sorted(r, sizes[k], 7);          /* many ties */
    }
    gsl_rng_free(r);
}

static void test_ties_by_seq(void)
{
    gsl_rng *r = test_rng(2);
    enum { N = 1000 };
    uint64_t seqs[N];
    for (size_t i = 0; i < N; i++)
        seqs[i] = i * 3 + 7;
    for (size_t i = N; i > 1; i--) {
        size_t j = gsl_rng_uniform_int(r, i);
        uint64_t t = seqs[i - 1];
        seqs[i - 1] = seqs[j];
        seqs[j] = t;
    }
    af_heap h;
    af_heap_init(&h, 4);
    for (size_t i = 0; i < N; i++)
        af_heap_push(&h, 42, seqs[i], (uint32_t)seqs[i]);
    size_t bad = 0;
    for (size_t i = 0; i < N; i++) {
        af_heap_entry e = af_heap_pop(&h);
        bad += e.t_ns != 42 || e.seq != i * 3 + 7 || e.payload != (uint32_t)(i * 3 + 7);
    }
    CU_ASSERT_EQUAL(bad, 0);
    af_heap_fini(&h);
    gsl_rng_free(r);
}

static void test_extreme_keys(void)
{
    af_heap h;
    af_heap_init(&h, 1);
    af_heap_push(&h, INT64_MAX, 0, 5);
    af_heap_push(&h, 0, UINT64_MAX, 3);
    af_heap_push(&h, INT64_MIN, UINT64_MAX, 1);
    af_heap_push(&h, -1, 0, 2);
    af_heap_push(&h, INT64_MIN, 0, 0);
    af_heap_push(&h, 1, 0, 4);
    for (uint32_t i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(af_heap_pop(&h).payload, i);
    af_heap_fini(&h);
}

/* Interleaved pushes and pops against a linear-scan multiset. */
static void test_interleaved(void)
{
    gsl_rng *r = test_rng(3);
    enum { OPS = 200000, MAXN = 3000 };
    af_heap_entry *ref = af_malloc_array(MAXN, sizeof(*ref));
    size_t n = 0;
    uint64_t seq = 0;
    int64_t now = 0;
    size_t bad = 0;
    af_heap h;
    af_heap_init(&h, 0);
    for (size_t op = 0; op < OPS; op++) {
        /* Drift between growing and shrinking so sizes sweep the whole range. */
        double p_push = (op / 20000) % 2 ? 0.3 : 0.7;
        if (n < MAXN && (n == 0 || gsl_rng_uniform(r) < p_push)) {
            af_heap_entry e = {.t_ns = now + (int64_t)gsl_rng_uniform_int(r, 50), .seq = seq++};
            e.payload = (uint32_t)e.seq;
            ref[n++] = e;
            af_heap_push(&h, e.t_ns, e.seq, e.payload);
        } else {
            size_t m = 0;
            for (size_t i = 1; i < n; i++)
                if (cmp_entry(&ref[i], &ref[m]) < 0)
                    m = i;
            const af_heap_entry *top = af_heap_min(&h);
            bad += top == NULL || top->seq != ref[m].seq;
            af_heap_entry e = af_heap_pop(&h);
            bad += e.seq != ref[m].seq || e.t_ns != ref[m].t_ns || e.payload != ref[m].payload;
            now = e.t_ns;
            ref[m] = ref[--n];
        }
        bad += af_heap_size(&h) != n;
    }
    CU_ASSERT_EQUAL(bad, 0);
    af_free(ref);
    af_heap_fini(&h);
    gsl_rng_free(r);
}

static void test_growth(void)
{
    af_heap h;
    af_heap_init(&h, 1);
    CU_ASSERT(af_heap_capacity(&h) >= 1);
    /* Entry 1 starts a cache line (the layout the sift relies on for speed). */
    CU_ASSERT_EQUAL((uintptr_t)&h.a[1] % 64, 0);
    enum { N = 100000 };
    for (size_t i = 0; i < N; i++)
        af_heap_push(&h, (int64_t)(N - i), i, (uint32_t)i);
    CU_ASSERT_EQUAL(af_heap_size(&h), N);
    CU_ASSERT(af_heap_capacity(&h) >= N);
    CU_ASSERT(af_heap_capacity(&h) < 4 * (size_t)N); /* geometric, not wasteful */
    CU_ASSERT_EQUAL((uintptr_t)&h.a[1] % 64, 0);
    size_t bad = 0;
    for (size_t i = 0; i < N; i++) {
        af_heap_entry e = af_heap_pop(&h);
        bad += e.t_ns != (int64_t)(i + 1) || e.payload != (uint32_t)(N - 1 - i);
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* Once grown, refilling to the same size does not grow again. */
    size_t cap = af_heap_capacity(&h);
    for (size_t i = 0; i < N; i++)
        af_heap_push(&h, (int64_t)i, i, 0);
    CU_ASSERT_EQUAL(af_heap_capacity(&h), cap);
    af_heap_fini(&h);
    CU_ASSERT_EQUAL(af_heap_size(&h), 0);
    /* A finished heap may be initialised again. */
    af_heap_init(&h, 0);
    af_heap_push(&h, 1, 1, 1);
    CU_ASSERT_EQUAL(af_heap_min(&h)->payload, 1);
    af_heap_fini(&h);
}

/* replace_min behaves like pop then push. */
static void test_replace_min(void)
{
    gsl_rng *r = test_rng(4);
    af_heap a, b;
    af_heap_init(&a, 0);
    af_heap_init(&b, 0);
    uint64_t seq = 0;
    for (size_t i = 0; i < 500; i++) {
        int64_t t = (int64_t)gsl_rng_uniform_int(r, 100);
        af_heap_push(&a, t, seq, (uint32_t)i);
        af_heap_push(&b, t, seq, (uint32_t)i);
        seq++;
    }
    size_t bad = 0;
    for (size_t i = 0; i < 20000; i++) {
        int64_t t = af_heap_min(&a)->t_ns + (int64_t)gsl_rng_uniform_int(r, 100);
        af_heap_entry x = af_heap_replace_min(&a, t, seq, (uint32_t)i);
        af_heap_entry y = af_heap_pop(&b);
        af_heap_push(&b, t, seq, (uint32_t)i);
        seq++;
        bad += x.t_ns != y.t_ns || x.seq != y.seq || x.payload != y.payload;
    }
    while (af_heap_size(&a)) {
        af_heap_entry x = af_heap_pop(&a), y = af_heap_pop(&b);
        bad += x.seq != y.seq;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(af_heap_size(&b), 0);
    af_heap_fini(&a);
    af_heap_fini(&b);
    gsl_rng_free(r);
}

/* Keeps entries with an even payload; counts the calls. */
static bool keep_even(void *ctx, const af_heap_entry *e)
{
    (*(size_t *)ctx)++;
    return e->payload % 2 == 0;
}

/* Keeps nothing. */
static bool keep_none(void *ctx, const af_heap_entry *e)
{
    (void)ctx;
    (void)e;
    return false;
}

static void test_filter(void)
{
    gsl_rng *r = test_rng(5);
    enum { N = 5000 };
    af_heap h;
    af_heap_init(&h, 0);
    for (size_t i = 0; i < N; i++)
        af_heap_push(&h, (int64_t)gsl_rng_uniform_int(r, 1000), i, (uint32_t)i);
    size_t calls = 0;
    af_heap_filter(&h, keep_even, &calls);
    CU_ASSERT_EQUAL(calls, N);
    CU_ASSERT_EQUAL(af_heap_size(&h), N / 2);
    size_t bad = 0;
    af_heap_entry prev = {.t_ns = INT64_MIN};
    while (af_heap_size(&h)) {
        af_heap_entry e = af_heap_pop(&h);
        bad += e.payload % 2 != 0 || cmp_entry(&prev, &e) >= 0;
        prev = e;
    }
    CU_ASSERT_EQUAL(bad, 0);
    af_heap_push(&h, 1, 1, 1);
    af_heap_filter(&h, keep_none, NULL);
    CU_ASSERT_EQUAL(af_heap_size(&h), 0);
    af_heap_filter(&h, keep_none, NULL); /* empty heap */
    CU_ASSERT_EQUAL(af_heap_size(&h), 0);
    af_heap_fini(&h);
    gsl_rng_free(r);
}

static const af_test tests[] = {
    {"pops in (time, seq) order on random inputs", test_sorted_random},
    {"equal times pop in seq order", test_ties_by_seq},
    {"extreme and negative keys", test_extreme_keys},
    {"interleaved push and pop match a reference", test_interleaved},
    {"grows geometrically and keeps its alignment", test_growth},
    {"replace_min equals pop then push", test_replace_min},
    {"filter removes entries and keeps heap order", test_filter},
    {NULL, NULL},
};

AF_TEST_MAIN("heap", tests)
