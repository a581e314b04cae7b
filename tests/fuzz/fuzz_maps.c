/* libFuzzer target: /proc/<pid>/maps text, line by line through
 * maps_parse_line and whole through maps_parse_fd (read_lines) with a
 * buffer size taken from the first byte, so lines cross chunk ends, and
 * 00:19 as the shm device (any path on it is ours). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct maps_result *result = NULL;
	struct maps_line line;
	const char *text, *end, *nl;
	size_t buf_size;
	char *buf;

	if (size < 1)
		return 0;
	if (fd < 0 && (fd = memfd_create("fuzz-maps", MFD_CLOEXEC)) < 0)
		abort();
	buf_size = 16 + (size_t)data[0] * 16;
	text = (const char *)data + 1;
	end = (const char *)data + size;
	for (; text < end; text = nl + 1) {
		nl = memchr(text, '\n', (size_t)(end - text));
		if (!nl)
			nl = end;
		if (maps_parse_line(text, (size_t)(nl - text), &line) > MAPS_NONE &&
		    (line.path < text || line.path + line.path_len > nl))
			abort();
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
		abort();
	buf = malloc(buf_size);
	if (!buf || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (maps_parse_fd(fd, buf, buf_size, makedev(0, 0x19), &result) == 0 && result)
		for (size_t i = 0; i < result->n_objects; i++)
			if (!result->objects[i].path || strlen(result->objects[i].path) > size)
				abort();
	maps_result_free(result);
	free(buf);
	return 0;
}
