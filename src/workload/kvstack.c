/*
 * kvstack: an LRU stack by bytes on a Fenwick tree of push positions (see kvstack.h).
 */
#include "workload/kvstack.h"

#include "base/alloc.h"

#include <math.h>
#include <stddef.h>

/* No entry / no item. */
#define KV_NONE UINT32_MAX

/* Positions of the first tree. */
#define KV_FIRST_CAP 1024u

struct af_kvstack {
    double limit_B;  /* entries deeper than this are dropped at a renumbering */
    double *fw;      /* Fenwick tree of sizes, 1-based over positions 0 .. cap - 1 */
    double *size;    /* per position: its entry's size (0 when the position is empty) */
    uint32_t *owner; /* per position: its entry's item, or KV_NONE (empty or detached) */
    uint8_t *live;   /* per position: it holds an entry (attached or detached) */
    uint32_t cap;    /* positions */
    uint32_t next;   /* the next free position (the top is next - 1) */
    uint32_t bottom; /* no entry below this position */
    double total;    /* bytes of every entry */
    uint32_t *pos;   /* per item: its entry's position, or KV_NONE */
    size_t npos;     /* items pos can hold */
};

static void fw_add(af_kvstack *k, uint32_t p, double v)
{
    for (size_t i = (size_t)p + 1; i <= k->cap; i += i & (~i + 1))
        k->fw[i] += v;
}

/* Bytes of the entries at positions 0 .. p. */
static double fw_prefix(const af_kvstack *k, uint32_t p)
{
    double s = 0;
    for (size_t i = (size_t)p + 1; i > 0; i -= i & (~i + 1))
        s += k->fw[i];
    return s;
}

static void kv_alloc(af_kvstack *k, uint32_t cap)
{
    k->cap = cap;
    k->fw = af_calloc((size_t)cap + 1, sizeof *k->fw);
    k->size = af_calloc(cap, sizeof *k->size);
    k->owner = af_malloc_array(cap, sizeof *k->owner);
    k->live = af_calloc(cap, sizeof *k->live);
    for (uint32_t i = 0; i < cap; i++)
        k->owner[i] = KV_NONE;
    k->next = 0;
    k->bottom = 0;
}

static void kv_release(af_kvstack *k)
{
    af_free(k->fw);
    af_free(k->size);
    af_free(k->owner);
    af_free(k->live);
}

af_kvstack *af_kvstack_new(double limit_B)
{
    af_kvstack *k = af_calloc(1, sizeof *k);
    k->limit_B = limit_B;
    kv_alloc(k, KV_FIRST_CAP);
    return k;
}

void af_kvstack_free(af_kvstack *k)
{
    if (!k)
        return;
    kv_release(k);
    af_free(k->pos);
    af_free(k);
}

/* Renumbers the entries within the limit, in order, into a fresh tree. */
static void kv_renumber(af_kvstack *k)
{
    /* every entry left is within the limit (pushes evict the rest at once) */
    uint32_t keep = 0;
    for (uint32_t p = 0; p < k->next; p++)
        keep += k->live[p];
    uint32_t cap = k->cap;
    while (keep * 2 > cap)
        cap *= 2;
    af_kvstack old = *k;
    kv_alloc(k, cap);
    k->total = 0;
    for (uint32_t p = 0; p < old.next; p++) {
        if (!old.live[p])
            continue;
        uint32_t q = k->next++;
        k->size[q] = old.size[p];
        k->owner[q] = old.owner[p];
        k->live[q] = 1;
        k->total += old.size[p];
        if (old.owner[p] != KV_NONE)
            k->pos[old.owner[p]] = q;
    }
    /* build the tree in O(n): each node adds itself to its parent */
    for (uint32_t q = 0; q < k->next; q++)
        k->fw[(size_t)q + 1] += k->size[q];
    for (size_t i = 1; i <= k->cap; i++) {
        size_t j = i + (i & (~i + 1));
        if (j <= k->cap)
            k->fw[j] += k->fw[i];
    }
    kv_release(&old);
}

/* Removes the entry at position p. */
static void kv_remove(af_kvstack *k, uint32_t p)
{
    fw_add(k, p, -k->size[p]);
    k->total -= k->size[p];
    k->size[p] = 0;
    k->owner[p] = KV_NONE;
    k->live[p] = 0;
}

void af_kvstack_push(af_kvstack *k, uint32_t id, double size_B)
{
    if (id >= k->npos) {
        size_t n = k->npos ? k->npos : 256;
        while (n <= id)
            n *= 2;
        k->pos = af_realloc_array(k->pos, n, sizeof *k->pos);
        for (size_t i = k->npos; i < n; i++)
            k->pos[i] = KV_NONE;
        k->npos = n;
    }
    if (k->pos[id] != KV_NONE)
        kv_remove(k, k->pos[id]);
    k->pos[id] = KV_NONE;
    if (k->next == k->cap)
        kv_renumber(k);
    uint32_t p = k->next++;
    k->size[p] = size_B;
    k->owner[p] = id;
    k->live[p] = 1;
    k->total += size_B;
    fw_add(k, p, size_B);
    k->pos[id] = p;
    /* evict from the bottom what the push took past the limit (for good: a cache that dropped
     * it cannot find it again when what is above it leaves) */
    while (k->bottom < p) {
        if (!k->live[k->bottom]) {
            k->bottom++;
            continue;
        }
        if (k->total - fw_prefix(k, k->bottom) <= k->limit_B)
            break;
        if (k->owner[k->bottom] != KV_NONE)
            k->pos[k->owner[k->bottom]] = KV_NONE;
        kv_remove(k, k->bottom);
        k->bottom++;
    }
}

double af_kvstack_depth(const af_kvstack *k, uint32_t id)
{
    if (id >= k->npos || k->pos[id] == KV_NONE)
        return INFINITY;
    double above = k->total - fw_prefix(k, k->pos[id]);
    return above > 0 ? above : 0;
}

void af_kvstack_detach(af_kvstack *k, uint32_t id)
{
    if (id >= k->npos || k->pos[id] == KV_NONE)
        return;
    k->owner[k->pos[id]] = KV_NONE;
    k->pos[id] = KV_NONE;
}

double af_kvstack_total(const af_kvstack *k)
{
    return k->total;
}
