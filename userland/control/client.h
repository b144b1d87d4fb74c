/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control client: what `vireo` (and later the GTK manager) uses to
 * talk to a running monitor (docs/control-protocol.md).
 *
 * Synchronous and single-threaded per client object: vireo_ctl_client_call()
 * sends one request and reads until its reply, queueing the events that
 * arrive meanwhile (the newest VIREO_CTL_CLIENT_EVENTS_MAX are kept);
 * vireo_ctl_client_next_event() hands them out, waiting for more when the
 * queue is empty.  Every wait has a timeout, so a hung monitor can never
 * hang the caller.  A GUI runs calls in a worker thread (GTask) or polls
 * vireo_ctl_client_fd() and calls with timeout 0.
 *
 * Errors are GErrors: VIREO_CTL_ERROR for local trouble (connect, I/O,
 * timeout, a malformed reply), VIREO_CTL_REMOTE_ERROR when the monitor
 * answered ok:false — its code mapped to enum vireo_ctl_remote_code and
 * its message as the GError message.
 */
#ifndef VIREO_CONTROL_CLIENT_H
#define VIREO_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#define VIREO_CTL_CLIENT_EVENTS_MAX 1024

#define VIREO_CTL_ERROR (vireo_ctl_error_quark())
GQuark vireo_ctl_error_quark(void);

enum vireo_ctl_client_error {
	VIREO_CTL_ERROR_CONNECT,	/* no socket, or nobody listening */
	VIREO_CTL_ERROR_IO,		/* the connection broke */
	VIREO_CTL_ERROR_TIMEOUT,
	VIREO_CTL_ERROR_PROTOCOL,	/* the server sent something malformed */
};

#define VIREO_CTL_REMOTE_ERROR (vireo_ctl_remote_error_quark())
GQuark vireo_ctl_remote_error_quark(void);

enum vireo_ctl_remote_code {
	VIREO_CTL_REMOTE_OTHER,		/* a code this client does not know */
	VIREO_CTL_REMOTE_PARSE,		/* parse-error */
	VIREO_CTL_REMOTE_INVALID,	/* invalid-request */
	VIREO_CTL_REMOTE_TOO_LONG,	/* line-too-long */
	VIREO_CTL_REMOTE_UNKNOWN,	/* unknown-command */
	VIREO_CTL_REMOTE_ARGS,		/* invalid-argument */
	VIREO_CTL_REMOTE_STATE,		/* state-conflict */
	VIREO_CTL_REMOTE_NOT_SUPPORTED,	/* not-supported */
	VIREO_CTL_REMOTE_INTERNAL,	/* internal-error */
	VIREO_CTL_REMOTE_BUSY,		/* busy */
};
enum vireo_ctl_remote_code vireo_ctl_remote_code_from_string(const char *code);

struct vireo_ctl_client;

/* Connect to a monitor's socket (waits at most timeout_ms for connect). */
struct vireo_ctl_client *vireo_ctl_client_connect(const char *path, int timeout_ms,
						  GError **error);
void vireo_ctl_client_free(struct vireo_ctl_client *c);

/*
 * Run a command: args may be NULL (no "args"); borrowed.  Returns the
 * "result" object (json_node_unref) or NULL with an error.  timeout_ms < 0
 * waits forever (not recommended).
 */
JsonNode *vireo_ctl_client_call(struct vireo_ctl_client *c, const char *cmd, JsonObject *args,
				int timeout_ms, GError **error);

/*
 * The next event: true with *event (g_free) and *data (json_node_unref;
 * may be NULL if the caller does not want it); false on timeout (error not
 * set) or failure (error set).
 */
bool vireo_ctl_client_next_event(struct vireo_ctl_client *c, int timeout_ms, char **event,
				 JsonNode **data, GError **error);

/* The socket, for a caller's poll loop. */
int vireo_ctl_client_fd(struct vireo_ctl_client *c);

#endif /* VIREO_CONTROL_CLIENT_H */
