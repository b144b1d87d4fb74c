// SPDX-License-Identifier: GPL-2.0
/*
 * The machine store in a temporary XDG_DATA_HOME (the runner sets it per
 * test): create, list, load, save, the upgrade write-back, delete with and
 * without disks; the machine lock, including a holder killed by SIGKILL;
 * the monitor command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test.h"
#include "vmlib/launch.h"
#include "vmlib/lock.h"
#include "vmlib/store.h"

static struct vireo_vmdef *make(const char *name)
{
	struct vireo_vmdef *d = vireo_vmdef_new(name);
	GError *err = NULL;

	if (!vireo_machine_create(d, &err)) {
		vireo_test_fail(__FILE__, __LINE__, "create %s: %s", name, err->message);
		g_error_free(err);
		vireo_vmdef_free(d);
		return NULL;
	}
	return d;
}

static void test_paths(void)
{
	const char *tmp = g_getenv("VIREO_TEST_TMP");
	char *m = vireo_machines_dir(), *want, *sock, *r;
	GError *err = NULL;

	want = g_build_filename(tmp, "data", "vireo", "machines", NULL);
	T_TRUE(!strcmp(m, want));
	g_free(want);
	sock = vireo_machine_socket_path("deb", &err);
	want = g_build_filename(tmp, "run", "vireo", "deb.sock", NULL);
	T_TRUE(sock && !strcmp(sock, want));
	g_free(want);
	r = vireo_machine_resolve("deb", "disk0.qcow2");
	want = g_build_filename(m, "deb", "disk0.qcow2", NULL);
	T_TRUE(!strcmp(r, want));
	g_free(r);
	r = vireo_machine_resolve("deb", "/abs/x.img");
	T_TRUE(!strcmp(r, "/abs/x.img"));
	T_TRUE(vireo_machine_path_inside("deb", "disk0.qcow2"));
	T_TRUE(vireo_machine_path_inside("deb", want));
	T_TRUE(!vireo_machine_path_inside("deb", "../other/disk.img"));
	T_TRUE(!vireo_machine_path_inside("deb", "/abs/x.img"));
	g_free(want);
	g_free(r);
	g_free(sock);
	g_free(m);
	/* A relative XDG_DATA_HOME is ignored, as the spec says. */
	g_setenv("XDG_DATA_HOME", "relative/dir", TRUE);
	m = vireo_machines_dir();
	T_TRUE(g_path_is_absolute(m));
	T_TRUE(!strstr(m, "relative/dir"));
	g_free(m);
}

static void test_socket_path_too_long(void)
{
	char *longdir = g_strnfill(120, 'x'), *dir = g_strconcat("/tmp/", longdir, NULL);
	GError *err = NULL;
	char *s;

	g_setenv("XDG_RUNTIME_DIR", dir, TRUE);
	s = vireo_machine_socket_path("deb", &err);
	T_TRUE(s == NULL);
	T_STR_CONTAINS(err->message, "longer than a UNIX socket allows");
	g_error_free(err);
	g_free(longdir);
	g_free(dir);
}

static void test_create_list_load(void)
{
	struct vireo_vmdef *a, *b, *l;
	GError *err = NULL;
	char **names;
	char *ja, *jl;

	T_TRUE((names = vireo_machine_list(&err)) != NULL);
	T_TRUE(names[0] == NULL);	/* no store yet: empty, not an error */
	g_strfreev(names);
	T_CALL(b = make("zeta"));
	T_CALL(a = make("alpha"));
	T_TRUE(vireo_machine_exists("alpha"));
	T_TRUE(!vireo_machine_exists("beta"));
	names = vireo_machine_list(&err);
	T_TRUE(names && names[0] && names[1] && !names[2]);
	T_TRUE(!strcmp(names[0], "alpha") && !strcmp(names[1], "zeta"));
	g_strfreev(names);
	l = vireo_machine_load("alpha", &err);
	T_TRUE(l != NULL);
	ja = vireo_vmdef_to_json(a);
	jl = vireo_vmdef_to_json(l);
	T_TRUE(!strcmp(ja, jl));
	g_free(ja);
	g_free(jl);
	vireo_vmdef_free(l);
	/* A second create of the same name is refused. */
	T_TRUE(!vireo_machine_create(a, &err));
	T_EQ(err->code, VIREO_VM_ERROR_EXISTS);
	g_clear_error(&err);
	vireo_vmdef_free(a);
	vireo_vmdef_free(b);
}

