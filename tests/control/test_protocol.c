// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol's wire format without sockets: the line splitter
 * (limits, CRLF, chunking), the depth guard, request and server-message
 * parsing (good and bad, tables), formatting round trips.
 */
#include <string.h>

#include "control/protocol.h"
#include "test.h"

#define TOO_LONG "<too long>"

static bool collect(void *opaque, const char *line, size_t len)
{
	GPtrArray *lines = opaque;

	g_ptr_array_add(lines, line ? g_strndup(line, len) : g_strdup(TOO_LONG));
	return true;
}

static GPtrArray *lines_new(void)
{
	return g_ptr_array_new_with_free_func(g_free);
}

static void test_lines_basic(void)
{
	struct vireo_ctl_linebuf lb;
	GPtrArray *l = lines_new();
	const char *msg = "{\"id\":1}\n";
	size_t i;

	vireo_ctl_linebuf_init(&lb);
	T_TRUE(vireo_ctl_linebuf_feed(&lb, "a\nb\r\n\n  \r\nc", 11, collect, l));
	T_EQ(l->len, 2);
	T_TRUE(!strcmp(l->pdata[0], "a") && !strcmp(l->pdata[1], "b"));
	vireo_ctl_linebuf_feed(&lb, "d\n", 2, collect, l);
	T_EQ(l->len, 3);
	T_TRUE(!strcmp(l->pdata[2], "cd"));
	/* One byte at a time. */
	for (i = 0; i < strlen(msg); i++)
		vireo_ctl_linebuf_feed(&lb, msg + i, 1, collect, l);
	T_EQ(l->len, 4);
	T_TRUE(!strcmp(l->pdata[3], "{\"id\":1}"));
	vireo_ctl_linebuf_fini(&lb);
	g_ptr_array_free(l, TRUE);
}

static void test_lines_limits(void)
{
	struct vireo_ctl_linebuf lb;
	GPtrArray *l = lines_new();
	size_t max = VIREO_CTL_LINE_MAX;
	char *big = g_malloc(3 * max);
	size_t i;

	memset(big, 'x', 3 * max);
	vireo_ctl_linebuf_init(&lb);
	/* Exactly the limit: fine, with "\n" or "\r\n". */
	vireo_ctl_linebuf_feed(&lb, big, max, collect, l);
	vireo_ctl_linebuf_feed(&lb, "\n", 1, collect, l);
	T_EQ(l->len, 1);
	T_EQ(strlen(l->pdata[0]), max);
	vireo_ctl_linebuf_feed(&lb, big, max, collect, l);
	vireo_ctl_linebuf_feed(&lb, "\r\n", 2, collect, l);
	T_EQ(l->len, 2);
	T_EQ(strlen(l->pdata[1]), max);
	/* One byte more: reported once, whatever the chunking... */
	vireo_ctl_linebuf_feed(&lb, big, max + 1, collect, l);
	vireo_ctl_linebuf_feed(&lb, "\n", 1, collect, l);
	T_EQ(l->len, 3);
	T_TRUE(!strcmp(l->pdata[2], TOO_LONG));
	for (i = 0; i < 3 * max; i += 1000)
		vireo_ctl_linebuf_feed(&lb, big, MIN(1000, 3 * max - i), collect, l);
	T_EQ(l->len, 4);
	T_TRUE(!strcmp(l->pdata[3], TOO_LONG));
	/* ...and the stream goes on after its newline. */
	vireo_ctl_linebuf_feed(&lb, "tail\nnext\n", 10, collect, l);
	T_EQ(l->len, 5);
	T_TRUE(!strcmp(l->pdata[4], "next"));
	/* A long line with its newline in the same chunk. */
	big[2 * max] = '\n';
	vireo_ctl_linebuf_feed(&lb, big, 2 * max + 1, collect, l);
	vireo_ctl_linebuf_feed(&lb, "ok\n", 3, collect, l);
	T_EQ(l->len, 7);
	T_TRUE(!strcmp(l->pdata[5], TOO_LONG));
	T_TRUE(!strcmp(l->pdata[6], "ok"));
	vireo_ctl_linebuf_fini(&lb);
	g_ptr_array_free(l, TRUE);
	g_free(big);
}

static bool stop_after_one(void *opaque, const char *line, size_t len)
{
	(void)line;
	(void)len;
	(*(int *)opaque)++;
	return false;
}

