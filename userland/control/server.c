// SPDX-License-Identifier: GPL-2.0
/*
 * The control server (contract in server.h): a listening UNIX socket and
 * its clients, all served by one thread running a private GMainContext.
 *
 * Lifetimes: a struct client is created by the listener and destroyed
 * only on the server thread — from its own dispatch, or from the event
 * broadcast (never while another client's dispatch is on the stack) — or
 * by stop() after the thread has been joined.  Code that discovers a
 * client must go (queue overflow, write error) only sets c->dead; the
 * owner of the call frame destroys it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "internal.h"

#define DEFAULT_MAX_CLIENTS	16
#define DEFAULT_QUEUE_MAX	(1024 * 1024)
#define READ_CHUNK		(16 * 1024)
#define READS_PER_DISPATCH	8	/* then let the other clients have a turn */
/* Events handed to the server thread and not yet broadcast: past this,
 * emit drops events (a monitor emitting faster than one thread can
 * format and queue them has a bug; its memory must not grow for it). */
#define EVENTS_PENDING_MAX	4096

struct client;

/* A GSource watching one fd whose conditions change (readable always,
 * writable only while output is queued). */
struct fd_source {
	GSource base;
	gpointer tag;
	gboolean (*fn)(struct fd_source *fs, GIOCondition rev);
	void *data;
};

struct vireo_ctl_server {
	/* (i) set by start before the thread runs, then read-only */
	char *path;
	const struct vireo_ctl_command *commands;
	void *opaque;
	unsigned int max_clients;
	size_t queue_max;
	int listen_fd;
	GMainContext *ctx;
	GMainLoop *loop;
	GThread *thread;
	struct fd_source *listener;

	/* (t) server thread only (after the join: stop) */
	GList *clients;

	/* (a) atomic */
	gint n_clients;
	gint events_pending;
	gint events_dropped;

	/* (m) under lock */
	GMutex lock;
	bool stopping;
};

struct client {
	struct vireo_ctl_server *srv;
	int fd;
	struct fd_source *src;
	struct vireo_ctl_linebuf lb;
	GString *out;		/* queued output ... */
	size_t out_off;		/* ... of which this much is written */
	bool eof;		/* the peer shut down its writing side */
	bool dead;		/* to be destroyed by the frame that owns it */
};

/* ------------------------------------------------------------ fd source */

static gboolean fd_source_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
	struct fd_source *fs = (struct fd_source *)s;

	(void)cb;
	(void)data;
	return fs->fn(fs, g_source_query_unix_fd(s, fs->tag));
}

static GSourceFuncs fd_source_funcs = {
	.dispatch = fd_source_dispatch,
};

static struct fd_source *fd_source_new(GMainContext *ctx, int fd, GIOCondition cond,
				       gboolean (*fn)(struct fd_source *, GIOCondition),
				       void *data)
{
	struct fd_source *fs =
		(struct fd_source *)g_source_new(&fd_source_funcs, sizeof(struct fd_source));

	fs->fn = fn;
	fs->data = data;
	fs->tag = g_source_add_unix_fd(&fs->base, fd, cond);
	g_source_attach(&fs->base, ctx);
	return fs;
}

static void fd_source_free(struct fd_source *fs)
{
	if (!fs)
		return;
	g_source_destroy(&fs->base);
	g_source_unref(&fs->base);
}

/* ------------------------------------------------------------ output */

static size_t pending(const struct client *c)
{
	return c->out->len - c->out_off;
}

/* Write what the socket takes now; never blocks. */
static void client_flush(struct client *c)
{
	while (!c->dead && pending(c)) {
		ssize_t n = send(c->fd, c->out->str + c->out_off, pending(c),
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			c->dead = true;	/* EPIPE, ECONNRESET: the peer is gone */
			break;
		}
		c->out_off += n;
	}
	if (!pending(c)) {
		g_string_truncate(c->out, 0);
		c->out_off = 0;
	} else if (c->out_off > 64 * 1024) {
		g_string_erase(c->out, 0, c->out_off);
		c->out_off = 0;
	}
}

/* Queue one line; a client whose queue would overflow is dropped: it has
 * stopped reading, and nobody waits for it. */
static void client_queue(struct client *c, const char *line)
{
	size_t n = strlen(line);

	if (c->dead)
		return;
	if (pending(c) + n > c->srv->queue_max) {
		c->dead = true;
		return;
	}
	g_string_append_len(c->out, line, n);
}

static void client_update_watch(struct client *c)
{
	GIOCondition cond = pending(c) ? G_IO_OUT : 0;

	if (!c->eof)
		cond |= G_IO_IN;
	g_source_modify_unix_fd(&c->src->base, c->src->tag, cond);
}

