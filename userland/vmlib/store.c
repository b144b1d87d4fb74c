// SPDX-License-Identifier: GPL-2.0
/*
 * The machine store on disk (see store.h): XDG paths, listing, atomic
 * saves, load with upgrade write-back, create and delete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "store.h"

static char *xdg_dir(const char *var, const char *fallback_under_home)
{
	const char *v = g_getenv(var);

	/* The XDG spec: a relative value is invalid and must be ignored. */
	if (v && v[0] == '/')
		return g_strdup(v);
	return g_build_filename(g_get_home_dir(), fallback_under_home, NULL);
}

char *vireo_machines_dir(void)
{
	char *data = xdg_dir("XDG_DATA_HOME", ".local/share");
	char *dir = g_build_filename(data, "vireo", "machines", NULL);

	g_free(data);
	return dir;
}

char *vireo_runtime_dir(void)
{
	const char *v = g_getenv("XDG_RUNTIME_DIR");
	char *base, *dir;
	struct stat st;

	if (v && v[0] == '/')
		return g_build_filename(v, "vireo", NULL);
	base = g_strdup_printf("/run/user/%u", (unsigned int)getuid());
	if (stat(base, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid()) {
		dir = g_build_filename(base, "vireo", NULL);
	} else {
		char *cache = xdg_dir("XDG_CACHE_HOME", ".cache");

		dir = g_build_filename(cache, "vireo-run", NULL);
		g_free(cache);
	}
	g_free(base);
	return dir;
}

char *vireo_machine_dir(const char *name)
{
	char *machines = vireo_machines_dir();
	char *dir = g_build_filename(machines, name, NULL);

	g_free(machines);
	return dir;
}

char *vireo_machine_file(const char *name, const char *file)
{
	char *dir = vireo_machine_dir(name);
	char *path = g_build_filename(dir, file, NULL);

	g_free(dir);
	return path;
}

static char *runtime_socket(const char *name, const char *suffix, const char *what,
			    GError **error)
{
	char *run = vireo_runtime_dir();
	char *sock_name = g_strconcat(name, suffix, NULL);
	char *path = g_build_filename(run, sock_name, NULL);
	struct sockaddr_un sa;

	g_free(run);
	g_free(sock_name);
	if (strlen(path) >= sizeof(sa.sun_path)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID,
			    "%s: the %s socket path is longer than a UNIX socket allows (%zu "
			    "bytes); use a shorter XDG_RUNTIME_DIR or machine name",
			    path, what, sizeof(sa.sun_path) - 1);
		g_free(path);
		return NULL;
	}
	return path;
}

char *vireo_machine_socket_path(const char *name, GError **error)
{
	return runtime_socket(name, ".sock", "control", error);
}

char *vireo_machine_console_path(const char *name, GError **error)
{
	return runtime_socket(name, ".console", "console", error);
}

char *vireo_machine_resolve(const char *name, const char *path)
{
	char *dir, *r;

	if (!path)
		return NULL;
	if (g_path_is_absolute(path))
		return g_strdup(path);
	dir = vireo_machine_dir(name);
	r = g_build_filename(dir, path, NULL);
	g_free(dir);
	return r;
}

bool vireo_machine_exists(const char *name)
{
	char *file;
	bool r;

	if (!vireo_vm_name_valid(name))
		return false;
	file = vireo_machine_file(name, VIREO_MACHINE_FILE);
	r = g_file_test(file, G_FILE_TEST_IS_REGULAR);
	g_free(file);
	return r;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **vireo_machine_list(GError **error)
{
	char *machines = vireo_machines_dir();
	GPtrArray *names = g_ptr_array_new();
	GError *err = NULL;
	const char *e;
	GDir *dir;

	dir = g_dir_open(machines, 0, &err);
	if (!dir) {
		if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_clear_error(&err);
		} else {
			g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_IO, "%s", err->message);
			g_clear_error(&err);
			g_ptr_array_add(names, NULL);
			g_strfreev((char **)g_ptr_array_free(names, FALSE));
			g_free(machines);
			return NULL;
		}
	} else {
		while ((e = g_dir_read_name(dir))) {
			if (vireo_machine_exists(e))
				g_ptr_array_add(names, g_strdup(e));
		}
		g_dir_close(dir);
	}
	g_ptr_array_sort(names, cmp_str);
	g_ptr_array_add(names, NULL);
	g_free(machines);
	return (char **)g_ptr_array_free(names, FALSE);
}

static bool read_file(const char *path, char **text, size_t *len, GError **error)
{
	GError *err = NULL;
	gsize n;

	if (!g_file_get_contents(path, text, &n, &err)) {
		g_set_error(error, VIREO_VM_ERROR,
			    g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT) ?
				    VIREO_VM_ERROR_NOT_FOUND :
				    VIREO_VM_ERROR_IO,
			    "%s", err->message);
		g_error_free(err);
		return false;
	}
	*len = n;
	return true;
}

struct vireo_vmdef *vireo_vmdef_load_file(const char *path, GError **error)
{
	struct vireo_vmdef *def;
	char *text;
	size_t len;

	if (!read_file(path, &text, &len, error))
		return NULL;
	def = vireo_vmdef_from_json(text, len, path, error);
	g_free(text);
	return def;
}

