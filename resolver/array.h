/* Growable arrays: a pointer, a count and a capacity kept by the caller,
 * grown by doubling so that appends cost amortized O(1). */
#pragma once
#include <errno.h>
#include <stddef.h>

/* items reallocated to room for at least need items of size bytes, *cap
 * updated; NULL, items left as they were, when the byte count would
 * overflow or memory is short.  Starts at 16 items and 256 bytes. */
void *array_grow(void *items, size_t *cap, size_t need, size_t size);

/* 0 once the array items (an lvalue, capacity the lvalue cap) has room for
 * need items; -ENOMEM when it cannot, items untouched. */
#define array_reserve(items, cap, need)                                                    \
	__extension__({                                                                    \
		size_t need_ = (need);                                                     \
		void *grown_ = need_ <= (cap) ? (void *)(items)                            \
					     : array_grow((items), &(cap), need_, sizeof(*(items))); \
		if (grown_)                                                                \
			(items) = grown_;                                                  \
		grown_ || need_ == 0 ? 0 : -ENOMEM;                                        \
	})
