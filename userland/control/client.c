// SPDX-License-Identifier: GPL-2.0
/*
 * The control client (contract in client.h): blocking calls with
 * deadlines over a non-blocking socket, events queued on the side.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "protocol.h"

G_DEFINE_QUARK(vireo-ctl-error-quark, vireo_ctl_error)
G_DEFINE_QUARK(vireo-ctl-remote-error-quark, vireo_ctl_remote_error)

struct vireo_ctl_client {
	int fd;
	int64_t next_id;
	struct vireo_ctl_linebuf lb;
	GQueue events;		/* struct vireo_ctl_message *, kind EVENT */
	GQueue replies;		/* struct vireo_ctl_message *, kind REPLY */
	char *protocol_error;	/* first malformed line's problem */
	bool closed;		/* the server closed the connection */
};

static const struct {
	const char *name;
	enum vireo_ctl_remote_code code;
} remote_codes[] = {
	{ VIREO_CTL_E_PARSE, VIREO_CTL_REMOTE_PARSE },
	{ VIREO_CTL_E_INVALID, VIREO_CTL_REMOTE_INVALID },
	{ VIREO_CTL_E_TOO_LONG, VIREO_CTL_REMOTE_TOO_LONG },
	{ VIREO_CTL_E_UNKNOWN, VIREO_CTL_REMOTE_UNKNOWN },
	{ VIREO_CTL_E_ARGS, VIREO_CTL_REMOTE_ARGS },
	{ VIREO_CTL_E_STATE, VIREO_CTL_REMOTE_STATE },
	{ VIREO_CTL_E_NOT_SUPPORTED, VIREO_CTL_REMOTE_NOT_SUPPORTED },
	{ VIREO_CTL_E_INTERNAL, VIREO_CTL_REMOTE_INTERNAL },
	{ VIREO_CTL_E_BUSY, VIREO_CTL_REMOTE_BUSY },
};

enum vireo_ctl_remote_code vireo_ctl_remote_code_from_string(const char *code)
{
	size_t i;

	for (i = 0; code && i < G_N_ELEMENTS(remote_codes); i++) {
		if (!strcmp(remote_codes[i].name, code))
			return remote_codes[i].code;
	}
	return VIREO_CTL_REMOTE_OTHER;
}

static void message_free(gpointer p)
{
	struct vireo_ctl_message *m = p;

	vireo_ctl_message_clear(m);
	g_free(m);
}

struct vireo_ctl_client *vireo_ctl_client_connect(const char *path, int timeout_ms,
						  GError **error)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vireo_ctl_client *c;
	gint64 deadline = g_get_monotonic_time() + (gint64)MAX(timeout_ms, 0) * 1000;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_CONNECT,
			    "%s: longer than a UNIX socket path may be", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	/*
	 * Non-blocking: a blocking connect() to a server whose backlog is full
	 * (a stopped monitor keeps every connection it never accepted) waits
	 * for ever; this one fails with EAGAIN and the deadline holds.  I/O is
	 * MSG_DONTWAIT with poll() anyway.
	 */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_CONNECT, "socket: %s",
			    g_strerror(errno));
		return NULL;
	}
	/* A full backlog (EAGAIN) is the only transient failure. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if ((e == EAGAIN || e == EINTR) && g_get_monotonic_time() < deadline) {
			g_usleep(10 * 1000);
			continue;
		}
		g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_CONNECT, "%s: %s", path,
			    g_strerror(e));
		close(fd);
		return NULL;
	}
	c = g_new0(struct vireo_ctl_client, 1);
	c->fd = fd;
	c->next_id = 1;
	vireo_ctl_linebuf_init(&c->lb);
	g_queue_init(&c->events);
	g_queue_init(&c->replies);
	return c;
}

void vireo_ctl_client_free(struct vireo_ctl_client *c)
{
	if (!c)
		return;
	close(c->fd);
	vireo_ctl_linebuf_fini(&c->lb);
	g_queue_clear_full(&c->events, message_free);
	g_queue_clear_full(&c->replies, message_free);
	g_free(c->protocol_error);
	g_free(c);
}

int vireo_ctl_client_fd(struct vireo_ctl_client *c)
{
	return c->fd;
}

static bool on_line(void *opaque, const char *line, size_t len)
{
	struct vireo_ctl_client *c = opaque;
	struct vireo_ctl_message *m;
	char *why = NULL;

	if (!line) {
		c->protocol_error = g_strdup("the monitor sent a line longer than 64 KiB");
		return false;
	}
	m = g_new0(struct vireo_ctl_message, 1);
	if (!vireo_ctl_message_parse(line, len, m, &why)) {
		c->protocol_error = g_strdup_printf("the monitor sent a malformed message: %s",
						    why ? why : "?");
		g_free(why);
		message_free(m);
		return false;
	}
	if (m->kind == VIREO_CTL_MSG_EVENT) {
		g_queue_push_tail(&c->events, m);
		while (g_queue_get_length(&c->events) > VIREO_CTL_CLIENT_EVENTS_MAX)
			message_free(g_queue_pop_head(&c->events));
	} else {
		g_queue_push_tail(&c->replies, m);
	}
	return true;
}

static int remaining_ms(gint64 deadline)
{
	gint64 left;

	if (deadline < 0)
		return -1;
	left = (deadline - g_get_monotonic_time() + 999) / 1000;
	return left > 0 ? (int)MIN(left, G_MAXINT) : 0;
}

/* Read whatever arrives before the deadline (at least one read attempt);
 * false with error set on failure, true otherwise (even with nothing). */
