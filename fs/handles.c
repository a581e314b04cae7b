#include "handles.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define N_BUCKETS (sizeof(((struct handle_table *)0)->buckets) / \
		   sizeof(((struct handle_table *)0)->buckets[0]))

void handles_init(struct handle_table *t, size_t user_limit)
{
	*t = (struct handle_table){ .next_id = 1, .user_limit = user_limit };
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

	for (b = 0; b < N_BUCKETS; b++)
		for (file = t->buckets[b]; file; file = next) {
			next = file->next;
			drop(file);
		}
	free(t->charges);
	pthread_mutex_destroy(&t->lock);
}

static struct rendered **bucket(struct handle_table *t, uint64_t id)
{
	return &t->buckets[id % N_BUCKETS];
}

static struct rendered **key_bucket(struct handle_table *t, const struct render_key *key)
{
	uint64_t h = key->generation * 0x9e3779b97f4a7c15u ^ key->node * 0xbf58476d1ce4e5b9u ^
		     key->view;

	return &t->by_key[(h ^ h >> 29) % N_BUCKETS];
}

static struct uid_charge *charge_of(struct handle_table *t, uid_t uid)
{
	size_t i;

	for (i = 0; i < t->n_charges; i++)
		if (t->charges[i].uid == uid)
			return &t->charges[i];
	return NULL;
}

/* Charges len to uid, or -EMFILE past its limit, -ENOMEM.  Under lock. */
static int charge(struct handle_table *t, uid_t uid, size_t len)
{
	struct uid_charge *c = charge_of(t, uid), *grown;
	size_t size;

	if (c) {
		if (uid && t->user_limit && c->bytes + len > t->user_limit)
			return -EMFILE;
		c->bytes += len;
		return 0;
	}
	if (uid && t->user_limit && len > t->user_limit)
		return -EMFILE;
	if (t->n_charges == t->charges_size) {
		size = t->charges_size ? 2 * t->charges_size : 8;
		grown = realloc(t->charges, size * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->charges = grown;
		t->charges_size = size;
	}
	t->charges[t->n_charges++] = (struct uid_charge){ .uid = uid, .bytes = len };
	return 0;
}

/* Under lock: len bytes go back to uid. */
static void uncharge(struct handle_table *t, uid_t uid, size_t len)
{
	struct uid_charge *c = charge_of(t, uid);

	if (!c)
		return;
	c->bytes -= len < c->bytes ? len : c->bytes;
	if (!c->bytes)
		*c = t->charges[--t->n_charges];
}

static bool same_key(const struct render_key *a, const struct render_key *b)
{
	return a->generation == b->generation && a->node == b->node && a->view == b->view;
}

/* Under lock: the open rendering under key, with one more open. */
static uint64_t share_locked(struct handle_table *t, const struct render_key *key)
{
	struct rendered *file;

	for (file = *key_bucket(t, key); file; file = file->next_by_key)
		if (same_key(&file->key, key)) {
			file->opens++;
			return file->id;
		}
	return 0;
}

uint64_t handles_share(struct handle_table *t, const struct render_key *key)
{
	uint64_t id;

	pthread_mutex_lock(&t->lock);
	id = share_locked(t, key);
	pthread_mutex_unlock(&t->lock);
	return id;
}

int64_t handles_add(struct handle_table *t, const struct render_key *key, uid_t uid,
		    char *data, size_t len)
{
	struct rendered *file = malloc(sizeof(*file)), **head;
	int64_t r;

	pthread_mutex_lock(&t->lock);
	/* Another open of the same text may have rendered it meanwhile. */
	r = (int64_t)share_locked(t, key);
	if (!r)
		r = file ? charge(t, uid, len) : -ENOMEM;
	if (r == 0) {
		*file = (struct rendered){ .id = t->next_id++, .key = *key, .charged = uid,
					   .opens = 1, .refs = 1, .data = data, .len = len };
		head = bucket(t, file->id);
		file->next = *head;
		*head = file;
		head = key_bucket(t, key);
		file->next_by_key = *head;
		*head = file;
		r = (int64_t)file->id;
		file = NULL;
		data = NULL;
	}
	pthread_mutex_unlock(&t->lock);
	free(file);
	free(data);
	return r;
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

void handles_release(struct handle_table *t, uint64_t id)
{
	struct rendered **p, *file;
	unsigned refs = 1;

	pthread_mutex_lock(&t->lock);
	for (p = bucket(t, id); *p && (*p)->id != id; p = &(*p)->next)
		;
	file = *p;
	if (file && !--file->opens) {
		*p = file->next;
		for (p = key_bucket(t, &file->key); *p != file; p = &(*p)->next_by_key)
			;
		*p = file->next_by_key;
		uncharge(t, file->charged, file->len);
		refs = --file->refs;
	}
	pthread_mutex_unlock(&t->lock);
	if (!refs)
		drop(file);
}

int handles_charge(struct handle_table *t, uid_t uid, size_t len)
{
	int r;

	pthread_mutex_lock(&t->lock);
	r = charge(t, uid, len);
	pthread_mutex_unlock(&t->lock);
	return r;
}

void handles_uncharge(struct handle_table *t, uid_t uid, size_t len)
{
	pthread_mutex_lock(&t->lock);
	uncharge(t, uid, len);
	pthread_mutex_unlock(&t->lock);
}

size_t handles_charged(struct handle_table *t, uid_t uid)
{
	struct uid_charge *c;
	size_t bytes;

	pthread_mutex_lock(&t->lock);
	c = charge_of(t, uid);
	bytes = c ? c->bytes : 0;
	pthread_mutex_unlock(&t->lock);
	return bytes;
}
