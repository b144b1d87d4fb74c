// SPDX-License-Identifier: GPL-2.0
/*
 * The control server in-process, on a real UNIX socket in the temporary
 * XDG_RUNTIME_DIR the runner sets: good and bad messages on one
 * connection, oversized lines, pipelining, concurrent clients, event
 * broadcast, a client that stops reading, half-close, stale and live
 * sockets, the client limit, stop flushing, and the client library.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "control/client.h"
#include "control/protocol.h"
#include "control/server.h"
#include "test.h"

static atomic_int kill_requested;

static int h_status(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)e;
	vireo_ctl_json_string(r, "state", "running");
	return 0;
}

/* Echo n, s and b back, checking their types. */
static int h_echo(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	const char *s;
	int64_t n;
	bool b;
	int ret;

	(void)o;
	ret = vireo_ctl_args_int(a, "n", &n);
	if (ret == -EINVAL)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "n: expected an integer");
	if (!ret)
		vireo_ctl_json_int(r, "n", n);
	if (!vireo_ctl_args_string(a, "s", &s))
		vireo_ctl_json_string(r, "s", s);
	if (!vireo_ctl_args_bool(a, "b", &b))
		vireo_ctl_json_bool(r, "b", b);
	vireo_ctl_json_bool(r, "had_x", vireo_ctl_args_has(a, "x"));
	return 0;
}

static int h_fail(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)r;
	return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "already %s", "paused");
}

static int h_fail_silent(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
			 struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)r;
	(void)e;
	return -1;
}

/* Breaks the handler contract on purpose, for the client timeout test. */
static int h_slow(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)r;
	(void)e;
	g_usleep(300 * 1000);
	return 0;
}

static struct vireo_ctl_server *the_server;

static int h_emit(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	struct vireo_ctl_json *d = vireo_ctl_json_new();

	(void)o;
	(void)a;
	(void)r;
	(void)e;
	vireo_ctl_json_int(d, "done", 1);
	vireo_ctl_server_emit(the_server, "progress", d);
	return 0;
}

static int h_kill(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)r;
	(void)e;
	atomic_store(&kill_requested, 1);
	return 0;
}

static int h_nested(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	int i;

	(void)o;
	(void)a;
	(void)e;
	vireo_ctl_json_begin_array(r, "vcpus");
	for (i = 0; i < 3; i++) {
		vireo_ctl_json_begin_object(r, NULL);
		vireo_ctl_json_int(r, "id", i);
		vireo_ctl_json_double(r, "load", 0.5);
		vireo_ctl_json_null(r, "thread");
		vireo_ctl_json_end_object(r);
	}
	vireo_ctl_json_int(r, "ignored-in-array", 1);	/* misuse: ignored */
	vireo_ctl_json_end_array(r);
	vireo_ctl_json_int(r, NULL, 2);			/* misuse: ignored */
	vireo_ctl_json_string(r, "bad-utf8", "a\xff");
	for (i = 0; i < 100; i++)			/* deeper than the limit */
		vireo_ctl_json_begin_object(r, "deep");
	vireo_ctl_json_end_array(r);			/* wrong kind: ignored */
	return 0;					/* unclosed: closed for us */
}

static const struct vireo_ctl_command commands[] = {
	{ "query-status", h_status, "state" },
	{ "echo", h_echo, "echo n, s, b" },
	{ "fail", h_fail, "always fails" },
	{ "fail-silent", h_fail_silent, "fails without saying why" },
	{ "slow", h_slow, "takes 300 ms" },
	{ "emit", h_emit, "emits a progress event" },
	{ "kill", h_kill, "asks the main thread to stop" },
	{ "nested", h_nested, "a nested result" },
	{ NULL, NULL, NULL },
};

static char *sock_path(void)
{
	return g_build_filename(g_getenv("XDG_RUNTIME_DIR"), "vireo", "test.sock", NULL);
}

static struct vireo_ctl_server *start_with(unsigned int max_clients, size_t queue_max)
{
	char *path = sock_path();
	g_autoptr(GError) err = NULL;
	struct vireo_ctl_server_config cfg = {
		.path = path,
		.commands = commands,
		.max_clients = max_clients,
		.queue_max = queue_max,
	};
	struct vireo_ctl_server *s = NULL;
	int ret = vireo_ctl_server_start(&cfg, &s, &err);

