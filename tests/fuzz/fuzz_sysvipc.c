/* libFuzzer target: /proc/sysvipc/{shm,msg,sem} lines through
 * sysvipc_parse_line; the first byte picks the class. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysvipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ipc_sysv_class classes[] = { IPC_SYSV_SHM, IPC_SYSV_MSG, IPC_SYSV_SEM };
	struct ipc_sysv_object obj;
	char *text, *line, *next;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		memset(&obj, 0, sizeof(obj));
		sysvipc_parse_line(classes[data[0] % 3], line, &obj);
	}
	free(text);
	return 0;
}