static void client_destroy(struct client *c)
{
	struct vireo_ctl_server *srv = c->srv;

	srv->clients = g_list_remove(srv->clients, c);
	g_atomic_int_add(&srv->n_clients, -1);
	fd_source_free(c->src);
	close(c->fd);
	vireo_ctl_linebuf_fini(&c->lb);
	g_string_free(c->out, TRUE);
	g_free(c);
}

/* ------------------------------------------------------------ requests */

static void builtin_version(struct vireo_ctl_server *srv, struct vireo_ctl_json *r)
{
	(void)srv;
	vireo_ctl_json_int(r, "protocol", VIREO_CTL_PROTOCOL_VERSION);
	vireo_ctl_json_string(r, "server", "vireo");
	vireo_ctl_json_int(r, "line_max", VIREO_CTL_LINE_MAX);
}

static void builtin_commands(struct vireo_ctl_server *srv, struct vireo_ctl_json *r)
{
	const struct vireo_ctl_command *cmd;

	vireo_ctl_json_begin_array(r, "commands");
	vireo_ctl_json_begin_object(r, NULL);
	vireo_ctl_json_string(r, "name", "query-version");
	vireo_ctl_json_string(r, "help", "protocol version and limits");
	vireo_ctl_json_end_object(r);
	vireo_ctl_json_begin_object(r, NULL);
	vireo_ctl_json_string(r, "name", "query-commands");
	vireo_ctl_json_string(r, "help", "the commands this server knows");
	vireo_ctl_json_end_object(r);
	for (cmd = srv->commands; cmd && cmd->name; cmd++) {
		vireo_ctl_json_begin_object(r, NULL);
		vireo_ctl_json_string(r, "name", cmd->name);
		vireo_ctl_json_string(r, "help", cmd->help ? cmd->help : "");
		vireo_ctl_json_end_object(r);
	}
	vireo_ctl_json_end_array(r);
}

static const struct vireo_ctl_command *find_command(struct vireo_ctl_server *srv,
						    const char *name)
{
	const struct vireo_ctl_command *cmd;

	for (cmd = srv->commands; cmd && cmd->name; cmd++) {
		if (!strcmp(cmd->name, name) && cmd->fn)
			return cmd;
	}
	return NULL;
}

static char *run_request(struct vireo_ctl_server *srv, const struct vireo_ctl_request *req)
{
	struct vireo_ctl_json *result = vireo_ctl_json_new();
	struct vireo_ctl_error err = { 0 };
	struct vireo_ctl_args args = { .obj = req->args };
	const struct vireo_ctl_command *cmd;
	JsonNode *node;
	char *line;
	int ret;

	if (!strcmp(req->cmd, "query-version")) {
		builtin_version(srv, result);
		ret = 0;
	} else if (!strcmp(req->cmd, "query-commands")) {
		builtin_commands(srv, result);
		ret = 0;
	} else if ((cmd = find_command(srv, req->cmd))) {
		ret = cmd->fn(srv->opaque, &args, result, &err);
	} else {
		vireo_ctl_json_free(result);
		return vireo_ctl_format_error(true, req->id, VIREO_CTL_E_UNKNOWN,
					      "no command named this; see query-commands");
	}
	node = vireo_ctl_json_finish(result);
	if (ret >= 0)
		line = vireo_ctl_format_ok(req->id, node);
	else
		line = vireo_ctl_format_error(true, req->id,
					      err.code ? err.code : VIREO_CTL_E_INTERNAL,
					      err.message ? err.message : "the command failed");
	json_node_unref(node);
	vireo_ctl_error_clear(&err);
	return line;
}

static bool client_line(void *opaque, const char *line, size_t len)
{
	struct client *c = opaque;
	struct vireo_ctl_request req;
	const char *code;
	char *message, *reply;

	if (c->dead)
		return false;
	if (!line) {
		reply = vireo_ctl_format_error(false, 0, VIREO_CTL_E_TOO_LONG,
					       "message longer than 65536 bytes; discarded");
	} else if (!vireo_ctl_request_parse(line, len, &req, &code, &message)) {
		reply = vireo_ctl_format_error(req.has_id, req.id, code, message);
		g_free(message);
		vireo_ctl_request_clear(&req);
	} else {
		reply = run_request(c->srv, &req);
		vireo_ctl_request_clear(&req);
	}
	client_queue(c, reply);
	g_free(reply);
	return !c->dead;
}

/* ------------------------------------------------------------ dispatch */