	if (ret < 0)
		vireo_test_fail(__FILE__, __LINE__, "start: %d %s", ret, ERRMSG(err));
	g_free(path);
	the_server = s;
	return s;
}

static struct vireo_ctl_server *start(void)
{
	return start_with(0, 0);
}

/* ------------------------------------------------------------ raw clients */

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = sock_path();
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	g_free(path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool raw_send(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return false;
		s += w;
		n -= w;
	}
	return true;
}

static bool raw_sends(int fd, const char *s)
{
	return raw_send(fd, s, strlen(s));
}

/* One line (without "\n"), or NULL on EOF/timeout. */
static char *raw_line(int fd, int timeout_ms)
{
	GString *s = g_string_new(NULL);
	char c;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, timeout_ms) <= 0 || recv(fd, &c, 1, 0) != 1) {
			g_string_free(s, TRUE);
			return NULL;
		}
		if (c == '\n')
			return g_string_free(s, FALSE);
		g_string_append_c(s, c);
	}
}

/* Whether the peer closed (EOF within timeout_ms, after draining). */
static bool raw_eof(int fd, int timeout_ms)
{
	char buf[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, timeout_ms) <= 0)
			return false;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0)
			return true;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

/* Send a line, read the reply, check its id (or null) and ok/code. */
static void raw_expect(int fd, const char *req, bool has_id, int64_t id, const char *code)
{
	struct vireo_ctl_message m;
	char *line, *why = NULL;

	T_TRUE(raw_send(fd, req, strlen(req)));
	line = raw_line(fd, 5000);
	T_TRUE(line != NULL);
	if (!vireo_ctl_message_parse(line, strlen(line), &m, &why)) {
		vireo_test_fail(__FILE__, __LINE__, "reply to '%.60s' unparsable: %s", req, why);
		g_free(why);
		g_free(line);
		return;
	}
	if (m.kind != VIREO_CTL_MSG_REPLY || m.has_id != has_id || (has_id && m.id != id) ||
	    m.ok != !code || (code && strcmp(m.error_code, code)))
		vireo_test_fail(__FILE__, __LINE__, "reply to '%.60s' is '%s'", req, line);
	vireo_ctl_message_clear(&m);
	g_free(line);
}

static void test_good_requests(void)
{
	struct vireo_ctl_server *s;
	char *line;
	int fd;

	T_CALL(s = start());
	fd = raw_connect();
	T_TRUE(fd >= 0);
	T_TRUE(raw_sends(fd, "{\"id\":1,\"cmd\":\"query-status\"}\n"));
	line = raw_line(fd, 5000);
	T_TRUE(line && !strcmp(line, "{\"id\":1,\"ok\":true,\"result\":{\"state\":\"running\"}}"));
	g_free(line);
	T_TRUE(raw_sends(fd, "{\"id\":2,\"cmd\":\"query-version\"}\r\n"));
	line = raw_line(fd, 5000);
	T_STR_CONTAINS(line, "\"protocol\":1");
	g_free(line);
	T_TRUE(raw_sends(fd, "{\"id\":3,\"cmd\":\"query-commands\"}\n"));
	line = raw_line(fd, 5000);
	T_STR_CONTAINS(line, "\"name\":\"echo\"");
	T_STR_CONTAINS(line, "\"name\":\"query-version\"");
	g_free(line);
	T_TRUE(raw_sends(fd, "{\"id\":4,\"cmd\":\"echo\",\"args\":{\"n\":7,\"s\":\"\\u00e9\",\"b\":true,"
			    "\"x\":null}}\n"));
	line = raw_line(fd, 5000);
	T_TRUE(line && !strcmp(line, "{\"id\":4,\"ok\":true,\"result\":{\"n\":7,\"s\":\"\xc3\xa9\","
				     "\"b\":true,\"had_x\":false}}"));
	g_free(line);
	close(fd);
	vireo_ctl_server_stop(s);
}

