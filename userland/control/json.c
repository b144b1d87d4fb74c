// SPDX-License-Identifier: GPL-2.0
/*
 * The GLib-free helpers of server.h: the JSON builder handlers fill,
 * argument accessors, and handler errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"

struct vireo_ctl_json *vireo_ctl_json_new(void)
{
	struct vireo_ctl_json *j = g_new0(struct vireo_ctl_json, 1);

	j->b = json_builder_new();
	json_builder_begin_object(j->b);
	j->depth = 1;
	j->is_array[0] = false;
	return j;
}

void vireo_ctl_json_free(struct vireo_ctl_json *j)
{
	if (!j)
		return;
	g_object_unref(j->b);
	g_free(j);
}

/* Name the next value; false when the call does not fit the position. */
static bool member(struct vireo_ctl_json *j, const char *key)
{
	if (j->ignored || j->depth == 0)
		return false;
	if (j->is_array[j->depth - 1])
		return key == NULL;
	if (!key)
		return false;
	json_builder_set_member_name(j->b, key);
	return true;
}

void vireo_ctl_json_int(struct vireo_ctl_json *j, const char *key, int64_t v)
{
	if (member(j, key))
		json_builder_add_int_value(j->b, v);
}

void vireo_ctl_json_bool(struct vireo_ctl_json *j, const char *key, bool v)
{
	if (member(j, key))
		json_builder_add_boolean_value(j->b, v);
}

void vireo_ctl_json_double(struct vireo_ctl_json *j, const char *key, double v)
{
	if (member(j, key))
		json_builder_add_double_value(j->b, v);
}

void vireo_ctl_json_string(struct vireo_ctl_json *j, const char *key, const char *v)
{
	if (!member(j, key))
		return;
	if (!v) {
		json_builder_add_null_value(j->b);
	} else if (g_utf8_validate(v, -1, NULL)) {
		json_builder_add_string_value(j->b, v);
	} else {
		char *valid = g_utf8_make_valid(v, -1);

		json_builder_add_string_value(j->b, valid);
		g_free(valid);
	}
}

void vireo_ctl_json_null(struct vireo_ctl_json *j, const char *key)
{
	if (member(j, key))
		json_builder_add_null_value(j->b);
}

static void begin(struct vireo_ctl_json *j, const char *key, bool array)
{
	if (j->ignored || j->depth >= VIREO_CTL_JSON_DEPTH || !member(j, key)) {
		j->ignored++;
		return;
	}
	if (array)
		json_builder_begin_array(j->b);
	else
		json_builder_begin_object(j->b);
	j->is_array[j->depth++] = array;
}

static void end(struct vireo_ctl_json *j, bool array)
{
	if (j->ignored) {
		j->ignored--;
		return;
	}
	/* Never close the top object here, nor the wrong kind. */
	if (j->depth <= 1 || j->is_array[j->depth - 1] != array)
		return;
	if (array)
		json_builder_end_array(j->b);
	else
		json_builder_end_object(j->b);
	j->depth--;
}

void vireo_ctl_json_begin_object(struct vireo_ctl_json *j, const char *key)
{
	begin(j, key, false);
}

void vireo_ctl_json_end_object(struct vireo_ctl_json *j)
{
	end(j, false);
}

void vireo_ctl_json_begin_array(struct vireo_ctl_json *j, const char *key)
{
	begin(j, key, true);
}

void vireo_ctl_json_end_array(struct vireo_ctl_json *j)
{
	end(j, true);
}

JsonNode *vireo_ctl_json_finish(struct vireo_ctl_json *j)
{
	JsonNode *root;

	while (j->depth > 0) {
		if (j->is_array[j->depth - 1])
			json_builder_end_array(j->b);
		else
			json_builder_end_object(j->b);
		j->depth--;
	}
	root = json_builder_get_root(j->b);
	vireo_ctl_json_free(j);
	return root;
}

/* ------------------------------------------------------------ arguments */

static JsonNode *arg(const struct vireo_ctl_args *args, const char *key)
{
	JsonNode *n;

	if (!args || !args->obj || !key)
		return NULL;
	n = json_object_get_member(args->obj, key);
	return n && !JSON_NODE_HOLDS_NULL(n) ? n : NULL;
}

static int arg_of_type(const struct vireo_ctl_args *args, const char *key, GType t,
		       JsonNode **out)
{
	JsonNode *n = arg(args, key);

	if (!n)
		return -ENOENT;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != t)
		return -EINVAL;
	*out = n;
	return 0;
}

int vireo_ctl_args_int(const struct vireo_ctl_args *args, const char *key, int64_t *out)
{
	JsonNode *n;
	int r = arg_of_type(args, key, G_TYPE_INT64, &n);

	if (!r)
		*out = json_node_get_int(n);
	return r;
}

int vireo_ctl_args_bool(const struct vireo_ctl_args *args, const char *key, bool *out)
{
	JsonNode *n;
	int r = arg_of_type(args, key, G_TYPE_BOOLEAN, &n);

	if (!r)
		*out = json_node_get_boolean(n);
	return r;
}

int vireo_ctl_args_string(const struct vireo_ctl_args *args, const char *key, const char **out)
{
	JsonNode *n;
	int r = arg_of_type(args, key, G_TYPE_STRING, &n);

	if (!r)
		*out = json_node_get_string(n);
	return r;
}

bool vireo_ctl_args_has(const struct vireo_ctl_args *args, const char *key)
{
	return arg(args, key) != NULL;
}

/* ------------------------------------------------------------ errors */

int vireo_ctl_error_set(struct vireo_ctl_error *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	vireo_ctl_error_clear(err);
	err->code = g_strdup(vireo_ctl_name_valid(code) ? code : VIREO_CTL_E_INTERNAL);
	va_start(ap, fmt);
	err->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return -1;
}

void vireo_ctl_error_clear(struct vireo_ctl_error *err)
{
	g_free(err->code);
	g_free(err->message);
	err->code = NULL;
	err->message = NULL;
}
