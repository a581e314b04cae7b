/* The floor for cat channels: a program that only readlinks every
 * /proc/<pid>/fd entry. Prints how many links it read. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	DIR *proc = opendir("/proc"), *fds;
	char path[64], link[PATH_MAX];
	struct dirent *p, *f;
	long count = 0;
	int fd;

	if (!proc)
		return 1;
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.32s/fd", p->d_name);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || !(fds = fdopendir(fd)))
			continue;
		while ((f = readdir(fds)))
			if (f->d_name[0] != '.' && readlinkat(fd, f->d_name, link, sizeof(link)) > 0)
				count++;
		closedir(fds);
	}
	closedir(proc);
	printf("%ld\n", count);
	return 0;
}
