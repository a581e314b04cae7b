/* Text rendered once per open: info, comm and the channels table. */
#pragma once
#include "ipcfs/snapshot.h"

void render_info(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		 struct textbuf *tb);
void render_comm(const struct ipc_process *proc, struct textbuf *tb);
void render_channels_header(struct textbuf *tb);
/* One row per endpoint of proc. */
void render_channels_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
			  struct textbuf *tb);