static void test_load_errors(void)
{
	GError *err = NULL;
	struct vireo_vmdef *d;
	char *dir, *file;

	T_TRUE(vireo_machine_load("nope", &err) == NULL);
	T_EQ(err->code, VIREO_VM_ERROR_NOT_FOUND);
	g_clear_error(&err);
	T_TRUE(vireo_machine_load("../etc", &err) == NULL);
	T_EQ(err->code, VIREO_VM_ERROR_NOT_FOUND);
	g_clear_error(&err);
	/* A definition whose name differs from its directory. */
	T_CALL(d = make("one"));
	dir = vireo_machine_dir("two");
	g_mkdir_with_parents(dir, 0700);
	file = vireo_machine_file("two", VIREO_MACHINE_FILE);
	{
		char *text = vireo_vmdef_to_json(d);

		T_TRUE(g_file_set_contents(file, text, -1, NULL));
		g_free(text);
	}
	T_TRUE(vireo_machine_load("two", &err) == NULL);
	T_STR_CONTAINS(err->message, "machine.json: name: \"one\" differs");
	T_STR_CONTAINS(err->message, file);
	g_clear_error(&err);
	/* A broken file names itself and the field. */
	T_TRUE(g_file_set_contents(file, "{\"format\":1,\"name\":\"two\",\"uuid\":5}", -1, NULL));
	T_TRUE(vireo_machine_load("two", &err) == NULL);
	T_STR_CONTAINS(err->message, file);
	T_STR_CONTAINS(err->message, "uuid: expected a string");
	g_clear_error(&err);
	g_free(dir);
	g_free(file);
	vireo_vmdef_free(d);
}

static void test_save_atomic_and_modified(void)
{
	struct vireo_vmdef *d, *l;
	GError *err = NULL;
	char *tmp;

	T_CALL(d = make("m"));
	d->modified = 1;
	d->cpus = 3;
	T_TRUE(vireo_machine_save(d, false, &err));
	T_TRUE(d->modified > 1);
	l = vireo_machine_load("m", &err);
	T_TRUE(l != NULL);
	T_EQ(l->cpus, 3);
	T_EQ(l->modified, d->modified);
	vireo_vmdef_free(l);
	tmp = vireo_machine_file("m", VIREO_MACHINE_FILE ".tmp");
	T_TRUE(!g_file_test(tmp, G_FILE_TEST_EXISTS));
	g_free(tmp);
	/* An invalid definition is never written. */
	d->cpus = 0;
	T_TRUE(!vireo_machine_save(d, false, &err));
	T_STR_CONTAINS(err->message, "cpus:");
	g_clear_error(&err);
	l = vireo_machine_load("m", &err);
	T_TRUE(l != NULL);
	T_EQ(l->cpus, 3);
	vireo_vmdef_free(l);
	vireo_vmdef_free(d);
}