static bool pump(struct vireo_ctl_client *c, gint64 deadline, GError **error)
{
	char buf[16 * 1024];
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	ssize_t n;
	int r;

	if (c->protocol_error) {
		g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_PROTOCOL, "%s",
			    c->protocol_error);
		return false;
	}
	if (c->closed) {
		g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_IO,
			    "the monitor closed the connection");
		return false;
	}
	r = poll(&p, 1, remaining_ms(deadline));
	if (r < 0 && errno == EINTR)
		return true;
	if (r < 0) {
		g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_IO, "poll: %s",
			    g_strerror(errno));
		return false;
	}
	if (r == 0)
		return true;
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n < 0) {
		g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_IO, "recv: %s",
			    g_strerror(errno));
		return false;
	}
	if (n == 0) {
		c->closed = true;
		return true;	/* the queued messages are still good */
	}
	vireo_ctl_linebuf_feed(&c->lb, buf, n, on_line, c);
	return true;
}

static bool send_all(struct vireo_ctl_client *c, const char *data, size_t len, gint64 deadline,
		     GError **error)
{
	while (len) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			data += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_IO, "send: %s",
				    g_strerror(errno));
			return false;
		}
		if (poll(&p, 1, remaining_ms(deadline)) == 0) {
			g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_TIMEOUT,
				    "the monitor does not read its control socket");
			return false;
		}
	}
	return true;
}

static gint64 deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
}

static bool expired(gint64 deadline)
{
	return deadline >= 0 && g_get_monotonic_time() >= deadline;
}

/* Take the reply to request 'id' out of the queue, dropping stale ones.
 * A reply with id null answers the request in flight (the server could
 * not read its id). */
static struct vireo_ctl_message *take_reply(struct vireo_ctl_client *c, int64_t id)
{
	struct vireo_ctl_message *m;

	while ((m = g_queue_pop_head(&c->replies))) {
		if (!m->has_id || m->id == id)
			return m;
		message_free(m);	/* the answer to a call that timed out */
	}
	return NULL;
}

JsonNode *vireo_ctl_client_call(struct vireo_ctl_client *c, const char *cmd, JsonObject *args,
				int timeout_ms, GError **error)
{
	gint64 deadline = deadline_of(timeout_ms);
	struct vireo_ctl_message *m = NULL;
	JsonNode *args_node = NULL, *result = NULL;
	int64_t id = c->next_id++;
	char *line;
	bool sent;

	if (args) {
		args_node = json_node_new(JSON_NODE_OBJECT);
		json_node_set_object(args_node, args);
	}
	line = vireo_ctl_format_request(id, cmd, args_node);
	if (args_node)
		json_node_unref(args_node);
	sent = send_all(c, line, strlen(line), deadline, error);
	g_free(line);
	if (!sent)
		return NULL;
	while (!(m = take_reply(c, id))) {
		if (c->closed) {
			g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_IO,
				    "the monitor closed the connection before answering %s", cmd);
			return NULL;
		}
		if (expired(deadline)) {
			g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_TIMEOUT,
				    "no answer to %s within %d ms", cmd, timeout_ms);
			return NULL;
		}
		if (!pump(c, deadline, error))
			return NULL;
	}
	if (m->ok) {
		result = json_node_ref(m->result);
	} else {
		g_set_error(error, VIREO_CTL_REMOTE_ERROR,
			    vireo_ctl_remote_code_from_string(m->error_code), "%s",
			    m->error_message && *m->error_message ? m->error_message :
								    m->error_code);
	}
	message_free(m);
	return result;
}

bool vireo_ctl_client_next_event(struct vireo_ctl_client *c, int timeout_ms, char **event,
				 JsonNode **data, GError **error)
{
	gint64 deadline = deadline_of(timeout_ms);
	struct vireo_ctl_message *m;

	for (;;) {
		m = g_queue_pop_head(&c->events);
		if (m)
			break;
		if (c->closed) {
			g_set_error(error, VIREO_CTL_ERROR, VIREO_CTL_ERROR_IO,
				    "the monitor closed the connection");
			return false;
		}
		if (!pump(c, deadline, error))
			return false;
		if (expired(deadline) && g_queue_is_empty(&c->events))
			return false;
	}
	*event = g_strdup(m->event);
	if (data)
		*data = json_node_ref(m->data);
	message_free(m);
	return true;
}
