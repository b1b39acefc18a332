/*
 * arena: a bump allocator for data that lives and dies together (a parsed scenario, the
 * catalog). Allocations are 16-byte aligned and never freed one by one; af_arena_free releases
 * them all in one call. Aborts on out-of-memory like the rest of base/alloc.
 */
#ifndef AF_BASE_ARENA_H
#define AF_BASE_ARENA_H

#include <stddef.h>

typedef struct af_arena af_arena;

/* Creates an empty arena. */
af_arena *af_arena_new(void);

/* Releases the arena and everything allocated from it; NULL is allowed. */
void af_arena_free(af_arena *a);

/* Returns n * size zeroed bytes owned by the arena (aborts on overflow). */
void *af_arena_calloc(af_arena *a, size_t n, size_t size);

/* Returns a copy of s (or of its first n bytes) owned by the arena. */
char *af_arena_strdup(af_arena *a, const char *s);
char *af_arena_strndup(af_arena *a, const char *s, size_t n);

#endif
