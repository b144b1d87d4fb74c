// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol's wire format: line splitting, parsing of requests
 * and server messages, formatting.  No I/O, no threads: the server, the
 * client and the fuzzer all drive it with bytes.
 */
#include <string.h>

#include "protocol.h"

/* ------------------------------------------------------------ lines */

void vireo_ctl_linebuf_init(struct vireo_ctl_linebuf *lb)
{
	lb->buf = g_malloc(VIREO_CTL_LINE_MAX + 1);
	lb->len = 0;
	lb->discarding = false;
}

void vireo_ctl_linebuf_fini(struct vireo_ctl_linebuf *lb)
{
	g_free(lb->buf);
	lb->buf = NULL;
	lb->len = 0;
}

static bool blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	}
	return true;
}

bool vireo_ctl_linebuf_feed(struct vireo_ctl_linebuf *lb, const char *data, size_t n,
			    vireo_ctl_line_fn fn, void *opaque)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t chunk = nl ? (size_t)(nl - data) : n;
		size_t used = nl ? chunk + 1 : chunk;
		size_t l;

		if (lb->discarding) {
			/* The tail of an over-long line, already reported. */
			if (nl)
				lb->discarding = false;
			data += used;
			n -= used;
			continue;
		}
		/* +1: room for the "\r" of a maximal "\r\n" line. */
		if (lb->len + chunk > VIREO_CTL_LINE_MAX + 1) {
			lb->len = 0;
			lb->discarding = !nl;
			data += used;
			n -= used;
			if (!fn(opaque, NULL, 0))
				return false;
			continue;
		}
		memcpy(lb->buf + lb->len, data, chunk);
		lb->len += chunk;
		data += used;
		n -= used;
		if (!nl)
			break;
		l = lb->len;
		lb->len = 0;
		if (l && lb->buf[l - 1] == '\r')
			l--;
		if (blank(lb->buf, l))
			continue;
		if (!fn(opaque, l > VIREO_CTL_LINE_MAX ? NULL : lb->buf,
			l > VIREO_CTL_LINE_MAX ? 0 : l))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ parsing */

bool vireo_ctl_depth_ok(const char *text, size_t len, unsigned int max)
{
	unsigned int depth = 0;
	bool in_string = false;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;	/* the escaped character, whatever it is */
			else if (c == '"')
				in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			in_string = true;
			break;
		case '{':
		case '[':
			if (++depth > max)
				return false;
			break;
		case '}':
		case ']':
			if (depth)
				depth--;
			break;
		}
	}
	return true;
}

/*
 * What is wrong with the escapes in the text's strings, or NULL.  JSON
 * has exactly \" \\ \/ \b \f \n \r \t and \uXXXX (RFC 8259, section 7);
 * json-glib's scanner also takes others (an octal "\300" gives a byte that
 * is not UTF-8, which no reply could carry back).  And a NUL ("\u0000"):
 * json-glib would hand back a C string cut short at it, so "a\u0000b"
 * would read as "a".
 */
static const char *bad_escape(const char *text, size_t len)
{
	bool in_string = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!in_string) {
			in_string = text[i] == '"';
			continue;
		}
		if (text[i] == '"') {
			in_string = false;
		} else if (text[i] == '\\' && i + 1 < len) {
			if (text[i + 1] == 'u' && i + 5 < len && !memcmp(text + i + 2, "0000", 4))
				return "NUL characters (\\u0000) are not allowed in strings";
			if (!strchr("\"\\/bfnrtu", text[i + 1]))
				return "a string has an escape that JSON does not have";
			i++;
		}
	}
	return NULL;
}

bool vireo_ctl_name_valid(const char *name)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n > VIREO_CTL_CMD_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
			return false;
	}
	return true;
}

