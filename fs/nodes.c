#include "nodes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipcfs/fnv.h"

struct node {
	struct node_key key;
	uint64_t id, lookups;
	uint64_t listing_hash, hashed_generation;
	struct timespec mtime;
	struct node *next_by_id, *next_by_key;
};

struct node_table {
	pthread_mutex_t lock;
	struct node **by_id, **by_key;
	size_t n_buckets, count;
	uint64_t next_id;
};

static size_t id_bucket(const struct node_table *t, uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15u) >> 7) & (t->n_buckets - 1);
}

static size_t key_bucket(const struct node_table *t, const struct node_key *key)
{
	return (size_t)fnv1a_bytes(FNV1A_INIT, key, sizeof(*key)) & (t->n_buckets - 1);
}

static void insert(struct node_table *t, struct node *node)
{
	size_t b = id_bucket(t, node->id);

	node->next_by_id = t->by_id[b];
	t->by_id[b] = node;
	b = key_bucket(t, &node->key);
	node->next_by_key = t->by_key[b];
	t->by_key[b] = node;
}

static int resize(struct node_table *t, size_t n_buckets)
{
	struct node **by_id = calloc(n_buckets, sizeof(*by_id));
	struct node **by_key = calloc(n_buckets, sizeof(*by_key));
	struct node **old = t->by_id, *node, *next;
	size_t old_n = t->n_buckets, i;

	if (!by_id || !by_key) {
		free(by_id);
		free(by_key);
		return -ENOMEM;
	}
	free(t->by_key);
	t->by_id = by_id;
	t->by_key = by_key;
	t->n_buckets = n_buckets;
	for (i = 0; i < old_n; i++)
		for (node = old[i]; node; node = next) {
			next = node->next_by_id;
			insert(t, node);
		}
	free(old);
	return 0;
}

struct node_table *nodes_new(void)
{
	struct node_table *t = calloc(1, sizeof(*t));
	struct node_key root;

	if (!t)
		return NULL;
	memset(&root, 0, sizeof(root));
	root.type = NODE_ROOT;
	pthread_mutex_init(&t->lock, NULL);
	t->next_id = NODE_ROOT_ID;
	if (resize(t, 1024) < 0 || nodes_remember(t, &root) != NODE_ROOT_ID) {
		nodes_free(t);
		return NULL;
	}
	return t;
}

void nodes_free(struct node_table *t)
{
	struct node *node, *next;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_buckets; i++)
		for (node = t->by_id[i]; node; node = next) {
			next = node->next_by_id;
			free(node);
		}
	free(t->by_id);
	free(t->by_key);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct node *find_id(struct node_table *t, uint64_t id)
{
	struct node *node;

	for (node = t->by_id[id_bucket(t, id)]; node; node = node->next_by_id)
		if (node->id == id)
			return node;
	return NULL;
}

uint64_t nodes_remember(struct node_table *t, const struct node_key *key)
{
	struct node *node;
	uint64_t id;

	pthread_mutex_lock(&t->lock);
	for (node = t->by_key[key_bucket(t, key)]; node; node = node->next_by_key)
		if (memcmp(&node->key, key, sizeof(*key)) == 0)
			break;
	if (!node) {
		if (t->count >= t->n_buckets)
			resize(t, t->n_buckets * 2);	/* on failure chains just grow */
		node = calloc(1, sizeof(*node));
		if (!node) {
			pthread_mutex_unlock(&t->lock);
			return 0;
		}
		memcpy(&node->key, key, sizeof(*key));	/* padding too */
		node->id = t->next_id++;
		insert(t, node);
		t->count++;
	}
	node->lookups++;
	id = node->id;
	pthread_mutex_unlock(&t->lock);
	return id;
}

int nodes_key(struct node_table *t, uint64_t id, struct node_key *out)
{
	struct node *node;

	pthread_mutex_lock(&t->lock);
	node = find_id(t, id);
	if (node)
		memcpy(out, &node->key, sizeof(*out));
	pthread_mutex_unlock(&t->lock);
	return node ? 0 : -ENOENT;
}

static void unlink_node(struct node_table *t, struct node *node)
{
	struct node **p;

	for (p = &t->by_id[id_bucket(t, node->id)]; *p != node; p = &(*p)->next_by_id)
		;
	*p = node->next_by_id;
	for (p = &t->by_key[key_bucket(t, &node->key)]; *p != node; p = &(*p)->next_by_key)
		;
	*p = node->next_by_key;
	t->count--;
}

void nodes_forget(struct node_table *t, uint64_t id, uint64_t count)
{
	struct node *node;

	if (id == NODE_ROOT_ID)
		return;
	pthread_mutex_lock(&t->lock);
	node = find_id(t, id);
	if (node) {
		node->lookups = node->lookups > count ? node->lookups - count : 0;
		if (!node->lookups) {
			unlink_node(t, node);
			free(node);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

bool nodes_dir_mtime_known(struct node_table *t, uint64_t id, uint64_t generation,
			   struct timespec *out)
{
	struct node *node;
	bool known;

	pthread_mutex_lock(&t->lock);
	node = find_id(t, id);
	known = node && node->hashed_generation == generation;
	if (known)
		*out = node->mtime;
	pthread_mutex_unlock(&t->lock);
	return known;
}

struct timespec nodes_dir_mtime(struct node_table *t, uint64_t id, uint64_t generation,
				uint64_t listing_hash, struct timespec built)
{
	struct timespec mtime = built;
	struct node *node;

	pthread_mutex_lock(&t->lock);
	node = find_id(t, id);
	if (node) {
		if (!node->hashed_generation) {
			node->mtime = built;
			node->listing_hash = listing_hash;
		} else if (node->hashed_generation != generation &&
			   node->listing_hash != listing_hash) {
			node->mtime = built;
			node->listing_hash = listing_hash;
		}
		node->hashed_generation = generation;
		mtime = node->mtime;
	}
	pthread_mutex_unlock(&t->lock);
	return mtime;
}
