// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-ctl-call SOCKET COMMAND: one request on a monitor's control socket
 * (docs/control-protocol.md), for the rig's scripts, whose busybox cannot
 * speak to a UNIX socket.  Prints the reply line; exits 0 if it says
 * "ok":true, 1 if it does not (or none came within 5 s), 2 if the socket
 * cannot be reached.  Event lines before the reply are skipped.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define REPLY_PREFIX	"{\"id\":1,"
#define TIMEOUT_MS	5000

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[256], buf[65536];
	size_t len = 0;
	int fd, n;

	if (argc != 3) {
		fprintf(stderr, "usage: vireo-ctl-call SOCKET COMMAND\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror(argv[1]);
		return 2;
	}
	n = snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"%s\"}\n", argv[2]);
	if (n >= (int)sizeof(req) || write(fd, req, (size_t)n) != n) {
		perror("write");
		return 2;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t got;

		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			if (!strncmp(buf, REPLY_PREFIX, strlen(REPLY_PREFIX))) {
				printf("%s\n", buf);
				return strstr(buf, "\"ok\":true") ? 0 : 1;
			}
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) || poll(&p, 1, TIMEOUT_MS) != 1)
			break;
		got = read(fd, buf + len, sizeof(buf) - len);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	fprintf(stderr, "vireo-ctl-call: no reply to %s\n", argv[2]);
	return 1;
}
