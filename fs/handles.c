#include "handles.h"

#include <stdlib.h>

void handles_init(struct handle_table *t)
{
	*t = (struct handle_table){ .next_id = 1 };
	pthread_mutex_init(&t->lock, NULL);
}

static void drop(struct rendered *file)
{
	free(file->data);
	free(file);
}

void handles_destroy(struct handle_table *t)
{
	struct rendered *file, *next;
	size_t b;

	for (b = 0; b < sizeof(t->buckets) / sizeof(t->buckets[0]); b++)
		for (file = t->buckets[b]; file; file = next) {
			next = file->next;
			drop(file);
		}
	pthread_mutex_destroy(&t->lock);
}

static struct rendered **bucket(struct handle_table *t, uint64_t id)
{
	return &t->buckets[id % (sizeof(t->buckets) / sizeof(t->buckets[0]))];
}

uint64_t handles_add(struct handle_table *t, char *data, size_t len)
{
	struct rendered *file = malloc(sizeof(*file)), **head;

	if (!file) {
		free(data);
		return 0;
	}
	file->data = data;
	file->len = len;
	file->refs = 1;
	pthread_mutex_lock(&t->lock);
	file->id = t->next_id++;
	head = bucket(t, file->id);
	file->next = *head;
	*head = file;
	pthread_mutex_unlock(&t->lock);
	return file->id;
}

struct rendered *handles_get(struct handle_table *t, uint64_t id)
{
	struct rendered *file;

	pthread_mutex_lock(&t->lock);
	for (file = *bucket(t, id); file && file->id != id; file = file->next)
		;
	if (file)
		file->refs++;
	pthread_mutex_unlock(&t->lock);
	return file;
}

void handles_put(struct handle_table *t, struct rendered *file)
{
	unsigned refs;

	pthread_mutex_lock(&t->lock);
	refs = --file->refs;
	pthread_mutex_unlock(&t->lock);
	if (!refs)
		drop(file);
}

/* Unlinks the file at once, so it is no longer found and a second
 * release cannot take a reader's reference; the last put frees it. */
void handles_release(struct handle_table *t, uint64_t id)
{
	struct rendered **p, *file;
	unsigned refs = 1;

	pthread_mutex_lock(&t->lock);
	for (p = bucket(t, id); *p && (*p)->id != id; p = &(*p)->next)
		;
	file = *p;
	if (file) {
		*p = file->next;
		refs = --file->refs;
	}
	pthread_mutex_unlock(&t->lock);
	if (!refs)
		drop(file);
}
