#include "arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct arena_chunk *chunks;
	size_t step;		/* the next chunk's size; 0 before the first */
};

/* Chunks double from 64 KiB to 1 MiB: a fixture's snapshot stays small, a
 * big host's takes few chunks, and each of 128 KiB or more is a mapping
 * of its own (the daemon fixes glibc's mmap threshold, fs/main.c), so a
 * freed snapshot goes back to the system instead of leaving holes in the
 * heap. */
#define ARENA_CHUNK (64 * 1024)
#define ARENA_CHUNK_MAX (1024 * 1024)

struct arena *arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena *arena)
{
	struct arena_chunk *c, *next;

	if (!arena)
		return;
	for (c = arena->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(arena);
}

void *arena_alloc(struct arena *arena, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct arena_chunk *c = arena->chunks;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	if (!c || c->size - c->used < size) {
		size_t step = arena->step ? arena->step : ARENA_CHUNK;
		size_t chunk = size > step ? size : step;

		c = malloc(sizeof(*c) + chunk);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = chunk;
		/* A large one-off goes behind the current chunk so its free
		 * space stays in use. */
		if (arena->chunks && chunk > step) {
			c->next = arena->chunks->next;
			arena->chunks->next = c;
		} else {
			c->next = arena->chunks;
			arena->chunks = c;
			arena->step = step < ARENA_CHUNK_MAX ? 2 * step : step;
		}
	}
	p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *arena, const char *s, size_t n)
{
	char *p = arena_alloc(arena, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}
