// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control protocol's parsing (make fuzz-control).
 * Whatever arrives on the socket is hostile: the line splitter, the depth
 * and NUL guards, the request parser and the client's message parser must
 * neither crash nor leak, and what they accept must survive a formatting
 * round trip.  The first input byte picks the path:
 *
 *   0  the rest is one request line
 *   1  the rest is one server message line (the client's parser)
 *   2  the rest is a byte stream, cut into chunks at the positions its own
 *      bytes give, fed through the line splitter; every line is a request
 *   3  the rest drives the result builder (json.c) with a byte program
 */
#include <stdlib.h>
#include <string.h>

#include "control/internal.h"
#include "control/protocol.h"

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* A parsed request's reply must parse back, with its id. */
static void request(const char *line, size_t len)
{
	struct vireo_ctl_request req;
	struct vireo_ctl_message m;
	const char *code = NULL;
	char *msg = NULL, *reply, *why = NULL;
	JsonNode *args = NULL;

	if (vireo_ctl_request_parse(line, len, &req, &code, &msg)) {
		check(req.has_id && vireo_ctl_name_valid(req.cmd) && !code && !msg);
		if (req.args) {
			args = json_node_new(JSON_NODE_OBJECT);
			json_node_set_object(args, req.args);
		}
		reply = vireo_ctl_format_ok(req.id, args);
		check(vireo_ctl_message_parse(reply, strlen(reply) - 1, &m, &why));
		check(m.kind == VIREO_CTL_MSG_REPLY && m.ok && m.has_id && m.id == req.id);
		vireo_ctl_message_clear(&m);
		g_free(reply);
		/* And the request itself formats back to something parsable. */
		reply = vireo_ctl_format_request(req.id, req.cmd, args);
		vireo_ctl_request_clear(&req);
		check(vireo_ctl_request_parse(reply, strlen(reply) - 1, &req, &code, &msg));
		g_free(reply);
		if (args)
			json_node_unref(args);
	} else {
		check(code && msg);
		reply = vireo_ctl_format_error(req.has_id, req.id, code, msg);
		check(g_utf8_validate(reply, -1, NULL));
		check(vireo_ctl_message_parse(reply, strlen(reply) - 1, &m, &why));
		check(!m.ok && m.has_id == req.has_id && !strcmp(m.error_code, code));
		vireo_ctl_message_clear(&m);
		g_free(reply);
		g_free(msg);
	}
	vireo_ctl_request_clear(&req);
}

static void message(const char *line, size_t len)
{
	struct vireo_ctl_message m;
	char *why = NULL;

	if (vireo_ctl_message_parse(line, len, &m, &why)) {
		if (m.kind == VIREO_CTL_MSG_EVENT)
			check(vireo_ctl_name_valid(m.event) && m.data);
		else if (m.ok)
			check(m.result != NULL);
		else
			check(m.error_code && m.error_message);
	} else {
		check(why != NULL);
		g_free(why);
	}
	vireo_ctl_message_clear(&m);
}

static bool on_line(void *opaque, const char *line, size_t len)
{
	(void)opaque;
	if (!line)
		return true;	/* over-long: reported, nothing to parse */
	check(len <= VIREO_CTL_LINE_MAX && !memchr(line, '\n', len));
	request(line, len);
	return true;
}

static void stream(const uint8_t *data, size_t size)
{
	struct vireo_ctl_linebuf lb;
	size_t off = 0;

	vireo_ctl_linebuf_init(&lb);
	while (off < size) {
		/* Chunk lengths from the data itself: 1..16 bytes. */
		size_t n = (data[off] & 15) + 1;

		if (n > size - off)
			n = size - off;
		vireo_ctl_linebuf_feed(&lb, (const char *)data + off, n, on_line, NULL);
		off += n;
	}
	vireo_ctl_linebuf_fini(&lb);
}

static void builder(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { NULL, "a", "b", "state" };
	struct vireo_ctl_json *j = vireo_ctl_json_new();
	JsonNode *root;
	char *line, *why = NULL;
	struct vireo_ctl_message m;
	size_t i;

	for (i = 0; i < size; i++) {
		const char *key = keys[data[i] & 3];

		switch (data[i] >> 2 & 7) {
		case 0:
			vireo_ctl_json_int(j, key, data[i]);
			break;
		case 1:
			vireo_ctl_json_string(j, key, "\xff\xfe x");
			break;
		case 2:
			vireo_ctl_json_begin_object(j, key);
			break;
		case 3:
			vireo_ctl_json_end_object(j);
			break;
		case 4:
			vireo_ctl_json_begin_array(j, key);
			break;
		case 5:
			vireo_ctl_json_end_array(j);
			break;
		case 6:
			vireo_ctl_json_bool(j, key, data[i] & 32);
			break;
		default:
			vireo_ctl_json_null(j, key);
			break;
		}
	}
	/* Whatever the program, the result is an object a client accepts. */
	root = vireo_ctl_json_finish(j);
	check(root && JSON_NODE_HOLDS_OBJECT(root));
	line = vireo_ctl_format_ok(1, root);
	check(vireo_ctl_message_parse(line, strlen(line) - 1, &m, &why));
	vireo_ctl_message_clear(&m);
	g_free(line);
	json_node_unref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		request((const char *)data + 1, size - 1);
		break;
	case 1:
		message((const char *)data + 1, size - 1);
		break;
	case 2:
		stream(data + 1, size - 1);
		break;
	default:
		builder(data + 1, size - 1);
		break;
	}
	return 0;
}