static void test_lines_stop(void)
{
	struct vireo_ctl_linebuf lb;
	int n = 0;

	vireo_ctl_linebuf_init(&lb);
	T_TRUE(!vireo_ctl_linebuf_feed(&lb, "a\nb\nc\n", 6, stop_after_one, &n));
	T_EQ(n, 1);
	vireo_ctl_linebuf_fini(&lb);
}

static void test_depth(void)
{
	GString *s = g_string_new(NULL);
	int i;

	for (i = 0; i < VIREO_CTL_DEPTH_MAX; i++)
		g_string_append_c(s, '[');
	for (i = 0; i < VIREO_CTL_DEPTH_MAX; i++)
		g_string_append_c(s, ']');
	T_TRUE(vireo_ctl_depth_ok(s->str, s->len, VIREO_CTL_DEPTH_MAX));
	g_string_prepend_c(s, '{');
	T_TRUE(!vireo_ctl_depth_ok(s->str, s->len, VIREO_CTL_DEPTH_MAX));
	/* Brackets inside strings, escaped quotes included, do not count. */
	g_string_assign(s, "{\"a\":\"[[[[[[\\\"[[[[\"}");
	T_TRUE(vireo_ctl_depth_ok(s->str, s->len, 2));
	g_string_assign(s, "[[[\"]]]\"]]]");
	T_TRUE(!vireo_ctl_depth_ok(s->str, s->len, 2));
	g_string_free(s, TRUE);
}

struct req_case {
	const char *line;
	const char *code;	/* NULL: parses */
	bool has_id;
	int64_t id;
};