static void test_bad_messages(void)
{
	static const struct {
		const char *line;
		bool has_id;
		int64_t id;
		const char *code;
	} cases[] = {
		{ "garbage\n", false, 0, "parse-error" },
		{ "{\n", false, 0, "parse-error" },
		{ "\xff\xfe\n", false, 0, "parse-error" },
		{ "[]\n", false, 0, "invalid-request" },
		{ "{}\n", false, 0, "invalid-request" },
		{ "{\"id\":1}\n", true, 1, "invalid-request" },
		{ "{\"id\":2,\"cmd\":\"nope\"}\n", true, 2, "unknown-command" },
		{ "{\"id\":3,\"cmd\":\"echo\",\"args\":{\"n\":\"x\"}}\n", true, 3, "invalid-argument" },
		{ "{\"id\":4,\"cmd\":\"echo\",\"args\":5}\n", true, 4, "invalid-request" },
		{ "{\"id\":5,\"cmd\":\"fail\"}\n", true, 5, "state-conflict" },
		{ "{\"id\":6,\"cmd\":\"fail-silent\"}\n", true, 6, "internal-error" },
		{ "{\"id\":7,\"cmd\":\"echo\",\"args\":{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}\n",
		  false, 0, "parse-error" },
	};
	struct vireo_ctl_server *s;
	size_t i;
	int fd;

	T_CALL(s = start());
	fd = raw_connect();
	T_TRUE(fd >= 0);
	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		T_CALL(raw_expect(fd, cases[i].line, cases[i].has_id, cases[i].id, cases[i].code));
	/* The same connection still works. */
	T_CALL(raw_expect(fd, "{\"id\":99,\"cmd\":\"query-status\"}\n", true, 99, NULL));
	T_EQ(vireo_ctl_server_clients(s), 1);
	close(fd);
	vireo_ctl_server_stop(s);
}

static void test_oversized_lines(void)
{
	const char *req = "{\"id\":1,\"cmd\":\"query-status\"}";
	struct vireo_ctl_server *s;
	size_t n = 70 * 1024, i;
	char *big = g_malloc(n + 1), *exact;
	int fd;

	T_CALL(s = start());
	fd = raw_connect();
	T_TRUE(fd >= 0);
	/* One over-long line: one error with id null, then service as usual. */
	memset(big, 'a', n);
	big[n] = '\n';
	T_TRUE(raw_send(fd, big, n + 1));
	T_CALL(raw_expect(fd, "{\"id\":2,\"cmd\":\"query-status\"}\n", false, 0, "line-too-long"));
	{
		char *line = raw_line(fd, 5000);	/* the reply to id 2 */

		T_STR_CONTAINS(line, "\"id\":2,\"ok\":true");
		g_free(line);
	}
	/* 200 KiB without a newline, in pieces, then the newline. */
	for (i = 0; i < 200; i++)
		T_TRUE(raw_send(fd, big, 1024));
	T_CALL(raw_expect(fd, "\n", false, 0, "line-too-long"));
	/* Exactly 64 KiB of valid JSON (padded with spaces) is accepted. */
	exact = g_malloc(VIREO_CTL_LINE_MAX + 2);
	memset(exact, ' ', VIREO_CTL_LINE_MAX);
	memcpy(exact, req, strlen(req));
	exact[VIREO_CTL_LINE_MAX] = '\n';
	exact[VIREO_CTL_LINE_MAX + 1] = 0;
	T_CALL(raw_expect(fd, exact, true, 1, NULL));
	/* One byte more is not. */
	exact[VIREO_CTL_LINE_MAX] = ' ';
	exact[VIREO_CTL_LINE_MAX + 1] = '\n';
	T_TRUE(raw_send(fd, exact, VIREO_CTL_LINE_MAX + 2));
	T_CALL(raw_expect(fd, "{\"id\":3,\"cmd\":\"query-status\"}\n", false, 0, "line-too-long"));
	g_free(raw_line(fd, 5000));
	T_CALL(raw_expect(fd, "{\"id\":4,\"cmd\":\"query-status\"}\n", true, 4, NULL));
	g_free(exact);
	close(fd);
	vireo_ctl_server_stop(s);
	g_free(big);
}

