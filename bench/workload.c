/* The benchmark workload: N pairs of processes joined by every kind of
 * channel (pipe, FIFO, unix socketpair, loopback TCP, memfd, eventfd).
 * Prints "ready" once all are set up, then waits; every child dies with it.
 * usage: workload N DIR   (DIR holds the FIFOs) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Blocks until the parent dies (PDEATHSIG) holding the fds it was given.
 * It drops the parent's own: a pipe whose both ends every child held would
 * make every child a peer of every other. */
static void child(int ready[2], int listener, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(ready[0]);
	close(listener);
	if (getppid() != parent)
		_exit(0);
	if (write(ready[1], "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int n, i, ready[2], listener, sp[2], p[2], tcp, accepted, memfd, efd, fifo_r;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	pid_t self = getpid(), pid;
	char path[4096], c;

	if (argc != 3 || (n = atoi(argv[1])) <= 0)
		return fprintf(stderr, "usage: workload N DIR\n"), 2;
	if (pipe2(ready, O_CLOEXEC) < 0)
		die("pipe");
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 || bind(listener, (void *)&addr, sizeof(addr)) < 0 ||
	    listen(listener, 4096) < 0 || getsockname(listener, (void *)&addr, &len) < 0)
		die("listen");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/fifo.%d", argv[2], i);
		if ((mkfifo(path, 0600) < 0 && errno != EEXIST) ||
		    (fifo_r = open(path, O_RDONLY | O_NONBLOCK)) < 0)
			die("fifo");
		tcp = socket(AF_INET, SOCK_STREAM, 0);
		if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0 || tcp < 0 ||
		    connect(tcp, (void *)&addr, sizeof(addr)) < 0 ||
		    (accepted = accept4(listener, NULL, NULL, 0)) < 0 ||
		    (memfd = memfd_create("bench", 0)) < 0 || (efd = eventfd(0, 0)) < 0)
			die("channels");
		/* The reader end: pipe read, socketpair end 0, the accepted
		 * socket, FIFO reader, memfd and eventfd (shared). */
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(p[1]); close(sp[1]); close(tcp);
			child(ready, listener, self);
		}
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			int fifo_w = open(path, O_WRONLY | O_NONBLOCK);

			if (fifo_w < 0)
				_exit(1);
			close(p[0]); close(sp[0]); close(accepted); close(fifo_r);
			child(ready, listener, self);
		}
		close(p[0]); close(p[1]); close(sp[0]); close(sp[1]);
		close(tcp); close(accepted); close(memfd); close(efd); close(fifo_r);
	}
	for (i = 0; i < 2 * n; i++)
		if (read(ready[0], &c, 1) != 1)
			die("ready");
	printf("ready %d\n", 2 * n);
	fflush(stdout);
	for (;;)
		pause();
}