static void test_upgrade_written_back_once(void)
{
	char *dir = vireo_machine_dir("old"), *file, *backup, *text = NULL;
	struct vireo_vmdef *a, *b;
	GError *err = NULL;

	g_mkdir_with_parents(dir, 0700);
	file = vireo_machine_file("old", VIREO_MACHINE_FILE);
	backup = g_strconcat(file, ".v0", NULL);
	T_TRUE(g_file_set_contents(file, "{\"name\":\"old\",\"memory\":\"128M\",\"net\":\"nat\"}",
				   -1, NULL));
	a = vireo_machine_load("old", &err);
	T_TRUE(a != NULL);
	T_TRUE(a->upgraded);
	T_TRUE(g_file_test(backup, G_FILE_TEST_EXISTS));
	T_TRUE(g_file_get_contents(file, &text, NULL, NULL));
	T_STR_CONTAINS(text, "\"format\" : 1");
	/* The generated UUID and MAC are the stored ones from now on. */
	b = vireo_machine_load("old", &err);
	T_TRUE(b != NULL);
	T_TRUE(!b->upgraded);
	T_TRUE(!strcmp(a->uuid, b->uuid));
	T_TRUE(!memcmp(a->nics[0].mac, b->nics[0].mac, 6));
	vireo_vmdef_free(a);
	vireo_vmdef_free(b);
	g_free(text);
	g_free(dir);
	g_free(file);
	g_free(backup);
}

static void touch(const char *path)
{
	g_file_set_contents(path, "x", 1, NULL);
}

static void test_delete(void)
{
	const char *tmp = g_getenv("VIREO_TEST_TMP");
	struct vireo_vmdef *d;
	struct vireo_vm_disk disk = { 0 };
	char *outside = g_build_filename(tmp, "outside.img", NULL);
	char *inside, *dir, **kept = NULL;
	GError *err = NULL;
	char **names;

	T_CALL(d = make("del"));
	disk.path = "disk0.qcow2";
	T_TRUE(vireo_vmdef_add_disk(d, &disk, &err));
	disk.path = outside;
	T_TRUE(vireo_vmdef_add_disk(d, &disk, &err));
	T_TRUE(vireo_machine_save(d, false, &err));
	inside = vireo_machine_resolve("del", "disk0.qcow2");
	touch(inside);
	touch(outside);
	dir = vireo_machine_dir("del");

	/* Keeping the disks: the definition goes, the images stay. */
	T_TRUE(vireo_machine_delete(d, false, &kept, &err));
	T_TRUE(kept && kept[0] && kept[1] && !kept[2]);
	T_TRUE(!vireo_machine_exists("del"));
	T_TRUE(g_file_test(inside, G_FILE_TEST_EXISTS));
	T_TRUE(g_file_test(outside, G_FILE_TEST_EXISTS));
	names = vireo_machine_list(&err);
	T_TRUE(names && !names[0]);
	g_strfreev(names);
	g_strfreev(kept);
	kept = NULL;

	/* Recreated in the same directory, then deleted with its disks: the
	 * one inside goes, the one outside is never touched. */
	T_TRUE(vireo_machine_create(d, &err));
	T_TRUE(vireo_machine_delete(d, true, &kept, &err));
	T_TRUE(kept && kept[0] && !kept[1]);
	T_TRUE(!strcmp(kept[0], outside));
	T_TRUE(!g_file_test(inside, G_FILE_TEST_EXISTS));
	T_TRUE(g_file_test(outside, G_FILE_TEST_EXISTS));
	T_TRUE(!g_file_test(dir, G_FILE_TEST_EXISTS));
	g_strfreev(kept);

	T_TRUE(!vireo_machine_delete(d, true, NULL, &err));
	T_EQ(err->code, VIREO_VM_ERROR_NOT_FOUND);
	g_clear_error(&err);
	vireo_vmdef_free(d);
	g_free(inside);
	g_free(outside);
	g_free(dir);
}

/* ------------------------------------------------------------ lock */

static char *lock_path(void)
{
	return g_build_filename(g_getenv("VIREO_TEST_TMP"), "lock", NULL);
}