/* Write 'text' to 'path' so that a crash leaves the old or the new file. */
static bool write_atomic(const char *path, const char *text, GError **error)
{
	char *tmp = g_strconcat(path, ".tmp", NULL);
	char *dir = g_path_get_dirname(path);
	size_t len = strlen(text), off = 0;
	bool ok = false;
	int fd, dfd;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			goto fail;
		}
		off += n;
	}
	if (fsync(fd) < 0) {
		close(fd);
		goto fail;
	}
	if (close(fd) < 0)
		goto fail;
	if (rename(tmp, path) < 0)
		goto fail;
	/* The rename itself must reach the disk, or a crash can undo it. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	ok = true;
	goto out;
fail:
	g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_IO, "%s: %s", path, g_strerror(errno));
	unlink(tmp);
out:
	g_free(tmp);
	g_free(dir);
	return ok;
}

bool vireo_machine_save(struct vireo_vmdef *def, bool keep_modified, GError **error)
{
	char *path, *text;
	bool ok;

	if (!keep_modified)
		def->modified = g_get_real_time() / G_USEC_PER_SEC;
	if (!vireo_vmdef_validate(def, NULL, error))
		return false;
	path = vireo_machine_file(def->name, VIREO_MACHINE_FILE);
	text = vireo_vmdef_to_json(def);
	ok = write_atomic(path, text, error);
	g_free(text);
	g_free(path);
	return ok;
}

struct vireo_vmdef *vireo_machine_load(const char *name, GError **error)
{
	struct vireo_vmdef *def = NULL;
	char *path = NULL, *text = NULL, *backup = NULL;
	size_t len;

	if (!vireo_vm_name_valid(name)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_NOT_FOUND,
			    "no machine named \"%s\" (not a valid machine name)", name);
		return NULL;
	}
	path = vireo_machine_file(name, VIREO_MACHINE_FILE);
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_NOT_FOUND,
			    "no machine named \"%s\" (%s does not exist)", name, path);
		goto out;
	}
	if (!read_file(path, &text, &len, error))
		goto out;
	def = vireo_vmdef_from_json(text, len, path, error);
	if (!def)
		goto out;
	if (strcmp(def->name, name)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID,
			    "%s: name: \"%s\" differs from the machine's directory name \"%s\"",
			    path, def->name, name);
		vireo_vmdef_free(def);
		def = NULL;
		goto out;
	}
	if (def->upgraded) {
		/* Keep the old file: an upgrade must never lose a definition. */
		backup = g_strconcat(path, ".v0", NULL);
		if (!g_file_test(backup, G_FILE_TEST_EXISTS) &&
		    !g_file_set_contents(backup, text, len, NULL))
			g_warning("%s: could not keep a copy of the old definition", backup);
		if (!vireo_machine_save(def, true, error)) {
			vireo_vmdef_free(def);
			def = NULL;
			goto out;
		}
		/* def->upgraded stays set so the caller can tell the user. */
	}
out:
	g_free(backup);
	g_free(text);
	g_free(path);
	return def;
}

bool vireo_machine_create(struct vireo_vmdef *def, GError **error)
{
	char *dir;
	bool ok = false;

	if (!vireo_vmdef_validate(def, NULL, error))
		return false;
	if (vireo_machine_exists(def->name)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_EXISTS,
			    "a machine named \"%s\" exists already", def->name);
		return false;
	}
	dir = vireo_machine_dir(def->name);
	if (g_mkdir_with_parents(dir, 0700) < 0) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_IO, "%s: %s", dir,
			    g_strerror(errno));
		goto out;
	}
	ok = vireo_machine_save(def, true, error);
out:
	g_free(dir);
	return ok;
}

bool vireo_machine_path_inside(const char *name, const char *path)
{
	const char *rel = path;

	if (g_path_is_absolute(path)) {
		char *dir = vireo_machine_dir(name);
		char *prefix = g_strconcat(dir, "/", NULL);
		size_t skip = strlen(prefix);
		bool under = g_str_has_prefix(path, prefix);

		g_free(dir);
		g_free(prefix);
		if (!under)
			return false;
		rel = path + skip;
	}
	return !strstr(rel, "..") && *rel;
}

static void remove_quietly(const char *name, const char *file)
{
	char *p = vireo_machine_resolve(name, file);

	g_unlink(p);
	g_free(p);
}

bool vireo_machine_delete(const struct vireo_vmdef *def, bool delete_disks, char ***kept,
			  GError **error)
{
	GPtrArray *left = g_ptr_array_new();
	char *path = vireo_machine_file(def->name, VIREO_MACHINE_FILE);
	char *dir = vireo_machine_dir(def->name);
	unsigned int i;
	bool ok = false;

	/* The definition first: once it is gone the machine is gone, whatever
	 * else fails below. */
	if (g_unlink(path) < 0) {
		g_set_error(error, VIREO_VM_ERROR,
			    errno == ENOENT ? VIREO_VM_ERROR_NOT_FOUND : VIREO_VM_ERROR_IO, "%s: %s",
			    path, g_strerror(errno));
		goto out;
	}
	for (i = 0; i < def->n_disks; i++) {
		const char *d = def->disks[i].path;

		if (delete_disks && vireo_machine_path_inside(def->name, d))
			remove_quietly(def->name, d);
		else
			g_ptr_array_add(left, vireo_machine_resolve(def->name, d));
	}
	if (def->serial.log && vireo_machine_path_inside(def->name, def->serial.log))
		remove_quietly(def->name, def->serial.log);
	remove_quietly(def->name, "monitor.log");
	remove_quietly(def->name, VIREO_MACHINE_FILE ".tmp");
	remove_quietly(def->name, VIREO_MACHINE_FILE ".v0");
	remove_quietly(def->name, VIREO_MACHINE_LOCK);
	g_rmdir(dir);	/* fails, harmlessly, when kept disks or other files remain */
	ok = true;
out:
	g_ptr_array_add(left, NULL);
	if (kept)
		*kept = (char **)g_ptr_array_free(left, FALSE);
	else
		g_strfreev((char **)g_ptr_array_free(left, FALSE));
	g_free(path);
	g_free(dir);
	return ok;
}
