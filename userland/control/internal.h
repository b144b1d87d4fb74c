/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What server.c and json.c share behind server.h's opaque types.
 */
#ifndef VIREO_CONTROL_INTERNAL_H
#define VIREO_CONTROL_INTERNAL_H

#include <json-glib/json-glib.h>

#include "protocol.h"
#include "server.h"

struct vireo_ctl_args {
	JsonObject *obj;	/* NULL: the request had no args */
};

struct vireo_ctl_error {
	char *code;		/* g_malloc'd; NULL until set */
	char *message;
};

/* The builder's top object sits inside the reply or event object. */
#define VIREO_CTL_JSON_DEPTH (VIREO_CTL_DEPTH_MAX - 1)

struct vireo_ctl_json {
	JsonBuilder *b;
	unsigned int depth;		/* open levels, the top object included */
	bool is_array[VIREO_CTL_JSON_DEPTH];
	unsigned int ignored;		/* begins past the depth limit */
};

/* Close what is open and return the top object (owned); frees j. */
JsonNode *vireo_ctl_json_finish(struct vireo_ctl_json *j);

void vireo_ctl_error_clear(struct vireo_ctl_error *err);

#endif /* VIREO_CONTROL_INTERNAL_H */
