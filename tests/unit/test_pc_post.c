// SPDX-License-Identifier: GPL-2.0
/*
 * The POST code port (pc/dev/post.c), the example device of
 * docs/ARCHITECTURE.md: as a vCPU's IN and OUT reach it on the PC's bus,
 * across a rebuild of the machine (a guest reset), and in query-status on
 * a real control socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dev/models.h"
#include "pc.h"
#include "test.h"
#include "test_line_reader.h"
#include "test_pc_machine.h"

/* pc/dev/post.c; machine_table.c declares it for the machine. */
extern const struct vireo_pc_device_model vireo_pc_dev_post;

static const struct vireo_pc_slot post_slot = { .model = &vireo_pc_dev_post };

static void pc_post_latch(void)
{
	static struct vireo_options o;
	static struct vireo_pc_host host;
	static struct vireo_pc pc;
	static struct vireo_pc_vcpu v;
	atomic_uint_fast64_t *field;
	uint32_t data;

	memset(&o, 0, sizeof(o));
	memset(&host, 0, sizeof(host));
	o.debug_exit_port = -1;
	T_TRUE(test_pc_machine_init(&pc, &host, &o));
	v.pc = &pc;
	T_EQ(vireo_pc_device_add(&pc, &post_slot, 0), 0);

	data = 0xffffffff;
	T_EQ(vireo_pc_pio(&v, 0x80, 1, false, &data), 0);
	T_EQ(data, 0);				/* no code yet */
	data = 0x1a5;				/* OUT of AL: the byte */
	T_EQ(vireo_pc_pio(&v, 0x80, 1, true, &data), 0);
	data = 0;
	T_EQ(vireo_pc_pio(&v, 0x80, 1, false, &data), 0);
	T_EQ(data, 0xa5);
	data = 0x5a;
	T_EQ(vireo_pc_pio(&v, 0x80, 1, true, &data), 0);
	data = 0;
	T_EQ(vireo_pc_pio(&v, 0x80, 1, false, &data), 0);
	T_EQ(data, 0x5a);			/* the last code, not the first */
	field = vireo_pc_control_status_field(&host.ctl, "post-code");
	T_TRUE(field != NULL);
	T_EQ(atomic_load(field), 0x5a);		/* what query-status reports */
	T_EQ(pc.unhandled_pio, 0);

	/* A reset rebuilds the machine: the same field, back to no code. */
	test_pc_machine_fini(&pc);
	T_TRUE(test_pc_machine_init(&pc, &host, &o));
	T_EQ(vireo_pc_device_add(&pc, &post_slot, 0), 0);
	T_EQ(vireo_pc_control_status_field(&host.ctl, "post-code"), field);
	T_EQ(atomic_load(field), 0);
	data = 0x33;
	T_EQ(vireo_pc_pio(&v, 0x80, 1, true, &data), 0);
	T_EQ(atomic_load(field), 0x33);
	test_pc_machine_fini(&pc);
}

/* The machine description has the port, once, with no line and no options needed. */
static void pc_post_in_machine_table(void)
{
	static struct vireo_options o;
	unsigned int i, n = 0;

	memset(&o, 0, sizeof(o));
	for (i = 0; i < vireo_pc_machine_table_len; i++) {
		const struct vireo_pc_slot *s = &vireo_pc_machine_table[i];

		if (s->model != &vireo_pc_dev_post)
			continue;
		n++;
		T_EQ(s->nr_lines, 0);
		T_TRUE(!s->model->count || s->model->count(&o) == 1);
	}
	T_EQ(n, 1);
}

/* query-status on the control socket shows the code the guest wrote last. */
static void pc_post_query_status(void)
{
	static struct vireo_options o;
	static struct vireo_pc_host host;
	static struct vireo_pc pc;
	static struct vireo_pc_vcpu v;
	static struct test_line_reader rd;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[48], path[96];
	const char *req = "{\"id\":1,\"cmd\":\"query-status\"}\n", *l;
	uint32_t data = 0xc4;
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/vireo-post-XXXXXX");
	T_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/vm.sock", dir);
	memset(&o, 0, sizeof(o));
	o.debug_exit_port = -1;
	o.cpus = 1;
	o.control = path;
	memset(&host, 0, sizeof(host));
	T_EQ(vireo_pc_control_start(&host.ctl, &o, stderr), 0);
	T_TRUE(test_pc_machine_init(&pc, &host, &o));
	v.pc = &pc;
	T_EQ(vireo_pc_device_add(&pc, &post_slot, 0), 0);
	T_EQ(vireo_pc_pio(&v, 0x80, 1, true, &data), 0);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	T_TRUE(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	test_line_reader_reset(&rd, fd);
	T_EQ(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while ((l = test_line_reader_next(&rd, 2000)) && strncmp(l, "{\"id\":1,", 8))
		;
	T_TRUE(l != NULL);
	T_STR_CONTAINS(l, "\"ok\":true");
	T_STR_CONTAINS(l, "\"post-code\":196");
	close(fd);
	test_pc_machine_fini(&pc);
	vireo_pc_control_stop(&host.ctl, "test");
	unlink(path);
	rmdir(dir);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(pc_post_latch),
	VIREO_TEST(pc_post_in_machine_table),
	VIREO_TEST(pc_post_query_status),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(pc_post, tests);
