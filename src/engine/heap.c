/*
 * heap: a d-ary min-heap of (t_ns, seq, payload) entries; see heap.h for the interface.
 *
 * Layout. Logical node i has children d*i+1 .. d*i+d and parent (i-1)/d (Knuth, TAOCP vol. 3,
 * 5.2.3; d-ary heaps after Johnson 1975). The array is aligned so that &a[1] falls on a 64-byte
 * line: with d = 4 and 24-byte entries sibling group k then starts 96k bytes after it, at
 * offset 0 or 32 within a line, and spans exactly two lines, never three.
 *
 * Sifts move a hole: the entry being placed is held in a register while parents (sift up) or
 * smaller children (sift down) move into the hole, and it is written once at the end. The
 * smallest of a full group of four children is found as a two-round tournament, which keeps the
 * dependency chain at two compares and lets the compiler use conditional moves.
 *
 * The arity is a compile-time constant, AF_HEAP_ARITY (default 4). Configuring a build directory
 * with CPPFLAGS=-DAF_HEAP_ARITY=2 gives a binary heap for comparison in bench/phold.
 *
 * Measured with bench/phold (M events/s, best of 9 runs of 2e7 .. 5e6 events; one core of a
 * shared 2-core AMD EPYC Zen 5 VM, gcc 12 -O2; "bare" is the heap loop alone, engine is af_sim):
 *
 *     pending    4-ary engine  4-ary bare    binary engine  binary bare
 *     1e3        13.9          15.5          11.6           13.2
 *     1e4        10.9          12.1           9.2            9.6
 *     1e5         8.1           8.9           5.5            5.8
 *     1e6         2.5           2.9           1.9            2.2
 *
 * so the 4-ary heap stays. Both include about 20 ns per event of random draws. Also tried and
 * dropped, for no gain: bottom-up sift-down (hole to a leaf, then sift up), keeping the
 * children's keys in registers instead of reloading the winners, and pop+push fused into one
 * sift (af_heap_replace_min; 5% in isolation, not worth deferring pops in the engine).
 */
#include "engine/heap.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"

/* Arity as a size_t constant, so the index arithmetic below folds to shifts. */
#define AF_HEAP_D ((size_t)AF_HEAP_ARITY)

/* Alignment, in bytes, of &a[1]: one cache line. */
#define AF_HEAP_ALIGN 64

/* First entry index below which sift-down does not prefetch (4096 entries = 96 KiB); see
 * heap_prefetch_grandchildren. */
#define AF_HEAP_PREFETCH_FROM ((size_t)4096)

/* Capacity used when af_heap_init is given 0. */
#define AF_HEAP_DEFAULT_CAP 64

_Static_assert(AF_HEAP_ARITY >= 2, "a heap needs at least two children per node");

#ifdef __SIZEOF_INT128__
/* The sort key as one unsigned 128-bit integer: the time with its sign bit flipped (so that
 * signed order becomes unsigned order) in the high half, seq in the low half. Lexicographic
 * order of (t_ns, seq) is then plain integer order, and comparing two keys compiles to a
 * compare and a subtract-with-borrow, with no branch to mispredict. */
__extension__ typedef unsigned __int128 af_heap_key;
static inline af_heap_key heap_key_of(const af_heap_entry *e)
{
    return (af_heap_key)((uint64_t)e->t_ns ^ (UINT64_C(1) << 63)) << 64 | e->seq;
}
#endif

/* True if x orders before y: smaller time, or equal time and smaller sequence. */
static inline bool heap_before(const af_heap_entry *x, const af_heap_entry *y)
{
#ifdef __SIZEOF_INT128__
    return heap_key_of(x) < heap_key_of(y);
#else
    return (x->t_ns < y->t_ns) | ((x->t_ns == y->t_ns) & (x->seq < y->seq));
#endif
}

/* Returns the index of the smallest of the d children starting at c (all of them exist). The
 * selections are arithmetic on the comparison results so that they become conditional moves:
 * which child is smallest is a coin toss, and a mispredicted branch per level would cost more
 * than the whole level. */
static inline size_t heap_min_full(const af_heap_entry *a, size_t c)
{
#if AF_HEAP_ARITY == 4
    size_t m0 = c + heap_before(&a[c + 1], &a[c]);
    size_t m1 = c + 2 + heap_before(&a[c + 3], &a[c + 2]);
    size_t take1 = -(size_t)heap_before(&a[m1], &a[m0]);
    return m0 ^ ((m0 ^ m1) & take1);
#else
    size_t m = c;
    for (size_t k = 1; k < AF_HEAP_D; k++) {
        size_t take = -(size_t)heap_before(&a[c + k], &a[m]);
        m ^= (m ^ (c + k)) & take;
    }
    return m;
#endif
}

/* Starts loading the d*d grandchildren below the sibling group at c, if they lie beyond the
 * first AF_HEAP_PREFETCH_FROM entries. Their addresses do not depend on the comparisons at this
 * level, so the next level's cache misses overlap with this level's instead of following them:
 * this raised the rate at 1e6 pending by about 1.7x. The top of the heap is walked by every pop
 * and stays cached, so prefetching there would only cost instructions. */