static void test_request_table(void)
{
	static const struct req_case cases[] = {
		{ "{\"id\":1,\"cmd\":\"query-status\"}", NULL, true, 1 },
		{ "{\"cmd\":\"pause\",\"id\":2,\"args\":{\"x\":1}}", NULL, true, 2 },
		{ "{\"id\":3,\"cmd\":\"x\",\"args\":null}", NULL, true, 3 },
		{ "{\"id\":-4,\"cmd\":\"x-y-0\"}", NULL, true, -4 },
		{ "{\"id\":9223372036854775807,\"cmd\":\"x\"}", NULL, true, INT64_MAX },
		{ " \t{\"id\":5,\"cmd\":\"x\"}  ", NULL, true, 5 },
		{ "", VIREO_CTL_E_PARSE, false, 0 },
		{ "not json", VIREO_CTL_E_PARSE, false, 0 },
		{ "{\"id\":1,", VIREO_CTL_E_PARSE, false, 0 },
		{ "{\"id\":1,\"cmd\":\"x\"} trailing", VIREO_CTL_E_PARSE, false, 0 },
		{ "{\"id\":1,\"cmd\":\"\xc3\x28\"}", VIREO_CTL_E_PARSE, false, 0 },
		{ "[1]", VIREO_CTL_E_INVALID, false, 0 },
		{ "42", VIREO_CTL_E_INVALID, false, 0 },
		{ "{}", VIREO_CTL_E_INVALID, false, 0 },
		{ "{\"cmd\":\"x\"}", VIREO_CTL_E_INVALID, false, 0 },
		{ "{\"id\":\"1\",\"cmd\":\"x\"}", VIREO_CTL_E_INVALID, false, 0 },
		{ "{\"id\":1.5,\"cmd\":\"x\"}", VIREO_CTL_E_INVALID, false, 0 },
		{ "{\"id\":null,\"cmd\":\"x\"}", VIREO_CTL_E_INVALID, false, 0 },
		{ "{\"id\":6}", VIREO_CTL_E_INVALID, true, 6 },
		{ "{\"id\":7,\"cmd\":7}", VIREO_CTL_E_INVALID, true, 7 },
		{ "{\"id\":8,\"cmd\":\"x\",\"args\":[1]}", VIREO_CTL_E_INVALID, true, 8 },
		{ "{\"id\":9,\"cmd\":\"x\",\"extra\":1}", VIREO_CTL_E_INVALID, true, 9 },
		{ "{\"id\":10,\"cmd\":\"Bad Cmd\"}", VIREO_CTL_E_UNKNOWN, true, 10 },
		{ "{\"id\":11,\"cmd\":\"\"}", VIREO_CTL_E_UNKNOWN, true, 11 },
		{ "{\"id\":12,\"cmd\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		  VIREO_CTL_E_UNKNOWN, true, 12 },
		{ "{\"id\":13,\"cmd\":\"a\\u0000b\"}", VIREO_CTL_E_PARSE, false, 0 },
		{ "{\"id\":14,\"cmd\":\"x\",\"args\":{\"s\":\"\\\\u0000\"}}", NULL, true, 14 },
		/* Escapes JSON does not have (json-glib took "\300" as the byte 0xc0). */
		{ "{\"id\":15,\"cmd\":\"x\",\"args\":{\"s\":\"\\300e9\"}}", VIREO_CTL_E_PARSE,
		  false, 0 },
		{ "{\"id\":16,\"cmd\":\"x\",\"args\":{\"\\x41\":1}}", VIREO_CTL_E_PARSE, false, 0 },
		{ "{\"id\":17,\"cmd\":\"x\",\"args\":{\"s\":\"\\t\\/\\\"\\u00e9\"}}", NULL, true, 17 },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct req_case *c = &cases[i];
		struct vireo_ctl_request req;
		const char *code = NULL;
		char *msg = NULL;
		bool ok = vireo_ctl_request_parse(c->line, strlen(c->line), &req, &code, &msg);

		if (ok != !c->code || (!ok && strcmp(code, c->code)) || req.has_id != c->has_id ||
		    (c->has_id && req.id != c->id)) {
			vireo_test_fail(__FILE__, __LINE__,
					"case %zu '%s': ok %d code %s has_id %d id %lld (%s)", i,
					c->line, ok, code ? code : "-", req.has_id,
					(long long)req.id, msg ? msg : "");
			g_free(msg);
			vireo_ctl_request_clear(&req);
			return;
		}
		if (!ok)
			T_TRUE(msg && *msg);
		g_free(msg);
		vireo_ctl_request_clear(&req);
	}
}

static void test_request_nul_and_depth(void)
{
	static const char nul[] = "{\"id\":1,\"cmd\":\"x\"}\0garbage";
	struct vireo_ctl_request req;
	GString *deep = g_string_new("{\"id\":1,\"cmd\":\"x\",\"args\":{\"a\":");
	const char *code;
	char *msg;
	int i;

	T_TRUE(!vireo_ctl_request_parse(nul, sizeof(nul) - 1, &req, &code, &msg));
	T_TRUE(!strcmp(code, VIREO_CTL_E_PARSE));
	g_free(msg);
	vireo_ctl_request_clear(&req);
	for (i = 0; i < 10000; i++)
		g_string_append_c(deep, '[');
	T_TRUE(!vireo_ctl_request_parse(deep->str, deep->len, &req, &code, &msg));
	T_TRUE(!strcmp(code, VIREO_CTL_E_PARSE));
	T_STR_CONTAINS(msg, "nested deeper");
	g_free(msg);
	vireo_ctl_request_clear(&req);
	g_string_free(deep, TRUE);
}

static void test_messages(void)
{
	static const char l3[] = "{\"id\":3,\"ok\":true,\"result\":{\"a\":1},\"new\":2}";
	struct vireo_ctl_message m;
	char *why = NULL;
	static const char *const bad[] = {
		"{\"ok\":\"yes\"}",
		"{\"id\":1,\"ok\":false}",
		"{\"id\":1,\"ok\":false,\"error\":{\"message\":\"m\"}}",
		"{\"id\":\"1\",\"ok\":true}",
		"{\"id\":1,\"ok\":true,\"result\":[]}",
		"{\"event\":\"Bad Name\"}",
		"{\"event\":\"x\",\"data\":1}",
		"[]",
		"nope",
	};
	size_t i;

	T_TRUE(vireo_ctl_message_parse(l3, strlen(l3), &m, &why));
	T_EQ(m.kind, VIREO_CTL_MSG_REPLY);
	T_TRUE(m.has_id && m.id == 3 && m.ok);
	T_EQ(json_object_get_int_member(json_node_get_object(m.result), "a"), 1);
	vireo_ctl_message_clear(&m);
	{
		const char *l = "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"line-too-long\","
				"\"message\":\"m\"}}";

		T_TRUE(vireo_ctl_message_parse(l, strlen(l), &m, &why));
		T_TRUE(!m.has_id && !m.ok);
		T_TRUE(!strcmp(m.error_code, "line-too-long"));
		T_TRUE(!strcmp(m.error_message, "m"));
		vireo_ctl_message_clear(&m);
	}
	T_TRUE(vireo_ctl_message_parse("{\"id\":4,\"ok\":true}", 18, &m, &why));
	T_TRUE(JSON_NODE_HOLDS_OBJECT(m.result));
	vireo_ctl_message_clear(&m);
	T_TRUE(vireo_ctl_message_parse("{\"event\":\"state-changed\"}", 25, &m, &why));
	T_EQ(m.kind, VIREO_CTL_MSG_EVENT);
	T_TRUE(!strcmp(m.event, "state-changed"));
	T_TRUE(JSON_NODE_HOLDS_OBJECT(m.data));
	vireo_ctl_message_clear(&m);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (vireo_ctl_message_parse(bad[i], strlen(bad[i]), &m, &why)) {
			vireo_test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
			vireo_ctl_message_clear(&m);
			return;
		}
		T_TRUE(why != NULL);
		g_free(why);
		why = NULL;
		vireo_ctl_message_clear(&m);
	}
}

