/* 64-bit FNV-1a, for the fs layer and the resolver alike. Listing hashes
 * and viewer signatures are compared across calls, so the constants and
 * the order values are mixed in are part of their meaning. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325u

/* Mixes in one value: a byte, or a whole id where ids are hashed. */
static inline uint64_t fnv1a_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3u;
}

static inline uint64_t fnv1a_bytes(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n--)
		h = fnv1a_mix(h, *p++);
	return h;
}