static inline void heap_prefetch_grandchildren(const af_heap_entry *a, size_t n, size_t c)
{
    size_t g = AF_HEAP_D * c + 1;
    if (g < AF_HEAP_PREFETCH_FROM || g >= n)
        return;
    size_t end = g + AF_HEAP_D * AF_HEAP_D < n ? g + AF_HEAP_D * AF_HEAP_D : n;
    for (uintptr_t p = (uintptr_t)&a[g] & ~(uintptr_t)(AF_HEAP_ALIGN - 1); p < (uintptr_t)&a[end];
         p += AF_HEAP_ALIGN)
        __builtin_prefetch((const void *)p);
}

/* Places x in the hole at i of a heap of n entries, moving smaller children up. */
static inline void heap_sift_down(af_heap_entry *a, size_t n, size_t i, af_heap_entry x)
{
    for (;;) {
        size_t c = AF_HEAP_D * i + 1;
        size_t m;
        if (c + AF_HEAP_D <= n) {
            heap_prefetch_grandchildren(a, n, c);
            m = heap_min_full(a, c);
        } else if (c < n) {
            m = c;
            for (size_t k = c + 1; k < n; k++)
                m = heap_before(&a[k], &a[m]) ? k : m;
        } else {
            break;
        }
        if (!heap_before(&a[m], &x))
            break;
        a[i] = a[m];
        i = m;
    }
    a[i] = x;
}

/* Places x in the hole at i, moving larger parents down. */
static inline void heap_sift_up(af_heap_entry *a, size_t i, af_heap_entry x)
{
    while (i > 0) {
        size_t p = (i - 1) / AF_HEAP_D;
        if (!heap_before(&x, &a[p]))
            break;
        a[i] = a[p];
        i = p;
    }
    a[i] = x;
}

/* Points h->a into a fresh allocation of `cap` entries, aligned as the layout comment says, and
 * copies the current entries over. Growth is rare (geometric), so a copy instead of realloc
 * costs nothing that matters and keeps the alignment. */
static void heap_realloc(af_heap *h, size_t cap)
{
    /* Spare entries covering one line let &a[1] move up to the next line boundary; the
     * checked allocator aborts if (cap + spare) * size overflows. */
    size_t spare = (AF_HEAP_ALIGN + sizeof(af_heap_entry) - 1) / sizeof(af_heap_entry);
    assert(cap >= h->n && cap <= SIZE_MAX - spare);
    void *mem = af_malloc_array(cap + spare, sizeof(af_heap_entry));
    uintptr_t first = (uintptr_t)mem + sizeof(af_heap_entry);
    uintptr_t pad = (AF_HEAP_ALIGN - first % AF_HEAP_ALIGN) % AF_HEAP_ALIGN;
    af_heap_entry *a = (af_heap_entry *)((char *)mem + pad);
    if (h->n)
        memcpy(a, h->a, h->n * sizeof(af_heap_entry));
    af_free(h->mem);
    h->mem = mem;
    h->a = a;
    h->cap = cap;
}

void af_heap_init(af_heap *h, size_t hint)
{
    h->a = NULL;
    h->mem = NULL;
    h->n = 0;
    h->cap = 0;
    heap_realloc(h, hint ? hint : AF_HEAP_DEFAULT_CAP);
}

void af_heap_fini(af_heap *h)
{
    af_free(h->mem);
    h->mem = NULL;
    h->a = NULL;
    h->n = 0;
    h->cap = 0;
}

void af_heap_push(af_heap *h, int64_t t_ns, uint64_t seq, uint32_t payload)
{
    /* Doubling cannot wrap: cap entries of 24 bytes already fit in memory. */
    if (h->n == h->cap)
        heap_realloc(h, h->cap ? h->cap * 2 : AF_HEAP_DEFAULT_CAP);
    af_heap_entry x = {.t_ns = t_ns, .seq = seq, .payload = payload};
    heap_sift_up(h->a, h->n++, x);
}

af_heap_entry af_heap_pop(af_heap *h)
{
    assert(h->n > 0);
    af_heap_entry *a = h->a;
    af_heap_entry top = a[0];
    size_t n = --h->n;
    if (n > 0)
        heap_sift_down(a, n, 0, a[n]);
    return top;
}

af_heap_entry af_heap_replace_min(af_heap *h, int64_t t_ns, uint64_t seq, uint32_t payload)
{
    assert(h->n > 0);
    af_heap_entry top = h->a[0];
    af_heap_entry x = {.t_ns = t_ns, .seq = seq, .payload = payload};
    heap_sift_down(h->a, h->n, 0, x);
    return top;
}

void af_heap_filter(af_heap *h, bool (*keep)(void *ctx, const af_heap_entry *e), void *ctx)
{
    af_heap_entry *a = h->a;
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++)
        if (keep(ctx, &a[i]))
            a[n++] = a[i];
    h->n = n;
    /* Floyd: sift down every internal node, last first; O(n) in total. */
    if (n > 1)
        for (size_t i = (n - 2) / AF_HEAP_D + 1; i-- > 0;)
            heap_sift_down(a, n, i, a[i]);
}