static void test_pipelined(void)
{
	struct vireo_ctl_server *s;
	GString *all = g_string_new(NULL);
	int fd, i;

	T_CALL(s = start());
	fd = raw_connect();
	for (i = 0; i < 500; i++)
		g_string_append_printf(all, "{\"id\":%d,\"cmd\":\"echo\",\"args\":{\"n\":%d}}\n", i,
				       i * 3);
	T_TRUE(raw_send(fd, all->str, all->len));
	for (i = 0; i < 500; i++) {
		char *line = raw_line(fd, 5000), want[96];

		snprintf(want, sizeof(want),
			 "{\"id\":%d,\"ok\":true,\"result\":{\"n\":%d,\"had_x\":false}}", i, i * 3);
		if (!line || strcmp(line, want)) {
			vireo_test_fail(__FILE__, __LINE__, "reply %d: %s", i, line ? line : "none");
			g_free(line);
			break;
		}
		g_free(line);
	}
	g_string_free(all, TRUE);
	close(fd);
	vireo_ctl_server_stop(s);
}

static void test_half_close(void)
{
	struct vireo_ctl_server *s;
	char *line;
	int fd;

	T_CALL(s = start());
	fd = raw_connect();
	T_TRUE(raw_sends(fd, "{\"id\":1,\"cmd\":\"query-status\"}\n{\"id\":2,\"cmd\":\"echo\"}\n"));
	shutdown(fd, SHUT_WR);
	line = raw_line(fd, 5000);
	T_STR_CONTAINS(line, "\"id\":1");
	g_free(line);
	line = raw_line(fd, 5000);
	T_STR_CONTAINS(line, "\"id\":2");
	g_free(line);
	T_TRUE(raw_eof(fd, 5000));
	close(fd);
	vireo_ctl_server_stop(s);
}

/* ------------------------------------------------------------ concurrency */

struct worker {
	int index;
	int failures;
	char why[256];
};

static void *worker_fn(void *p)
{
	struct worker *w = p;
	char *path = g_build_filename(g_getenv("XDG_RUNTIME_DIR"), "vireo", "test.sock", NULL);
	GError *err = NULL;
	struct vireo_ctl_client *c = vireo_ctl_client_connect(path, 2000, &err);
	int i;

	g_free(path);
	if (!c) {
		w->failures++;
		snprintf(w->why, sizeof(w->why), "connect: %s", err->message);
		g_error_free(err);
		return NULL;
	}
	for (i = 0; i < 200; i++) {
		JsonObject *args = json_object_new();
		JsonNode *r;
		int64_t want = w->index * 100000 + i;

		json_object_set_int_member(args, "n", want);
		r = vireo_ctl_client_call(c, "echo", args, 5000, &err);
		json_object_unref(args);
		if (!r || json_object_get_int_member(json_node_get_object(r), "n") != want) {
			w->failures++;
			snprintf(w->why, sizeof(w->why), "call %d: %s", i, r ? "wrong" : err->message);
			g_clear_error(&err);
			if (r)
				json_node_unref(r);
			break;
		}
		json_node_unref(r);
	}
	vireo_ctl_client_free(c);
	return NULL;
}

static void test_concurrent_clients(void)
{
	enum { N = 8 };
	struct vireo_ctl_server *s;
	struct worker w[N];
	pthread_t t[N];
	int i;

	T_CALL(s = start());
	for (i = 0; i < N; i++) {
		w[i] = (struct worker){ .index = i };
		pthread_create(&t[i], NULL, worker_fn, &w[i]);
	}
	/* Events flow meanwhile; clients in calls must queue, not choke. */
	for (i = 0; i < 200; i++)
		vireo_ctl_server_emit(s, "progress", NULL);
	for (i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < N; i++) {
		if (w[i].failures) {
			vireo_test_fail(__FILE__, __LINE__, "worker %d: %s", i, w[i].why);
			break;
		}
	}
	vireo_ctl_server_stop(s);
}

static struct vireo_ctl_client *client(void)
{
	char *path = sock_path();
	GError *err = NULL;
	struct vireo_ctl_client *c = vireo_ctl_client_connect(path, 2000, &err);

	if (!c) {
		vireo_test_fail(__FILE__, __LINE__, "connect: %s", err->message);
		g_error_free(err);
	}
	g_free(path);
	return c;
}

/* Wait until the server counts n clients (accept is asynchronous). */
static bool clients_become(struct vireo_ctl_server *s, unsigned int n)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (vireo_ctl_server_clients(s) == n)
			return true;
		g_usleep(10 * 1000);
	}
	return false;
}

static void *emitter_fn(void *p)
{
	int i;

	for (i = 0; i < 10; i++) {
		struct vireo_ctl_json *d = vireo_ctl_json_new();

		vireo_ctl_json_int(d, "done", i);
		vireo_ctl_json_int(d, "total", 10);
		vireo_ctl_server_emit(p, "progress", d);
	}
	return NULL;
}

