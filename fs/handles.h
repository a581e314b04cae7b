/* Rendered file contents per open.  The kernel may send RELEASE while a
 * READ of the same file is still being answered (the reader was killed),
 * so a handle is an id looked up under a lock, and a read keeps the text
 * alive with a reference until it has replied. */
#pragma once
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct rendered {
	struct rendered *next;
	uint64_t id;
	unsigned refs;		/* the open's, plus one per read in progress */
	char *data;
	size_t len;
};

struct handle_table {
	pthread_mutex_t lock;
	struct rendered *buckets[256];
	uint64_t next_id;
};

void handles_init(struct handle_table *table);
void handles_destroy(struct handle_table *table);
/* Takes data (malloc'd) as an open file; its id, or 0 when out of memory
 * (data is then freed). */
uint64_t handles_add(struct handle_table *table, char *data, size_t len);
/* A reference to the file, or NULL once released; pair with handles_put. */
struct rendered *handles_get(struct handle_table *table, uint64_t id);
void handles_put(struct handle_table *table, struct rendered *file);
/* Drops the open's reference; the file is no longer found. */
void handles_release(struct handle_table *table, uint64_t id);
