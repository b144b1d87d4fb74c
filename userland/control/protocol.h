/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol's wire format, shared by the server, the client and
 * the fuzzer (docs/control-protocol.md is the reference).
 *
 * Newline-delimited JSON over a UNIX stream socket.  Each message is one
 * JSON object on one line of at most VIREO_CTL_LINE_MAX bytes (the newline
 * not counted; a trailing "\r" is ignored; blank lines are skipped):
 *
 *   request  {"id":N,"cmd":"NAME","args":{...}}          args optional
 *   reply    {"id":N,"ok":true,"result":{...}}
 *            {"id":N,"ok":false,"error":{"code":"C","message":"M"}}
 *   event    {"event":"NAME","data":{...}}
 *
 * A reply to a line that had no usable id carries "id":null.
 *
 * Everything that arrives is hostile input: the line splitter bounds the
 * line, the parser bounds the nesting depth before json-glib sees it (its
 * parser recurses) and checks every member's type.  This file is internal
 * to userland/control (it uses json-glib types); server.h and client.h are
 * the public faces.
 */
#ifndef VIREO_CONTROL_PROTOCOL_H
#define VIREO_CONTROL_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-glib/json-glib.h>

#define VIREO_CTL_PROTOCOL_VERSION	1
#define VIREO_CTL_LINE_MAX		(64 * 1024)	/* bytes per message, newline excluded */
#define VIREO_CTL_DEPTH_MAX		32		/* nesting of objects/arrays */
#define VIREO_CTL_CMD_MAX		64		/* bytes of a command or event name */

/* Error codes (the "code" of an error reply). */
#define VIREO_CTL_E_PARSE		"parse-error"		/* not JSON */
#define VIREO_CTL_E_INVALID		"invalid-request"	/* JSON, not a request */
#define VIREO_CTL_E_TOO_LONG		"line-too-long"		/* > VIREO_CTL_LINE_MAX */
#define VIREO_CTL_E_UNKNOWN		"unknown-command"
#define VIREO_CTL_E_ARGS		"invalid-argument"
#define VIREO_CTL_E_STATE		"state-conflict"	/* e.g. pause when paused */
#define VIREO_CTL_E_NOT_SUPPORTED	"not-supported"
#define VIREO_CTL_E_INTERNAL		"internal-error"
#define VIREO_CTL_E_BUSY		"busy"			/* too many clients */

/* ------------------------------------------------------------ lines */

/*
 * Splits a byte stream into lines.  Holds at most VIREO_CTL_LINE_MAX bytes
 * of an unfinished line; a line longer than that is reported once (line
 * NULL) and the rest of it, up to its newline, is discarded, so one bad
 * line never desynchronises the stream.
 */
struct vireo_ctl_linebuf {
	char *buf;		/* VIREO_CTL_LINE_MAX + 1 bytes */
	size_t len;		/* bytes of the unfinished line */
	bool discarding;	/* inside an over-long line */
};

/* Called per complete line (not NUL-terminated, "\r\n" and "\n" removed),
 * or with line == NULL for an over-long one.  Returns false to stop
 * feeding (the rest of the chunk is dropped). */
typedef bool (*vireo_ctl_line_fn)(void *opaque, const char *line, size_t len);

void vireo_ctl_linebuf_init(struct vireo_ctl_linebuf *lb);
void vireo_ctl_linebuf_fini(struct vireo_ctl_linebuf *lb);
/* false when fn asked to stop. */
bool vireo_ctl_linebuf_feed(struct vireo_ctl_linebuf *lb, const char *data, size_t n,
			    vireo_ctl_line_fn fn, void *opaque);

/* ------------------------------------------------------------ parsing */

/*
 * Whether a JSON text nests objects/arrays at most 'max' deep (strings
 * and escapes understood; invalid JSON may pass, the parser catches it).
 */
bool vireo_ctl_depth_ok(const char *text, size_t len, unsigned int max);

/* Parse one line into a JsonNode (owned) with the depth and UTF-8 checks;
 * NULL with *why (g_malloc'd) on failure. */
JsonNode *vireo_ctl_parse_json(const char *line, size_t len, char **why);

struct vireo_ctl_request {
	bool has_id;
	int64_t id;
	const char *cmd;	/* points into root */
	JsonObject *args;	/* points into root; NULL when absent */
	JsonNode *root;		/* owns the above */
};

/*
 * Parse a request line.  On failure returns false with *code (a
 * VIREO_CTL_E_* constant) and *message (g_malloc'd); req->has_id/id are
 * still filled when the line had a usable id, so the error reply can carry
 * it.  vireo_ctl_request_clear() in every case.
 */
bool vireo_ctl_request_parse(const char *line, size_t len, struct vireo_ctl_request *req,
			     const char **code, char **message);
void vireo_ctl_request_clear(struct vireo_ctl_request *req);

enum vireo_ctl_msg_kind {
	VIREO_CTL_MSG_REPLY,
	VIREO_CTL_MSG_EVENT,
};

struct vireo_ctl_message {
	enum vireo_ctl_msg_kind kind;
	/* reply */
	bool has_id;
	int64_t id;
	bool ok;
	JsonNode *result;	/* ok: the "result" object (never NULL) */
	const char *error_code;	/* !ok */
	const char *error_message;
	/* event */
	const char *event;
	JsonNode *data;		/* the "data" object (never NULL) */
	JsonNode *root;		/* owns everything above */
};

/* Parse a server → client line (reply or event); false with *why. */
bool vireo_ctl_message_parse(const char *line, size_t len, struct vireo_ctl_message *msg,
			     char **why);
void vireo_ctl_message_clear(struct vireo_ctl_message *msg);

/* ------------------------------------------------------------ formatting */

/* Each returns one g_malloc'd line including its "\n".  Node arguments are
 * borrowed and may be NULL (an empty object is sent). */
char *vireo_ctl_format_request(int64_t id, const char *cmd, JsonNode *args);
char *vireo_ctl_format_ok(int64_t id, JsonNode *result);
char *vireo_ctl_format_error(bool has_id, int64_t id, const char *code, const char *message);
char *vireo_ctl_format_event(const char *event, JsonNode *data);

/* Command and event names: 1..VIREO_CTL_CMD_MAX of [a-z0-9-]. */
bool vireo_ctl_name_valid(const char *name);

#endif /* VIREO_CONTROL_PROTOCOL_H */