static void test_events_broadcast(void)
{
	struct vireo_ctl_client *c[3];
	struct vireo_ctl_server *s;
	GError *err = NULL;
	pthread_t t;
	int i, k;

	T_CALL(s = start());
	for (i = 0; i < 3; i++)
		T_CALL(c[i] = client());
	T_TRUE(clients_become(s, 3));
	pthread_create(&t, NULL, emitter_fn, s);	/* from another thread */
	pthread_join(t, NULL);
	for (i = 0; i < 3; i++) {
		for (k = 0; k < 10; k++) {
			JsonNode *data = NULL;
			char *ev = NULL;

			if (!vireo_ctl_client_next_event(c[i], 5000, &ev, &data, &err)) {
				vireo_test_fail(__FILE__, __LINE__, "client %d event %d: %s", i, k,
						err ? err->message : "timeout");
				g_clear_error(&err);
				goto out;
			}
			T_TRUE(!strcmp(ev, "progress"));
			T_EQ(json_object_get_int_member(json_node_get_object(data), "done"), k);
			g_free(ev);
			json_node_unref(data);
		}
	}
	/* An event emitted by a handler arrives too (after or before the reply). */
	{
		JsonNode *r = vireo_ctl_client_call(c[0], "emit", NULL, 5000, &err);
		char *ev = NULL;

		T_TRUE(r != NULL);
		json_node_unref(r);
		T_TRUE(vireo_ctl_client_next_event(c[0], 5000, &ev, NULL, &err));
		T_TRUE(!strcmp(ev, "progress"));
		g_free(ev);
	}
	/* No event: a timeout, not an error. */
	{
		char *ev = NULL;

		T_TRUE(!vireo_ctl_client_next_event(c[1], 0, &ev, NULL, &err) || ev);
		g_free(ev);
		T_TRUE(err == NULL);
	}
out:
	for (i = 0; i < 3; i++)
		vireo_ctl_client_free(c[i]);
	vireo_ctl_server_stop(s);
}

/*
 * A client that never reads is dropped once its queue overflows; emit
 * never waits for it; a client that reads keeps getting everything.
 */