static void test_format_round_trip(void)
{
	JsonNode *args = json_from_string("{\"n\":5,\"s\":\"\\u00e9\\n\"}", NULL);
	struct vireo_ctl_request req;
	struct vireo_ctl_message m;
	const char *code;
	char *line, *msg, *why;

	line = vireo_ctl_format_request(77, "echo", args);
	T_TRUE(g_str_has_suffix(line, "\n"));
	T_TRUE(strchr(line, '\n') == line + strlen(line) - 1);	/* one line */
	T_TRUE(vireo_ctl_request_parse(line, strlen(line) - 1, &req, &code, &msg));
	T_EQ(req.id, 77);
	T_TRUE(!strcmp(req.cmd, "echo"));
	T_EQ(json_object_get_int_member(req.args, "n"), 5);
	T_TRUE(!strcmp(json_object_get_string_member(req.args, "s"), "\xc3\xa9\n"));
	vireo_ctl_request_clear(&req);
	g_free(line);

	line = vireo_ctl_format_ok(78, args);
	T_TRUE(vireo_ctl_message_parse(line, strlen(line) - 1, &m, &why));
	T_TRUE(m.ok && m.id == 78);
	vireo_ctl_message_clear(&m);
	g_free(line);

	/* An error message quoting hostile bytes stays valid UTF-8. */
	line = vireo_ctl_format_error(false, 0, VIREO_CTL_E_PARSE, "bad \xff byte");
	T_TRUE(g_utf8_validate(line, -1, NULL));
	T_TRUE(vireo_ctl_message_parse(line, strlen(line) - 1, &m, &why));
	T_TRUE(!m.has_id && !m.ok);
	T_TRUE(!strcmp(m.error_code, VIREO_CTL_E_PARSE));
	vireo_ctl_message_clear(&m);
	g_free(line);

	line = vireo_ctl_format_event("progress", NULL);
	T_TRUE(!strcmp(line, "{\"event\":\"progress\",\"data\":{}}\n"));
	g_free(line);
	json_node_unref(args);
}

static void test_names(void)
{
	T_TRUE(vireo_ctl_name_valid("query-status"));
	T_TRUE(vireo_ctl_name_valid("a0"));
	T_TRUE(!vireo_ctl_name_valid(""));
	T_TRUE(!vireo_ctl_name_valid("Query"));
	T_TRUE(!vireo_ctl_name_valid("a_b"));
	T_TRUE(!vireo_ctl_name_valid("a b"));
	T_TRUE(!vireo_ctl_name_valid(NULL));
}

static const struct vireo_test vireo_tests_ctl_protocol[] = {
	VIREO_TEST(test_lines_basic),
	VIREO_TEST(test_lines_limits),
	VIREO_TEST(test_lines_stop),
	VIREO_TEST(test_depth),
	VIREO_TEST(test_request_table),
	VIREO_TEST(test_request_nul_and_depth),
	VIREO_TEST(test_messages),
	VIREO_TEST(test_format_round_trip),
	VIREO_TEST(test_names),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(ctl_protocol, vireo_tests_ctl_protocol);
