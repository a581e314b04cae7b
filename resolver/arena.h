/* Bump allocator owning every object of one snapshot: freed all at once. */
#pragma once
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *arena);
/* Zeroed memory aligned for any type, or NULL. */
void *arena_alloc(struct arena *arena, size_t size);
char *arena_strndup(struct arena *arena, const char *s, size_t n);