static void test_slow_client(void)
{
	struct vireo_ctl_server *s;
	struct vireo_ctl_client *fast;
	char payload[1024];
	gint64 spent = 0;
	GError *err = NULL;
	JsonNode *r;
	int slow, i, k, small = 4096;

	T_CALL(s = start_with(0, 64 * 1024));
	slow = raw_connect();
	T_TRUE(slow >= 0);
	setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	T_CALL(fast = client());
	T_TRUE(clients_become(s, 2));
	memset(payload, 'p', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = 0;
	/* 3 MB of events in batches the reading client drains in between. */
	for (i = 0; i < 3000; i += 20) {
		gint64 t0 = g_get_monotonic_time();

		for (k = i; k < i + 20; k++) {
			struct vireo_ctl_json *d = vireo_ctl_json_new();

			vireo_ctl_json_int(d, "seq", k);
			vireo_ctl_json_string(d, "pad", payload);
			T_EQ(vireo_ctl_server_emit(s, "progress", d), 0);
		}
		spent += g_get_monotonic_time() - t0;
		for (k = i; k < i + 20; k++) {
			JsonNode *data = NULL;
			char *ev = NULL;

			if (!vireo_ctl_client_next_event(fast, 5000, &ev, &data, &err)) {
				vireo_test_fail(__FILE__, __LINE__, "reader lost event %d: %s", k,
						err ? err->message : "timeout");
				g_clear_error(&err);
				goto out;
			}
			T_EQ(json_object_get_int_member(json_node_get_object(data), "seq"), k);
			g_free(ev);
			json_node_unref(data);
		}
	}
	/* Emitting to a stuck reader must not have waited for it. */
	T_TRUE(spent < 2 * G_USEC_PER_SEC);
	T_TRUE(clients_become(s, 1));	/* the stuck one is gone */
	r = vireo_ctl_client_call(fast, "query-status", NULL, 5000, &err);
	T_TRUE(r != NULL);
	json_node_unref(r);
	T_TRUE(raw_eof(slow, 5000));	/* what it had, then EOF */
out:
	close(slow);
	vireo_ctl_client_free(fast);
	vireo_ctl_server_stop(s);
}

/* However fast a monitor emits, the server's memory stays bounded. */
static void test_emit_flood_bounded(void)
{
	struct vireo_ctl_server *s;
	int i, dropped = 0;

	T_CALL(s = start());
	for (i = 0; i < 20000; i++) {
		int ret = vireo_ctl_server_emit(s, "progress", NULL);

		if (ret == -EAGAIN)
			dropped++;
		else
			T_EQ(ret, 0);
	}
	/* Either the server thread kept up, or the excess was dropped. */
	T_TRUE(dropped <= 20000 - 4096 || dropped == 0);
	vireo_ctl_server_stop(s);
}

static void test_client_limit(void)
{
	struct vireo_ctl_client *a, *b;
	struct vireo_ctl_server *s;
	char *line;
	int fd;

	T_CALL(s = start_with(2, 0));
	T_CALL(a = client());
	T_CALL(b = client());
	T_TRUE(clients_become(s, 2));
	fd = raw_connect();
	T_TRUE(fd >= 0);
	line = raw_line(fd, 5000);
	T_STR_CONTAINS(line, "\"code\":\"busy\"");
	g_free(line);
	T_TRUE(raw_eof(fd, 5000));
	close(fd);
	vireo_ctl_client_free(a);
	T_TRUE(clients_become(s, 1));
	T_CALL(a = client());
	T_TRUE(clients_become(s, 2));
	vireo_ctl_client_free(a);
	vireo_ctl_client_free(b);
	vireo_ctl_server_stop(s);
}

/* ------------------------------------------------------------ lifetime */

static void test_stale_and_live_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vireo_ctl_server *s, *s2 = NULL;
	struct vireo_ctl_server_config cfg = { .commands = commands };
	char *path = sock_path(), *dir = g_path_get_dirname(path);
	g_autoptr(GError) err = NULL;
	int fd;

	/* A socket file nobody listens on: what a crashed monitor leaves. */
	g_mkdir_with_parents(dir, 0700);
	g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	T_TRUE(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd);
	T_TRUE(g_file_test(path, G_FILE_TEST_EXISTS));
	T_CALL(s = start());
	fd = raw_connect();
	T_CALL(raw_expect(fd, "{\"id\":1,\"cmd\":\"query-status\"}\n", true, 1, NULL));
	/* A live one is not taken over. */
	cfg.path = path;
	T_EQ(vireo_ctl_server_start(&cfg, &s2, &err), -EADDRINUSE);
	T_STR_CONTAINS(ERRMSG(err), "another server answers");
	T_TRUE(s2 == NULL);
	T_CALL(raw_expect(fd, "{\"id\":2,\"cmd\":\"query-status\"}\n", true, 2, NULL));
	/* stop closes the clients and removes the file. */
	vireo_ctl_server_stop(s);
	T_TRUE(raw_eof(fd, 5000));
	close(fd);
	T_TRUE(!g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(path);
	g_free(dir);
}

static void test_bad_config(void)
{
	static const struct vireo_ctl_command bad[] = {
		{ "Bad Name", h_status, NULL },
		{ NULL, NULL, NULL },
	};
	struct vireo_ctl_server_config cfg = { .path = "/tmp/x.sock", .commands = bad };
	struct vireo_ctl_server *s = NULL;
	g_autoptr(GError) err = NULL;
	char *longp = g_strnfill(200, 'a');

	T_EQ(vireo_ctl_server_start(&cfg, &s, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "Bad Name");
	cfg.commands = commands;
	cfg.path = longp;
	T_EQ(vireo_ctl_server_start(&cfg, &s, &err), -ENAMETOOLONG);
	T_TRUE(vireo_ctl_server_emit(NULL, "x", NULL) == -EINVAL);
	g_free(longp);
}

/* The monitor's pattern: a handler flags "kill", the main thread stops
 * the server; the reply and a last event still reach the client. */
static void test_stop_flushes(void)
{
	struct vireo_ctl_server *s;
	struct vireo_ctl_json *d;
	char *line;
	int fd, i;

	atomic_store(&kill_requested, 0);
	T_CALL(s = start());
	fd = raw_connect();
	T_TRUE(raw_sends(fd, "{\"id\":5,\"cmd\":\"kill\"}\n"));
	for (i = 0; i < 500 && !atomic_load(&kill_requested); i++)
		g_usleep(10 * 1000);
	T_TRUE(atomic_load(&kill_requested));
	d = vireo_ctl_json_new();
	vireo_ctl_json_string(d, "state", "shutdown");
	vireo_ctl_server_emit(s, "state-changed", d);
	vireo_ctl_server_stop(s);
	line = raw_line(fd, 5000);
	T_STR_CONTAINS(line, "\"id\":5,\"ok\":true");
	g_free(line);
	line = raw_line(fd, 5000);
	T_STR_CONTAINS(line, "\"event\":\"state-changed\"");
	T_STR_CONTAINS(line, "shutdown");
	g_free(line);
	T_TRUE(raw_eof(fd, 5000));
	close(fd);
}

static void test_client_library(void)
{
	struct vireo_ctl_server *s;
	struct vireo_ctl_client *c;
	GError *err = NULL;
	JsonObject *o;
	JsonNode *r;
	char *path;

	path = sock_path();
	T_TRUE(vireo_ctl_client_connect(path, 100, &err) == NULL);
	T_EQ(err->code, VIREO_CTL_ERROR_CONNECT);
	g_clear_error(&err);
	g_free(path);

	T_CALL(s = start());
	T_CALL(c = client());
	T_TRUE(vireo_ctl_client_fd(c) >= 0);
	T_TRUE(vireo_ctl_client_call(c, "nope", NULL, 5000, &err) == NULL);
	T_TRUE(err->domain == VIREO_CTL_REMOTE_ERROR);
	T_EQ(err->code, VIREO_CTL_REMOTE_UNKNOWN);
	g_clear_error(&err);
	T_TRUE(vireo_ctl_client_call(c, "fail", NULL, 5000, &err) == NULL);
	T_EQ(err->code, VIREO_CTL_REMOTE_STATE);
	T_STR_CONTAINS(err->message, "already paused");
	g_clear_error(&err);
	/* A call that outlives its timeout; the late reply is dropped and the
	 * next call gets its own. */
	T_TRUE(vireo_ctl_client_call(c, "slow", NULL, 50, &err) == NULL);
	T_TRUE(err->domain == VIREO_CTL_ERROR);
	T_EQ(err->code, VIREO_CTL_ERROR_TIMEOUT);
	g_clear_error(&err);
	r = vireo_ctl_client_call(c, "nested", NULL, 5000, &err);
	if (!r)
		vireo_test_fail(__FILE__, __LINE__, "nested: %s", err->message);
	T_TRUE(r != NULL);
	o = json_node_get_object(r);
	T_EQ(json_array_get_length(json_object_get_array_member(o, "vcpus")), 3);
	T_EQ(json_object_get_int_member(
		     json_array_get_object_element(json_object_get_array_member(o, "vcpus"), 2),
		     "id"),
	     2);
	T_TRUE(g_utf8_validate(json_object_get_string_member(o, "bad-utf8"), -1, NULL));
	T_TRUE(json_object_has_member(o, "deep"));
	json_node_unref(r);
	/* The monitor goes away: calls fail cleanly. */
	vireo_ctl_server_stop(s);
	T_TRUE(vireo_ctl_client_call(c, "query-status", NULL, 2000, &err) == NULL);
	T_TRUE(err->domain == VIREO_CTL_ERROR);
	g_clear_error(&err);
	vireo_ctl_client_free(c);
}

static const struct vireo_test vireo_tests_ctl_server[] = {
	VIREO_TEST(test_good_requests),
	VIREO_TEST(test_bad_messages),
	VIREO_TEST(test_oversized_lines),
	VIREO_TEST(test_pipelined),
	VIREO_TEST(test_half_close),
	VIREO_TEST(test_concurrent_clients),
	VIREO_TEST(test_events_broadcast),
	VIREO_TEST(test_slow_client),
	VIREO_TEST(test_emit_flood_bounded),
	VIREO_TEST(test_client_limit),
	VIREO_TEST(test_stale_and_live_socket),
	VIREO_TEST(test_bad_config),
	VIREO_TEST(test_stop_flushes),
	VIREO_TEST(test_client_library),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(ctl_server, vireo_tests_ctl_server);
