/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control server a monitor embeds: one UNIX socket per running VM
 * ($XDG_RUNTIME_DIR/vireo/<name>.sock), newline-delimited JSON
 * (docs/control-protocol.md).  Its only GLib type is the GError every
 * userland library reports with (vireo/error.h), so a monitor that is
 * otherwise plain C includes it as is; it links libvireo-control.a
 * and `pkg-config --libs glib-2.0 json-glib-1.0`.
 *
 * Threading contract — why a vCPU loop never blocks on the server:
 *
 *  - vireo_ctl_server_start() binds the socket and starts one thread of its
 *    own, running a private GMainContext.  All socket I/O happens there,
 *    non-blocking.  Nothing in the server ever waits for a vCPU thread.
 *  - Command handlers (the hook table) are called on the server thread.
 *    They must not block: they record a request (a flag, an eventfd, a
 *    pthread_kill to kick a vCPU out of VIREO_RUN) and return.  Reading
 *    state the vCPU threads publish (atomics, or under a short lock) is
 *    fine.  A handler must not call vireo_ctl_server_stop().
 *  - vireo_ctl_server_emit() may be called from any thread, including a
 *    vCPU thread and a handler: it serialises the event in the caller and
 *    hands the line to the server thread (one allocation and a short mutex
 *    inside GLib), never waiting for a client.
 *  - Each client has a bounded output queue (queue_max bytes); a client
 *    that stops reading is disconnected once its queue would overflow, so
 *    a stuck GUI can neither block the VM nor make the monitor's memory
 *    grow.
 *  - A malformed, oversized (> 64 KiB) or unknown request gets an error
 *    reply; the connection and the server go on.
 *
 * Socket: the directory of 'path' is created 0700 (it is the access
 * control: only the owner can connect); a stale socket file of a dead
 * monitor is replaced; a live one (something answers connect()) is not
 * (-EADDRINUSE).  The file is removed by vireo_ctl_server_stop().
 */
#ifndef VIREO_CONTROL_SERVER_H
#define VIREO_CONTROL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vireo/error.h>

struct vireo_ctl_server;
struct vireo_ctl_args;	/* a request's "args", read-only, valid during the handler */
struct vireo_ctl_json;	/* a JSON object being built: a result or event data */
struct vireo_ctl_error;	/* where a handler puts its error */

/* The commands every monitor is expected to provide (names on the wire). */
#define VIREO_CTL_CMD_QUERY_STATUS	"query-status"	/* {"state": ..., ...} */
#define VIREO_CTL_CMD_STOP		"stop"		/* ACPI power button */
#define VIREO_CTL_CMD_KILL		"kill"		/* end the monitor now */
#define VIREO_CTL_CMD_PAUSE		"pause"
#define VIREO_CTL_CMD_RESUME		"resume"
#define VIREO_CTL_CMD_RESET		"reset"		/* platform reset */
#define VIREO_CTL_CMD_QUERY_VCPUS	"query-vcpus"	/* {"vcpus": [...]} */

/* Events a monitor emits. */
#define VIREO_CTL_EV_STATE_CHANGED	"state-changed"	/* {"state": S, "reason": R} */
#define VIREO_CTL_EV_GUEST_PANICKED	"guest-panicked"	/* {"detail": ...} */
#define VIREO_CTL_EV_PROGRESS		"progress"	/* {"operation", "job", "done", "total"} */
#define VIREO_CTL_EV_JOB_FINISHED	"job-finished"	/* {"operation", "job", "ok", "error"} */

/* Error codes for vireo_ctl_error_set() (docs/control-protocol.md). */
#define VIREO_CTL_ERR_ARGS		"invalid-argument"
#define VIREO_CTL_ERR_STATE		"state-conflict"
#define VIREO_CTL_ERR_NOT_SUPPORTED	"not-supported"
#define VIREO_CTL_ERR_INTERNAL		"internal-error"

/*
 * A handler: 0 and fill 'result' (an empty object to begin with), or a
 * negative value after vireo_ctl_error_set() (a negative return without an
 * error set is reported as internal-error).  Runs on the server thread.
 */
typedef int (*vireo_ctl_handler)(void *opaque, const struct vireo_ctl_args *args,
				 struct vireo_ctl_json *result, struct vireo_ctl_error *err);

