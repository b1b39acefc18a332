/*
 * arena: chunks of at least 64 KiB, each allocation rounded up to 16 bytes; an allocation bigger
 * than a chunk gets a chunk of its own. See arena.h.
 */
#include "base/arena.h"

#include "base/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { AF_ARENA_CHUNK = 64 * 1024, AF_ARENA_ALIGN = 16 };

typedef struct af_chunk {
    struct af_chunk *next; /* previously filled chunk */
    size_t used;           /* bytes handed out from data */
    size_t cap;            /* bytes in data */
    _Alignas(16) unsigned char data[];
} af_chunk;

struct af_arena {
    af_chunk *head; /* current chunk (most recent) */
};

af_arena *af_arena_new(void)
{
    return af_calloc(1, sizeof(af_arena));
}

void af_arena_free(af_arena *a)
{
    if (!a)
        return;
    af_chunk *c = a->head;
    while (c) {
        af_chunk *next = c->next;
        af_free(c);
        c = next;
    }
    af_free(a);
}

void *af_arena_calloc(af_arena *a, size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - AF_ARENA_ALIGN - sizeof(af_chunk)) / size) {
        fprintf(stderr, "aifsim: arena allocation of %zu x %zu bytes overflows\n", n, size);
        abort();
    }
    size_t bytes = (n * size + AF_ARENA_ALIGN - 1) & ~(size_t)(AF_ARENA_ALIGN - 1);
    if (bytes == 0)
        bytes = AF_ARENA_ALIGN;
    af_chunk *c = a->head;
    if (!c || c->cap - c->used < bytes) {
        size_t cap = bytes > AF_ARENA_CHUNK ? bytes : AF_ARENA_CHUNK;
        c = af_malloc_array(1, sizeof(af_chunk) + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += bytes;
    memset(p, 0, bytes);
    return p;
}

char *af_arena_strndup(af_arena *a, const char *s, size_t n)
{
    char *p = af_arena_calloc(a, n + 1, 1);
    memcpy(p, s, n);
    return p;
}

char *af_arena_strdup(af_arena *a, const char *s)
{
    return af_arena_strndup(a, s, strlen(s));
}
