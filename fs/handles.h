/* Rendered file contents per open.  The kernel may send RELEASE while a
 * READ of the same file is still being answered (the reader was killed),
 * so a handle is an id looked up under a lock, and a read keeps the text
 * alive with a reference until it has replied.
 *
 * Opens of the same file, of the same snapshot, by callers shown the same
 * text share one rendering (one id, a reference per open), so holding
 * many opens costs a reference each, not a copy each.  Each rendering is
 * charged to the uid that made it; a uid other than root may hold at most
 * a set number of bytes, so no user can grow the daemon at will. */
#pragma once
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What a rendering shows: which file, of which snapshot, for whom (0 for
 * a text that is the same for every caller). */
struct render_key {
	uint64_t generation, node, view;
};

struct rendered {
	struct rendered *next;		/* in its id bucket */
	struct rendered *next_by_key;	/* in its key bucket */
	uint64_t id;
	struct render_key key;
	uid_t charged;		/* the uid whose allowance holds it */
	unsigned opens;		/* opens sharing it; at 0 it is no longer found */
	unsigned refs;		/* one for the opens, plus one per read in progress */
	char *data;
	size_t len;
};

struct uid_charge {
	uid_t uid;
	size_t bytes;
};

struct handle_table {
	pthread_mutex_t lock;
	struct rendered *buckets[256];
	struct rendered *by_key[256];
	uint64_t next_id;
	size_t user_limit;		/* bytes one uid other than 0 may hold; 0: none */
	struct uid_charge *charges;	/* uids holding renderings */
	size_t n_charges, charges_size;
};

void handles_init(struct handle_table *table, size_t user_limit);
void handles_destroy(struct handle_table *table);
/* Another open of the rendering under key, if one is held: its id (a
 * reference taken), else 0. */
uint64_t handles_share(struct handle_table *table, const struct render_key *key);
/* Takes data (malloc'd) as the rendering under key, opened by uid (or
 * shares one made meanwhile, freeing data).  Its id, or -EMFILE when uid
 * would hold more than its limit, -ENOMEM; data is freed on failure. */
int64_t handles_add(struct handle_table *table, const struct render_key *key, uid_t uid,
		    char *data, size_t len);
/* A reference to the file, or NULL once released; pair with handles_put. */
struct rendered *handles_get(struct handle_table *table, uint64_t id);
void handles_put(struct handle_table *table, struct rendered *file);
/* Drops one open; the last one unlinks the rendering at once, so it is no
 * longer found and a second release cannot take a reader's reference. */
void handles_release(struct handle_table *table, uint64_t id);
/* Charges len bytes held elsewhere (an events reader's backlog) to uid
 * within the same limit: 0, -EMFILE or -ENOMEM.  Paired with
 * handles_uncharge. */
int handles_charge(struct handle_table *table, uid_t uid, size_t len);
void handles_uncharge(struct handle_table *table, uid_t uid, size_t len);
/* Bytes held in renderings charged to uid. */
size_t handles_charged(struct handle_table *table, uid_t uid);