JsonNode *vireo_ctl_parse_json(const char *line, size_t len, char **why)
{
	JsonParser *parser;
	JsonNode *root = NULL;
	GError *err = NULL;
	const char *bad;

	*why = NULL;
	if (len > VIREO_CTL_LINE_MAX) {
		*why = g_strdup_printf("longer than %d bytes", VIREO_CTL_LINE_MAX);
		return NULL;
	}
	/* g_utf8_validate with a length also refuses NUL bytes. */
	if (!g_utf8_validate(line, len, NULL)) {
		*why = g_strdup("not UTF-8 text");
		return NULL;
	}
	if (!vireo_ctl_depth_ok(line, len, VIREO_CTL_DEPTH_MAX)) {
		*why = g_strdup_printf("nested deeper than %d levels", VIREO_CTL_DEPTH_MAX);
		return NULL;
	}
	bad = bad_escape(line, len);
	if (bad) {
		*why = g_strdup(bad);
		return NULL;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, line, len, &err)) {
		*why = g_strdup(err->message);
		g_error_free(err);
	} else if (!json_parser_get_root(parser)) {
		*why = g_strdup("empty message");
	} else {
		root = json_node_ref(json_parser_get_root(parser));
	}
	g_object_unref(parser);
	return root;
}

static bool holds_type(JsonNode *n, GType t)
{
	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == t;
}

bool vireo_ctl_request_parse(const char *line, size_t len, struct vireo_ctl_request *req,
			     const char **code, char **message)
{
	JsonObjectIter it;
	JsonObject *o;
	JsonNode *n;
	const char *key;
	char *why;

	memset(req, 0, sizeof(*req));
	req->root = vireo_ctl_parse_json(line, len, &why);
	if (!req->root) {
		*code = VIREO_CTL_E_PARSE;
		*message = why;
		return false;
	}
	*code = VIREO_CTL_E_INVALID;
	if (!JSON_NODE_HOLDS_OBJECT(req->root)) {
		*message = g_strdup("a request is a JSON object");
		return false;
	}
	o = json_node_get_object(req->root);
	/* The id first, so that every later error can carry it. */
	n = json_object_get_member(o, "id");
	if (holds_type(n, G_TYPE_INT64)) {
		req->has_id = true;
		req->id = json_node_get_int(n);
	} else {
		*message = g_strdup(n ? "id: expected an integer" : "id: missing");
		return false;
	}
	json_object_iter_init(&it, o);
	while (json_object_iter_next(&it, &key, &n)) {
		if (strcmp(key, "id") && strcmp(key, "cmd") && strcmp(key, "args")) {
			*message = g_strdup_printf("%.64s: unknown member", key);
			return false;
		}
	}
	n = json_object_get_member(o, "cmd");
	if (!holds_type(n, G_TYPE_STRING)) {
		*message = g_strdup(n ? "cmd: expected a string" : "cmd: missing");
		return false;
	}
	req->cmd = json_node_get_string(n);
	if (!vireo_ctl_name_valid(req->cmd)) {
		*code = VIREO_CTL_E_UNKNOWN;
		*message = g_strdup("cmd: not a command name (1-64 of a-z, 0-9, '-')");
		return false;
	}
	n = json_object_get_member(o, "args");
	if (n && !JSON_NODE_HOLDS_NULL(n)) {
		if (!JSON_NODE_HOLDS_OBJECT(n)) {
			*message = g_strdup("args: expected an object");
			return false;
		}
		req->args = json_node_get_object(n);
	}
	*code = NULL;
	*message = NULL;
	return true;
}

void vireo_ctl_request_clear(struct vireo_ctl_request *req)
{
	if (req->root)
		json_node_unref(req->root);
	memset(req, 0, sizeof(*req));
}

static JsonNode *empty_object(void)
{
	JsonNode *n = json_node_new(JSON_NODE_OBJECT);
	JsonObject *o = json_object_new();

	json_node_take_object(n, o);
	return n;
}

/*
 * The client is lenient where the server is strict: members it does not
 * know are ignored, so that a newer monitor can add some without breaking
 * older clients.
 */
