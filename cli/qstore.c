/*
 * mugai quarantine store access - options, IDs, and opening the store
 * without following links (see qstore.h)
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/config.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "cli/common.h"
#include "cli/qstore.h"

gboolean
mugai_cli_qparse(const char *cmd, const char *params, GOptionEntry *own,
    struct mugai_cli_qopts *qo, int *argc, char ***argv)
{
	/* Given before or after the subcommand: a later -c/--dir replaces
	 * the earlier one (GOption fills these, we own what it fills). */
	char *config = NULL, *dir = NULL;
	GOptionEntry common[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
		  "configuration file", "FILE" },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
		  "quarantine directory (default: from the config)", "DIR" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(params);
	GError *err = NULL;

	if (own != NULL)
		g_option_context_add_main_entries(ctx, own, NULL);
	g_option_context_add_main_entries(ctx, common, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		fprintf(stderr, "mugai quarantine %s: %s\n", cmd, err->message);
		g_error_free(err);
		g_free(config);
		g_free(dir);
		return FALSE;
	}
	if (config != NULL) {
		g_free(qo->qo_config);
		qo->qo_config = config;
	}
	if (dir != NULL) {
		g_free(qo->qo_dir);
		qo->qo_dir = dir;
	}
	return TRUE;
}

struct mugai_config *
mugai_cli_qresolve(const struct mugai_cli_qopts *qo, const char **dir)
{
	struct mugai_config *cf = mugai_cli_load_config(qo->qo_config,
	    NULL);

	if (cf == NULL)
		return NULL;
	*dir = qo->qo_dir != NULL ? qo->qo_dir : cf->cf_quarantine_dir;
	if (*dir == NULL || **dir == '\0') {
		fprintf(stderr, "mugai quarantine: no quarantine directory "
		    "configured; use --dir DIR\n");
		mugai_config_unref(cf);
		return NULL;
	}
	return cf;
}

/* Refuses an ID that is not one of ours, saying why. */
gboolean
mugai_cli_check_id(const char *cmd, const char *id)
{
	if (mugai_qid_valid(id))
		return TRUE;
	fprintf(stderr, "mugai quarantine %s: invalid ID \"", cmd);
	mugai_cli_put_text(stderr, id, strlen(id) > 60 ? 60 : 0);
	fprintf(stderr, "\": an ID is %d characters like "
	    "20250102-030405-123456-0a1b2c3d-0123456789abcdef\n",
	    MUGAI_QID_LEN);
	return FALSE;
}

/* Exactly one positional ID in argv[1]; prints the complaint if not. */
const char *
mugai_cli_one_id(const char *cmd, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "mugai quarantine %s: %s\n", cmd, argc < 2 ?
		    "an ID is required" : "one ID only");
		return NULL;
	}
	return argv[1];
}

int
mugai_cli_qtop(const char *cmd, const char *dir, uid_t *owner)
{
	struct stat st;
	int fd;

	if ((fd = mugai_qdir_open_top(dir, &st)) >= 0) {
		if (owner != NULL)
			*owner = st.st_uid;
		return fd;
	}
	if (errno == ENOENT || errno == ENOTDIR)
		fprintf(stderr, "mugai quarantine %s: no quarantine directory "
		    "%s\n", cmd, dir);
	else if (errno == EPERM)
		fprintf(stderr, "mugai quarantine %s: %s is writable by group "
		    "or others: refused\n", cmd, dir);
	else
		fprintf(stderr, "mugai quarantine %s: %s: %s\n", cmd, dir,
		    g_strerror(errno));
	return -1;
}

gboolean
mugai_cli_qdrop(const char *cmd, int topfd)
{
	g_autofree char *why = NULL;

	if (mugai_qdir_become_owner(topfd, &why) == MUGAI_OK)
		return TRUE;
	fprintf(stderr, "mugai quarantine %s: cannot become the store's "
	    "owner: %s\n", cmd, why);
	return FALSE;
}

struct mugai_quarantine *
mugai_cli_open_store(const char *cmd, int topfd, const char *dir,
    const struct mugai_config *cf)
{
	enum mugai_err err;
	struct mugai_quarantine *q;

	if ((q = mugai_quarantine_open_fd(topfd, dir,
	    cf->cf_quarantine_group, &err)) == NULL) {
		fprintf(stderr, "mugai quarantine %s: cannot open %s for its "
		    "audit log: %s\n", cmd, dir, mugai_err_str(err));
		if (err == MUGAI_E_PERM) {
			g_autofree char *who = g_strdup_printf(
			    "mugai quarantine %s", cmd);

			mugai_cli_explain_store(who, topfd, dir);
		}
	}
	return q;
}

/*
 * Opens the item directory of id under topfd; prints why not (an item
 * that is a link is named as such).
 */
int
mugai_cli_open_item(const char *cmd, int topfd, const char *id)
{
	int fd;

	if ((fd = mugai_qdir_open_item(topfd, id)) >= 0)
		return fd;
	fprintf(stderr, "mugai quarantine %s: %s: %s\n", cmd, id,
	    errno == ENOENT ? "no such item" : mugai_qdir_strerror(errno));
	return -1;
}

/* Opens the item's original.eml (a regular file of owner); says why not. */
int
mugai_cli_open_original(const char *cmd, int itemfd, const char *id,
    uid_t owner)
{
	int fd;

	if ((fd = mugai_qdir_open_original(itemfd, owner, 0, NULL,
	    NULL)) >= 0)
		return fd;
	fprintf(stderr, "mugai quarantine %s: %s: original.eml: %s\n", cmd,
	    id, errno == ENOENT ? "no such item" : errno == EPERM ?
	    "not the store owner's file: refused" :
	    mugai_qdir_strerror(errno));
	return -1;
}

/*
 * Says which of tmp/ and audit.log keeps the store from opening; who
 * begins each line ("mugai quarantine purge").
 */
void
mugai_cli_explain_store(const char *who, int topfd, const char *dir)
{
	static const char *const names[] = { "tmp", "audit.log" };
	struct stat top, st;

	if (fstat(topfd, &top) != 0)
		return;
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
		if (fstatat(topfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISLNK(st.st_mode))
			fprintf(stderr, "%s: %s/%s is a symbolic link: "
			    "refused\n", who, dir, names[i]);
		else if (st.st_uid != top.st_uid)
			fprintf(stderr, "%s: %s/%s belongs to uid %u, not to "
			    "the store's owner (uid %u): chown it\n", who, dir,
			    names[i],
			    (unsigned)st.st_uid, (unsigned)top.st_uid);
	}
}
