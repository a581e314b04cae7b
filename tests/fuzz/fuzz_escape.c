/* libFuzzer target: the one escaping of info values and channels fields
 * (textbuf_escaped).  Its output must hold no byte it escapes, and decode
 * back to the input: two different names never render alike.  The first
 * byte picks info (0x20) or channels (0x21). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipcfs/textbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct textbuf tb;
	unsigned char below;
	size_t i, n = 0;
	char *back;

	if (size < 1)
		return 0;
	below = data[0] & 1 ? 0x21 : 0x20;
	textbuf_init(&tb);
	textbuf_escaped(&tb, (const char *)data + 1, size - 1, below);
	if (tb.error)
		abort();
	back = malloc(size);
	if (!back)
		abort();
	for (i = 0; i < tb.len; i++) {
		unsigned char c = (unsigned char)tb.data[i];

		if (c < below || c == 0x7f)
			abort();
		if (c != '\\') {
			back[n++] = (char)c;
			continue;
		}
		if (tb.len - i < 4)
			abort();
		for (int k = 1; k <= 3; k++)
			if (tb.data[i + k] < '0' || tb.data[i + k] > '7')
				abort();
		back[n++] = (char)((tb.data[i + 1] - '0') * 64 + (tb.data[i + 2] - '0') * 8 +
				   (tb.data[i + 3] - '0'));
		i += 3;
	}
	if (n != size - 1 || memcmp(back, data + 1, n) != 0)
		abort();
	free(back);
	textbuf_free(&tb);
	return 0;
}