bool vireo_ctl_message_parse(const char *line, size_t len, struct vireo_ctl_message *msg,
			     char **why)
{
	JsonObject *o;
	JsonNode *n;

	memset(msg, 0, sizeof(*msg));
	msg->root = vireo_ctl_parse_json(line, len, why);
	if (!msg->root)
		return false;
	if (!JSON_NODE_HOLDS_OBJECT(msg->root)) {
		*why = g_strdup("a message is a JSON object");
		return false;
	}
	o = json_node_get_object(msg->root);
	n = json_object_get_member(o, "event");
	if (n) {
		msg->kind = VIREO_CTL_MSG_EVENT;
		if (!holds_type(n, G_TYPE_STRING) || !vireo_ctl_name_valid(json_node_get_string(n))) {
			*why = g_strdup("event: expected an event name");
			return false;
		}
		msg->event = json_node_get_string(n);
		n = json_object_get_member(o, "data");
		if (n && !JSON_NODE_HOLDS_OBJECT(n)) {
			*why = g_strdup("data: expected an object");
			return false;
		}
		msg->data = n ? json_node_ref(n) : empty_object();
		return true;
	}
	msg->kind = VIREO_CTL_MSG_REPLY;
	n = json_object_get_member(o, "id");
	if (holds_type(n, G_TYPE_INT64)) {
		msg->has_id = true;
		msg->id = json_node_get_int(n);
	} else if (!n || !JSON_NODE_HOLDS_NULL(n)) {
		*why = g_strdup("id: expected an integer or null");
		return false;
	}
	n = json_object_get_member(o, "ok");
	if (!holds_type(n, G_TYPE_BOOLEAN)) {
		*why = g_strdup("ok: expected true or false");
		return false;
	}
	msg->ok = json_node_get_boolean(n);
	if (msg->ok) {
		n = json_object_get_member(o, "result");
		if (n && !JSON_NODE_HOLDS_OBJECT(n)) {
			*why = g_strdup("result: expected an object");
			return false;
		}
		msg->result = n ? json_node_ref(n) : empty_object();
		return true;
	}
	n = json_object_get_member(o, "error");
	if (!n || !JSON_NODE_HOLDS_OBJECT(n)) {
		*why = g_strdup("error: expected an object");
		return false;
	}
	o = json_node_get_object(n);
	n = json_object_get_member(o, "code");
	if (!holds_type(n, G_TYPE_STRING)) {
		*why = g_strdup("error.code: expected a string");
		return false;
	}
	msg->error_code = json_node_get_string(n);
	n = json_object_get_member(o, "message");
	msg->error_message = holds_type(n, G_TYPE_STRING) ? json_node_get_string(n) : "";
	return true;
}

void vireo_ctl_message_clear(struct vireo_ctl_message *msg)
{
	if (msg->result)
		json_node_unref(msg->result);
	if (msg->data)
		json_node_unref(msg->data);
	if (msg->root)
		json_node_unref(msg->root);
	memset(msg, 0, sizeof(*msg));
}

/* ------------------------------------------------------------ formatting */

static char *finish(JsonBuilder *b)
{
	JsonGenerator *gen = json_generator_new();
	JsonNode *root;
	char *text, *line;

	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	line = g_strconcat(text, "\n", NULL);
	g_free(text);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
	return line;
}

static void add_object(JsonBuilder *b, const char *key, JsonNode *n)
{
	json_builder_set_member_name(b, key);
	if (n && JSON_NODE_HOLDS_OBJECT(n)) {
		json_builder_add_value(b, json_node_copy(n));
	} else {
		json_builder_begin_object(b);
		json_builder_end_object(b);
	}
}

char *vireo_ctl_format_request(int64_t id, const char *cmd, JsonNode *args)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, id);
	json_builder_set_member_name(b, "cmd");
	json_builder_add_string_value(b, cmd);
	if (args)
		add_object(b, "args", args);
	return finish(b);
}

char *vireo_ctl_format_ok(int64_t id, JsonNode *result)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, id);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b, TRUE);
	add_object(b, "result", result);
	return finish(b);
}

char *vireo_ctl_format_error(bool has_id, int64_t id, const char *code, const char *message)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	if (has_id)
		json_builder_add_int_value(b, id);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b, FALSE);
	json_builder_set_member_name(b, "error");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "code");
	json_builder_add_string_value(b, code);
	json_builder_set_member_name(b, "message");
	/* The message may quote hostile input: keep it valid UTF-8. */
	if (g_utf8_validate(message, -1, NULL)) {
		json_builder_add_string_value(b, message);
	} else {
		char *valid = g_utf8_make_valid(message, -1);

		json_builder_add_string_value(b, valid);
		g_free(valid);
	}
	json_builder_end_object(b);
	return finish(b);
}

char *vireo_ctl_format_event(const char *event, JsonNode *data)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "event");
	json_builder_add_string_value(b, event);
	add_object(b, "data", data);
	return finish(b);
}
