/* libFuzzer target: /proc/<pid>/fdinfo text through text_field and
 * fdinfo_access, with every key the resolver asks for and output buffers
 * of every size from 1 to 64 bytes; and the same bytes as an fd link's or
 * a namespace link's text through link_inode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc_root.h"
#include "builder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"flags", "pos", "eventfd-id", "eventfd-count", "scm_fds", "tty-index", "Tgid",
		"Uid", "NSpid",
	};
	char *text = malloc(size + 1), out[64];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (size_t n = 1; n <= sizeof(out); n++)
			if (text_field(text, keys[k], out, n) == 0 && strlen(out) >= n)
				abort();
	if (fdinfo_access(text) & ~(unsigned)(IPC_ACCESS_R | IPC_ACCESS_W))
		abort();
	link_inode(text, "pipe:[");
	link_inode(text, "socket:[");
	link_inode(text, "net:[");
	free(text);
	return 0;
}
