/*
 * test_trace: the bounded timeline record (base/trace.h): spans of one state merge while they
 * touch, other states and other tracks do not; empty spans are nothing; the window keeps the
 * events that overlap it; the bound keeps the first max events and counts the rest; tracks are
 * found again by name.
 */
#include "base/trace.h"

#include "cutest.h"

static void test_merge_and_close(void)
{
    af_trace *t = af_trace_new(100, 0, INT64_MAX);
    uint32_t a = af_trace_track(t, "train", "a"), b = af_trace_track(t, "train", "b");
    CU_ASSERT_EQUAL(af_trace_track(t, "train", "a"), a);
    CU_ASSERT_EQUAL(af_trace_ntracks(t), 2);
    af_trace_span(t, a, "computing", 0, 10);
    af_trace_span(t, a, "computing", 10, 25); /* touches: merges */
    af_trace_span(t, b, "computing", 10, 20); /* another track */
    af_trace_span(t, a, "waiting", 25, 25);   /* empty: nothing */
    af_trace_span(t, a, "waiting", 25, 30);   /* another state: commits the first */
    af_trace_span(t, a, "waiting", 31, 40);   /* a gap: a new span */
    af_trace_instant(t, a, "failure", 35);
    CU_ASSERT_EQUAL(af_trace_count(t), 3); /* computing [0,25], waiting [25,30], failure */
    af_trace_close(t);
    CU_ASSERT_EQUAL(af_trace_count(t), 5);
    const af_trace_event *e = af_trace_get(t, 0);
    CU_ASSERT_EQUAL(e->kind, 'X');
    CU_ASSERT_EQUAL(e->start_ns, 0);
    CU_ASSERT_EQUAL(e->end_ns, 25);
    CU_ASSERT_STRING_EQUAL(e->name, "computing");
    CU_ASSERT_EQUAL(af_trace_get(t, 2)->kind, 'i');
    CU_ASSERT_EQUAL(af_trace_dropped(t), 0);
    af_trace_free(t);
}

static void test_window_and_bound(void)
{
    af_trace *t = af_trace_new(3, 100, 200);
    uint32_t a = af_trace_track(t, "burst", "ckpt");
    af_trace_span(t, a, "writing", 0, 50);     /* before the window */
    af_trace_span(t, a, "reading", 90, 110);   /* overlaps its start: kept */
    af_trace_instant(t, a, "x", 150);          /* inside */
    af_trace_span(t, a, "writing", 190, 300);  /* overlaps its end */
    af_trace_instant(t, a, "y", 250);          /* after */
    af_trace_span(t, a, "reading", 300, 310);  /* after */
    af_trace_close(t);
    CU_ASSERT_EQUAL(af_trace_count(t), 3);
    CU_ASSERT_EQUAL(af_trace_dropped(t), 0);
    af_trace_free(t);
    /* The bound: 2 kept, 3 dropped. */
    t = af_trace_new(2, 0, INT64_MAX);
    a = af_trace_track(t, "train", "j");
    for (int i = 0; i < 5; i++)
        af_trace_instant(t, a, "failure", i);
    CU_ASSERT_EQUAL(af_trace_count(t), 2);
    CU_ASSERT_EQUAL(af_trace_dropped(t), 3);
    CU_ASSERT_EQUAL(af_trace_get(t, 1)->start_ns, 1);
    af_trace_free(t);
}

static const af_test tests[] = {
    {"spans merge while they touch; close commits the rest", test_merge_and_close},
    {"the window and the bound", test_window_and_bound},
    {NULL, NULL},
};
AF_TEST_MAIN("trace", tests)