static void test_lock_basic(void)
{
	char *path = lock_path();
	bool held;
	pid_t pid;
	int fd, fd2;

	T_EQ(vireo_machine_lock_probe(path, &held, &pid), 0);	/* no file: not held */
	T_TRUE(!held);
	T_EQ(vireo_machine_lock(path, true, &fd), 0);
	T_TRUE(fd >= 0);
	T_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Another open file description, even in this process, is refused. */
	T_EQ(vireo_machine_lock(path, false, &fd2), -EBUSY);
	T_EQ(fd2, -1);
	T_EQ(vireo_machine_lock_probe(path, &held, &pid), 0);
	T_TRUE(held);
	T_EQ(pid, getpid());
	vireo_machine_unlock(fd);
	T_EQ(vireo_machine_lock_probe(path, &held, &pid), 0);
	T_TRUE(!held);
	T_EQ(pid, 0);
	T_EQ(vireo_machine_lock(path, false, &fd2), 0);
	vireo_machine_unlock(fd2);
	g_free(path);
}

/* The point of OFD locks: a holder killed by SIGKILL leaves no stale lock. */
static void test_lock_dies_with_holder(void)
{
	char *path = lock_path();
	int ready[2], status, fd, i;
	bool held = false;
	pid_t pid, seen;
	char c;

	T_TRUE(pipe(ready) == 0);
	pid = fork();
	T_TRUE(pid >= 0);
	if (pid == 0) {
		if (vireo_machine_lock(path, true, &fd) == 0)
			(void)!write(ready[1], "k", 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	T_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	T_EQ(vireo_machine_lock_probe(path, &held, &seen), 0);
	T_TRUE(held);
	T_EQ(seen, pid);
	T_EQ(vireo_machine_lock(path, false, &fd), -EBUSY);
	kill(pid, SIGKILL);
	T_EQ(waitpid(pid, &status, 0), pid);
	/* The kernel dropped it with the process; nothing to clean up. */
	for (i = 0; i < 100; i++) {
		vireo_machine_lock_probe(path, &held, NULL);
		if (!held)
			break;
		usleep(10000);
	}
	T_TRUE(!held);
	T_EQ(vireo_machine_lock(path, true, &fd), 0);
	vireo_machine_unlock(fd);
	g_free(path);
}

/* ------------------------------------------------------------ launch */

static bool has_pair(char **argv, const char *opt, const char *value)
{
	for (; argv[0] && argv[1]; argv++) {
		if (!strcmp(argv[0], opt) && !strcmp(argv[1], value))
			return true;
	}
	return false;
}

static void test_monitor_argv(void)
{
	struct vireo_vmdef *d = vireo_vmdef_new("deb");
	struct vireo_vm_disk disk = { .path = "disk0.qcow2", .format = VIREO_VM_DISK_QCOW2 };
	struct vireo_vm_disk iso = { .path = "/iso/d.iso", .media = VIREO_VM_MEDIA_CDROM };
	struct vireo_vm_nic tap = { .model = "virtio", .backend = VIREO_VM_NIC_TAP,
				    .ifname = "tap0", .mac = { 0x56, 1, 2, 3, 4, 5 } };
	struct vireo_vm_forward f = { .host_addr = "127.0.0.1", .host_port = 2222,
				      .guest_port = 22 };
	GError *err = NULL;
	char **argv, *want, *dir, mac[18];

	T_TRUE(vireo_monitor_argv(d, "/bin/mon", false, &err) == NULL);
	T_STR_CONTAINS(err->message, "boot.kernel: no kernel");
	g_clear_error(&err);
	d->boot.kernel = g_strdup("vmlinuz");
	d->boot.initrd = g_strdup("/boot/initrd.img");
	d->memory_mib = 1536;
	d->cpus = 2;
	T_TRUE(vireo_vmdef_add_disk(d, &disk, &err));
	T_TRUE(vireo_vmdef_add_disk(d, &iso, &err));
	T_TRUE(vireo_vm_nic_add_forward(&d->nics[0], &f, &err));
	T_TRUE(vireo_vmdef_add_nic(d, &tap, &err));
	argv = vireo_monitor_argv(d, "/bin/mon", false, &err);
	T_TRUE(argv != NULL);
	T_TRUE(!strcmp(argv[0], "/bin/mon"));
	dir = vireo_machine_dir("deb");
	T_TRUE(has_pair(argv, "--name", "deb"));
	want = g_build_filename(dir, "lock", NULL);
	T_TRUE(has_pair(argv, "--lock", want));
	g_free(want);
	T_TRUE(has_pair(argv, "--mem", "1536M"));
	T_TRUE(has_pair(argv, "--cpus", "2"));
	want = g_build_filename(dir, "vmlinuz", NULL);
	T_TRUE(has_pair(argv, "--kernel", want));
	g_free(want);
	T_TRUE(has_pair(argv, "--initrd", "/boot/initrd.img"));
	T_TRUE(has_pair(argv, "--append", "console=ttyS0"));
	want = g_strdup_printf("%s/disk0.qcow2,format=qcow2", dir);
	T_TRUE(has_pair(argv, "--disk", want));
	g_free(want);
	T_TRUE(has_pair(argv, "--disk", "/iso/d.iso,ro,format=raw"));
	vireo_vm_mac_format(d->nics[0].mac, mac);
	want = g_strdup_printf("nat,mac=%s,hostfwd=tcp:127.0.0.1:2222-:22", mac);
	T_TRUE(has_pair(argv, "--net", want));
	g_free(want);
	T_TRUE(has_pair(argv, "--net", "tap,ifname=tap0,mac=56:01:02:03:04:05"));
	T_TRUE(!g_strv_contains((const char *const *)argv, "--console"));
	g_strfreev(argv);
	argv = vireo_monitor_argv(d, "/bin/mon", true, &err);
	T_TRUE(!strcmp(argv[g_strv_length(argv) - 1], "--console"));	/* attached */
	g_strfreev(argv);
	d->boot.mode = VIREO_VM_BOOT_FIRMWARE;
	T_TRUE(vireo_monitor_argv(d, "/bin/mon", false, &err) == NULL);
	T_STR_CONTAINS(err->message, "boot.mode: firmware boot is not implemented");
	g_clear_error(&err);
	g_free(dir);
	vireo_vmdef_free(d);
}

/* Paths reach the monitor whole: commas doubled in --disk only. */
static void test_monitor_argv_odd_paths(void)
{
	struct vireo_vmdef *d = vireo_vmdef_new("odd");
	struct vireo_vm_disk disk = { .path = "/a,b c/caf\xc3\xa9\n,.img",
				      .format = VIREO_VM_DISK_RAW };
	GError *err = NULL;
	char **argv;

	d->boot.kernel = g_strdup("/k,1 2/vmlinuz\xc3\xa9");
	d->boot.initrd = g_strdup("/i,1\n/initrd");
	T_TRUE(vireo_vmdef_add_disk(d, &disk, &err));
	argv = vireo_monitor_argv(d, "/bin/mon", false, &err);
	T_TRUE(argv != NULL);
	T_TRUE(has_pair(argv, "--disk", "/a,,b c/caf\xc3\xa9\n,,.img,format=raw"));
	T_TRUE(has_pair(argv, "--kernel", "/k,1 2/vmlinuz\xc3\xa9"));
	T_TRUE(has_pair(argv, "--initrd", "/i,1\n/initrd"));
	g_strfreev(argv);
	vireo_vmdef_free(d);
}

static const struct vireo_test vireo_tests_store[] = {
	VIREO_TEST(test_paths),
	VIREO_TEST(test_socket_path_too_long),
	VIREO_TEST(test_create_list_load),
	VIREO_TEST(test_load_errors),
	VIREO_TEST(test_save_atomic_and_modified),
	VIREO_TEST(test_upgrade_written_back_once),
	VIREO_TEST(test_delete),
	VIREO_TEST(test_lock_basic),
	VIREO_TEST(test_lock_dies_with_holder),
	VIREO_TEST(test_monitor_argv),
	VIREO_TEST(test_monitor_argv_odd_paths),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(store, vireo_tests_store);