static void client_read(struct client *c)
{
	char buf[READ_CHUNK];
	int i;

	for (i = 0; i < READS_PER_DISPATCH && !c->dead && !c->eof; i++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			c->dead = true;
			return;
		}
		if (n == 0) {
			/* Half-close: answer what was asked, then close. */
			c->eof = true;
			return;
		}
		vireo_ctl_linebuf_feed(&c->lb, buf, n, client_line, c);
		/* Replies go out as they are made, so that a client pipelining
		 * many requests does not hit the queue limit needlessly. */
		client_flush(c);
	}
}

static gboolean client_dispatch(struct fd_source *fs, GIOCondition rev)
{
	struct client *c = fs->data;

	if (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR))
		client_read(c);
	client_flush(c);
	if (c->dead || (c->eof && !pending(c)) || ((rev & G_IO_ERR) && !(rev & G_IO_IN))) {
		client_destroy(c);
		return G_SOURCE_REMOVE;	/* already destroyed; GLib holds its ref */
	}
	client_update_watch(c);
	return G_SOURCE_CONTINUE;
}

static void refuse_client(int fd)
{
	char *line = vireo_ctl_format_error(false, 0, VIREO_CTL_E_BUSY,
					    "too many clients; try again later");

	(void)!send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	g_free(line);
	close(fd);
}

static gboolean listener_resume(gpointer p)
{
	struct vireo_ctl_server *srv = p;

	g_source_modify_unix_fd(&srv->listener->base, srv->listener->tag, G_IO_IN);
	return G_SOURCE_REMOVE;
}

static gboolean listener_dispatch(struct fd_source *fs, GIOCondition rev)
{
	struct vireo_ctl_server *srv = fs->data;
	struct client *c;
	int fd;

	(void)rev;
	for (;;) {
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			       errno == ENOMEM)) {
			/* The pending connection stays readable: stop watching
			 * for a while rather than spin on it. */
			GSource *t = g_timeout_source_new(100);

			g_source_modify_unix_fd(&fs->base, fs->tag, 0);
			g_source_set_callback(t, listener_resume, srv, NULL);
			g_source_attach(t, srv->ctx);
			g_source_unref(t);
			break;
		}
		if (fd < 0)
			break;	/* EAGAIN, or a transient error: try at the next wakeup */
		if ((unsigned int)g_atomic_int_get(&srv->n_clients) >= srv->max_clients) {
			refuse_client(fd);
			continue;
		}
		c = g_new0(struct client, 1);
		c->srv = srv;
		c->fd = fd;
		c->out = g_string_new(NULL);
		vireo_ctl_linebuf_init(&c->lb);
		c->src = fd_source_new(srv->ctx, fd, G_IO_IN, client_dispatch, c);
		srv->clients = g_list_prepend(srv->clients, c);
		g_atomic_int_add(&srv->n_clients, 1);
	}
	return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------ events */

struct broadcast {
	struct vireo_ctl_server *srv;
	char *line;
};

static void broadcast_free(gpointer p)
{
	struct broadcast *b = p;

	g_atomic_int_add(&b->srv->events_pending, -1);
	g_free(b->line);
	g_free(b);
}

static gboolean broadcast_dispatch(gpointer p)
{
	struct broadcast *b = p;
	GList *l, *next;

	for (l = b->srv->clients; l; l = next) {
		struct client *c = l->data;

		next = l->next;
		client_queue(c, b->line);
		client_flush(c);
		if (c->dead)
			client_destroy(c);
		else
			client_update_watch(c);
	}
	return G_SOURCE_REMOVE;
}

int vireo_ctl_server_emit(struct vireo_ctl_server *srv, const char *event,
			  struct vireo_ctl_json *data)
{
	JsonNode *node = data ? vireo_ctl_json_finish(data) : NULL;
	struct broadcast *b;
	GSource *src;

	if (!srv || !vireo_ctl_name_valid(event)) {
		if (node)
			json_node_unref(node);
		return -EINVAL;
	}
	if (g_atomic_int_add(&srv->events_pending, 1) >= EVENTS_PENDING_MAX) {
		g_atomic_int_add(&srv->events_pending, -1);
		g_atomic_int_inc(&srv->events_dropped);
		if (node)
			json_node_unref(node);
		return -EAGAIN;
	}
	b = g_new0(struct broadcast, 1);
	b->srv = srv;
	b->line = vireo_ctl_format_event(event, node);
	if (node)
		json_node_unref(node);
	/* Always through the loop, even from the server thread itself: a
	 * handler's event must not destroy clients under the dispatch that
	 * called the handler.  Sources of one priority run in the order they
	 * were attached, so events keep their order. */
	src = g_idle_source_new();
	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, broadcast_dispatch, b, broadcast_free);
	g_mutex_lock(&srv->lock);
	if (!srv->stopping)
		g_source_attach(src, srv->ctx);
	g_mutex_unlock(&srv->lock);
	g_source_unref(src);	/* frees b at once if it was not attached */
	return 0;
}

