/* libFuzzer target: the JSON strings of channels.json (textbuf_json_string).
 * Its output must be one JSON string of valid UTF-8 (checked here by
 * decoding code points, not by the escaper's table), with no control
 * byte, no quote or backslash unescaped, and decode back to the input:
 * two different names never render alike. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipcfs/textbuf.h"

/* The length of the UTF-8 character at s (n bytes left), 0 when invalid:
 * a code point in its shortest form, no surrogate, at most U+10FFFF. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = s[0] < 0x80 ? 1 : s[0] >> 5 == 6 ? 2 : s[0] >> 4 == 14 ? 3 :
		     s[0] >> 3 == 30 ? 4 : 0;
	uint32_t cp = len == 1 ? s[0] : s[0] & (0x7f >> len);
	size_t i;

	if (!len || len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] >> 6 != 2)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < least[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *out;
	struct textbuf tb;
	size_t i, len, t = 0, n = 0;
	char *text, *back;

	textbuf_init(&tb);
	textbuf_json_string(&tb, (const char *)data, size);
	if (tb.error || tb.len < 2 || tb.data[0] != '"' || tb.data[tb.len - 1] != '"')
		abort();
	out = (const unsigned char *)tb.data;
	text = malloc(tb.len);
	back = malloc(size + 1);
	if (!text || !back)
		abort();
	/* JSON: only \\ and \" escapes, no control byte, valid UTF-8. */
	for (i = 1; i + 1 < tb.len; i += len) {
		len = utf8_char(out + i, tb.len - 1 - i);
		if (!len || out[i] < 0x20 || out[i] == '"')
			abort();
		if (out[i] == '\\') {
			if (i + 2 >= tb.len || (out[i + 1] != '\\' && out[i + 1] != '"'))
				abort();
			i++;
		}
		memcpy(text + t, out + i, len);
		t += len;
	}
	/* Then \ooo, as in info values. */
	for (i = 0; i < t; i++) {
		if (text[i] != '\\') {
			back[n++] = text[i];
			continue;
		}
		if (t - i < 4)
			abort();
		for (int k = 1; k <= 3; k++)
			if (text[i + k] < '0' || text[i + k] > '7')
				abort();
		back[n++] = (char)((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
				   (text[i + 3] - '0'));
		i += 3;
	}
	if (n != size || memcmp(back, data, n) != 0)
		abort();
	free(text);
	free(back);
	textbuf_free(&tb);
	return 0;
}
