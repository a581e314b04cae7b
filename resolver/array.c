#include "array.h"

#include <stdint.h>
#include <stdlib.h>

#define ARRAY_MIN_ITEMS 16
#define ARRAY_MIN_BYTES 256

void *array_grow(void *items, size_t *cap, size_t need, size_t size)
{
	size_t new_cap = *cap, min = size && ARRAY_MIN_BYTES / size > ARRAY_MIN_ITEMS ?
					      ARRAY_MIN_BYTES / size : ARRAY_MIN_ITEMS;
	void *grown;

	if (new_cap < min)
		new_cap = min;
	while (new_cap < need)
		new_cap = new_cap > SIZE_MAX / 2 ? need : new_cap * 2;
	if (size && new_cap > SIZE_MAX / size)
		return NULL;
	grown = realloc(items, new_cap * size);
	if (!grown)
		return NULL;
	*cap = new_cap;
	return grown;
}