unsigned int vireo_ctl_server_clients(struct vireo_ctl_server *srv)
{
	return srv ? (unsigned int)g_atomic_int_get(&srv->n_clients) : 0;
}

/* ------------------------------------------------------------ lifetime */

/* Whether a server answers on path (a live monitor, not a stale file). */
static bool socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

static int listen_socket(const char *path, int *out, GError **error)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *dir = g_path_get_dirname(path);
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		ret = vireo_error_set(error, ENAMETOOLONG, "%s: longer than a UNIX socket path may be",
			   path);
		goto out;
	}
	strcpy(sa.sun_path, path);
	if (g_mkdir_with_parents(dir, 0700) < 0) {
		ret = vireo_error_set(error, errno, "%s: %s", dir, g_strerror(errno));
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = vireo_error_set(error, errno, "socket: %s", g_strerror(errno));
		goto out;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EADDRINUSE)
			goto bind_failed;
		if (socket_alive(&sa)) {
			close(fd);
			ret = vireo_error_set(error, EADDRINUSE,
				   "%s: another server answers on this socket", path);
			goto out;
		}
		unlink(path);	/* left by a monitor that died */
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			goto bind_failed;
	}
	chmod(path, 0600);
	if (listen(fd, 16) < 0) {
		ret = vireo_error_set(error, errno, "%s: listen: %s", path, g_strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	*out = fd;
	ret = 0;
	goto out;
bind_failed:
	ret = vireo_error_set(error, errno, "%s: bind: %s", path, g_strerror(errno));
	close(fd);
out:
	g_free(dir);
	return ret;
}

static gpointer server_thread(gpointer p)
{
	struct vireo_ctl_server *srv = p;

	g_main_context_push_thread_default(srv->ctx);
	g_main_loop_run(srv->loop);
	g_main_context_pop_thread_default(srv->ctx);
	return NULL;
}

int vireo_ctl_server_start(const struct vireo_ctl_server_config *cfg,
			   struct vireo_ctl_server **out, GError **error)
{
	struct vireo_ctl_server *srv;
	const struct vireo_ctl_command *cmd;
	int fd = -1, ret;

	*out = NULL;
	if (!cfg || !cfg->path)
		return vireo_error_set(error, EINVAL, "no socket path");
	for (cmd = cfg->commands; cmd && cmd->name; cmd++) {
		if (!vireo_ctl_name_valid(cmd->name))
			return vireo_error_set(error, EINVAL, "command \"%s\": not a command name",
				    cmd->name);
	}
	ret = listen_socket(cfg->path, &fd, error);
	if (ret < 0)
		return ret;
	srv = g_new0(struct vireo_ctl_server, 1);
	srv->path = g_strdup(cfg->path);
	srv->commands = cfg->commands;
	srv->opaque = cfg->opaque;
	srv->max_clients = cfg->max_clients ? cfg->max_clients : DEFAULT_MAX_CLIENTS;
	srv->queue_max = cfg->queue_max ? cfg->queue_max : DEFAULT_QUEUE_MAX;
	srv->listen_fd = fd;
	g_mutex_init(&srv->lock);
	srv->ctx = g_main_context_new();
	srv->loop = g_main_loop_new(srv->ctx, FALSE);
	srv->listener = fd_source_new(srv->ctx, fd, G_IO_IN, listener_dispatch, srv);
	srv->thread = g_thread_new("vireo-control", server_thread, srv);
	*out = srv;
	return 0;
}

static gboolean quit_dispatch(gpointer p)
{
	g_main_loop_quit(p);
	return G_SOURCE_REMOVE;
}

void vireo_ctl_server_stop(struct vireo_ctl_server *srv)
{
	GSource *src;
	GList *l;

	if (!srv)
		return;
	/* Quit through the loop, after the events already emitted (same
	 * priority, attached later); a plain g_main_loop_quit() could also
	 * be lost if the thread has not entered the loop yet. */
	src = g_idle_source_new();
	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, quit_dispatch, srv->loop, NULL);
	g_mutex_lock(&srv->lock);
	srv->stopping = true;
	g_source_attach(src, srv->ctx);
	g_mutex_unlock(&srv->lock);
	g_source_unref(src);
	g_thread_join(srv->thread);

	/* The thread is gone: the clients are ours now. */
	for (l = srv->clients; l; l = l->next)
		client_flush(l->data);
	while (srv->clients)
		client_destroy(srv->clients->data);
	fd_source_free(srv->listener);
	close(srv->listen_fd);
	unlink(srv->path);
	g_main_loop_unref(srv->loop);
	g_main_context_unref(srv->ctx);
	g_mutex_clear(&srv->lock);
	g_free(srv->path);
	g_free(srv);
}