struct vireo_ctl_command {
	const char *name;	/* [a-z0-9-], e.g. VIREO_CTL_CMD_PAUSE */
	vireo_ctl_handler fn;
	const char *help;	/* one line, returned by query-commands */
};

struct vireo_ctl_server_config {
	const char *path;	/* the socket */
	/* The hook table: terminated by an entry with name == NULL; must stay
	 * valid until stop.  The server itself answers "query-version" and
	 * "query-commands"; the table cannot override those. */
	const struct vireo_ctl_command *commands;
	void *opaque;		/* passed to every handler */
	unsigned int max_clients;	/* 0: 16 */
	size_t queue_max;	/* bytes queued per client before dropping it; 0: 1 MiB */
};

/*
 * Bind, listen and start the server thread.  0 and *out, or -errno with a
 * message naming the socket.
 */
int vireo_ctl_server_start(const struct vireo_ctl_server_config *cfg,
			   struct vireo_ctl_server **out, GError **error);

/*
 * Stop the thread, give every client one last non-blocking chance to get
 * its queued output (so the reply to "kill" and a final state-changed
 * usually arrive), close everything and remove the socket file.  NULL is
 * ignored.  Not from a handler.
 */
void vireo_ctl_server_stop(struct vireo_ctl_server *srv);

/* Clients connected now (for tests and status output). */
unsigned int vireo_ctl_server_clients(struct vireo_ctl_server *srv);

/*
 * Send an event to every connected client.  data (may be NULL: {}) is
 * consumed.  Any thread.  0; -EINVAL for a bad name; -EAGAIN when 4096
 * events are already waiting for the server thread (the event is
 * dropped: memory stays bounded however fast a monitor emits).  Must not
 * race with vireo_ctl_server_stop() (join the emitting threads first).
 */
int vireo_ctl_server_emit(struct vireo_ctl_server *srv, const char *event,
			  struct vireo_ctl_json *data);

/* ------------------------------------------------------------ arguments */

/* 0, -ENOENT when absent (or null), -EINVAL when of another type. */
int vireo_ctl_args_int(const struct vireo_ctl_args *args, const char *key, int64_t *out);
int vireo_ctl_args_bool(const struct vireo_ctl_args *args, const char *key, bool *out);
/* *out points into the request: valid until the handler returns. */
int vireo_ctl_args_string(const struct vireo_ctl_args *args, const char *key, const char **out);
bool vireo_ctl_args_has(const struct vireo_ctl_args *args, const char *key);

/* ------------------------------------------------------------ errors */

/* Set the error reply (code: VIREO_CTL_ERR_* or another [a-z0-9-] word);
 * returns -1 so that a handler can `return vireo_ctl_error_set(...)`. */
int vireo_ctl_error_set(struct vireo_ctl_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------ building JSON */

/*
 * An object under construction.  Inside an object every call names its
 * member with 'key'; inside an array 'key' must be NULL.  Unclosed
 * objects/arrays are closed when the builder is consumed.  Misuse (a key
 * in an array, NULL in an object) is ignored rather than crashing: it is
 * a programming error that shows as a missing member.
 */
struct vireo_ctl_json *vireo_ctl_json_new(void);
void vireo_ctl_json_free(struct vireo_ctl_json *j);
void vireo_ctl_json_int(struct vireo_ctl_json *j, const char *key, int64_t v);
void vireo_ctl_json_bool(struct vireo_ctl_json *j, const char *key, bool v);
void vireo_ctl_json_double(struct vireo_ctl_json *j, const char *key, double v);
void vireo_ctl_json_string(struct vireo_ctl_json *j, const char *key, const char *v);
void vireo_ctl_json_null(struct vireo_ctl_json *j, const char *key);
void vireo_ctl_json_begin_object(struct vireo_ctl_json *j, const char *key);
void vireo_ctl_json_end_object(struct vireo_ctl_json *j);
void vireo_ctl_json_begin_array(struct vireo_ctl_json *j, const char *key);
void vireo_ctl_json_end_array(struct vireo_ctl_json *j);

#endif /* VIREO_CONTROL_SERVER_H */
