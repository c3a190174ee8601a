/*
 * mugai quarantine reindex - the index rebuilt from the store's
 * directories, and the journal applied (once, or --follow)
 *
 * Also what `list` needs to use the index: mugai_cli_qindex_open() opens
 * it (as the store's owner) and applies what the journal holds that the
 * index does not yet, so a list shows every item stored so far even when
 * no indexer runs. Reindex reads each item's meta.json (the truth: a row
 * is rebuilt from it exactly as the milter's journal line was) and adds
 * the rows that are missing; rows already there are left alone, so it
 * may run while the milter stores.
 */
#include "autoconfig.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "core/config.h"
#include "index/index.h"
#include "portal/request.h"
#include "store/qdir.h"
#include "store/qmeta.h"
#include "store/quarantine.h"
#include "cli/common.h"
#include "cli/quarantine-cli.h"
#include "cli/qindex.h"

/* meta.json past this is not ours. */
#define META_MAX ((gsize)64 << 20)
/* Rows per transaction while rebuilding. */
#define BATCH 2000

const char *
mugai_cli_qindex_node(const struct mugai_config *cf)
{
	if (cf->cf_index_node != NULL && *cf->cf_index_node != '\0')
		return cf->cf_index_node;
	return g_get_host_name();
}

static gid_t
group_gid(const char *group)
{
	struct group *gr;

	if (group == NULL || *group == '\0' || (gr = getgrnam(group)) == NULL)
		return (gid_t)-1;
	return gr->gr_gid;
}

/* mugai_cli_qindex_open(); *applied gets the journal lines applied. */
static struct mugai_index *
open_counted(const char *cmd, const struct mugai_config *cf,
    const char *dir, int top, gboolean create, guint *applied)
{
	g_autofree char *msg = NULL;
	struct mugai_index *ix;
	enum mugai_err err;
	guint n = 0;

	if (mugai_index_disabled(cf->cf_index_url))
		return NULL;
	if (!create && !mugai_index_exists(cf->cf_index_url, dir))
		return NULL;
	if ((ix = mugai_index_open(cf->cf_index_url, dir,
	    group_gid(cf->cf_quarantine_group), &err, &msg)) == NULL) {
		fprintf(stderr, "mugai quarantine %s: %s\n", cmd, msg);
		return NULL;
	}
	if ((err = mugai_index_catch_up(ix, top, mugai_cli_qindex_node(cf),
	    &n)) != MUGAI_OK)
		fprintf(stderr, "mugai quarantine %s: the journal was not "
		    "applied to the index (%s: %s); the index may miss the "
		    "newest items\n", cmd, mugai_err_str(err),
		    mugai_index_errmsg(ix));
	*applied = n;
	return ix;
}

struct mugai_index *
mugai_cli_qindex_open(const char *cmd, const struct mugai_config *cf,
    const char *dir, int top, gboolean create)
{
	guint n;

	return open_counted(cmd, cf, dir, top, create, &n);
}

struct rebuild {
	struct mugai_index *rb_ix;
	const char *rb_node;
	const char *rb_dir;
	guint64 rb_items;
	guint64 rb_added;
	guint64 rb_bad;
	guint rb_pending;		/* rows in the open transaction */
	enum mugai_err rb_err;
};

static void
rebuild_item(struct rebuild *rb, int dayfd, const char *path,
    const char *id)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autofree char *text = NULL;
	GPtrArray *reqs;
	enum mugai_err rerr;
	JsonObject *row;
	JsonNode *root;
	gboolean added;
	gsize len;
	int item;

	rb->rb_items++;
	if ((item = mugai_qdir_open(dayfd, id)) < 0) {
		fprintf(stderr, "mugai quarantine reindex: %s/%s/%s: %s\n",
		    rb->rb_dir, path, id, mugai_qdir_strerror(errno));
		rb->rb_bad++;
		return;
	}
	text = mugai_qdir_read(item, "meta.json", (uid_t)-1, META_MAX, &len);
	/* Its requests, for the approvers' queue (lib/portal/request.h). */
	reqs = mugai_request_list_at(item, (uid_t)-1, &rerr);
	close(item);
	if (text == NULL || !json_parser_load_from_data(parser, text,
	    (gssize)len, NULL) || (root = json_parser_get_root(parser)) ==
	    NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		fprintf(stderr, "mugai quarantine reindex: %s/%s/%s: "
		    "meta.json unreadable, not indexed\n", rb->rb_dir, path,
		    id);
		rb->rb_bad++;
		if (reqs != NULL)
			g_ptr_array_free(reqs, TRUE);
		return;
	}
	row = mugai_qmeta_row(json_node_get_object(root), rb->rb_node);
	/* The directory's name is the ID, whatever meta.json says. */
	json_object_set_string_member(row, "id", id);
	if (rb->rb_pending == 0 &&
	    (rb->rb_err = mugai_index_begin(rb->rb_ix)) != MUGAI_OK) {
		json_object_unref(row);
		if (reqs != NULL)
			g_ptr_array_free(reqs, TRUE);
		return;
	}
	rb->rb_err = mugai_index_put_item(rb->rb_ix, row, &added);
	json_object_unref(row);
	if (rb->rb_err == MUGAI_OK)
		rb->rb_err = mugai_request_index(rb->rb_ix, id, reqs);
	if (reqs != NULL)
		g_ptr_array_free(reqs, TRUE);
	if (rb->rb_err != MUGAI_OK)
		return;
	rb->rb_added += added;
	if (++rb->rb_pending >= BATCH) {
		rb->rb_err = mugai_index_commit(rb->rb_ix);
		rb->rb_pending = 0;
	}
}

static gboolean
rebuild_visit(int dayfd, const char *day, const char *id, gpointer data)
{
	struct rebuild *rb = data;

	rebuild_item(rb, dayfd, day, id);
	return rb->rb_err == MUGAI_OK;
}

/* Every item of the store (lib/store/qdir.h's walk), oldest first. */
static void
rebuild(struct rebuild *rb, int top)
{
	mugai_qdir_walk(top, FALSE, rebuild_visit, rb);
	if (rb->rb_pending > 0 && rb->rb_err == MUGAI_OK)
		rb->rb_err = mugai_index_commit(rb->rb_ix);
}

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
mugai_cli_quarantine_reindex(struct mugai_cli_qopts *qo, int argc,
    char **argv)
{
	gboolean follow = FALSE, journal_only = FALSE;
	GOptionEntry entries[] = {
		{ "follow", 0, 0, G_OPTION_ARG_NONE, &follow,
		  "then keep applying the journal each second until "
		  "interrupted", NULL },
		{ "journal", 0, 0, G_OPTION_ARG_NONE, &journal_only,
		  "apply the journal only, without reading the directories",
		  NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	struct rebuild rb;
	struct mugai_config *cf;
	struct mugai_index *ix = NULL;
	const char *dir;
	gint64 t0, t1, tj;
	int rc = 1, top = -1;
	guint n = 0, journal = 0;

	if (!mugai_cli_qparse("reindex", "- rebuild the index from the store",
	    entries, qo, &argc, &argv))
		return 2;
	if (argc > 1) {
		fprintf(stderr, "mugai quarantine reindex: unexpected "
		    "argument \"%s\"\n", argv[1]);
		return 2;
	}
	if ((cf = mugai_cli_qresolve(qo, &dir)) == NULL)
		return 2;
	if (mugai_index_disabled(cf->cf_index_url)) {
		fprintf(stderr, "mugai quarantine reindex: [index] url = none\n");
		goto out;
	}
	if ((top = mugai_cli_qtop("reindex", dir, NULL)) < 0 ||
	    !mugai_cli_qdrop("reindex", top))
		goto out;
	/*
	 * The journal first (what the index lacks of it), then the
	 * directories: each pass is timed and counted on its own, since
	 * after the journal the directories mostly find their rows there
	 * (BENCHMARKS.md, session 9).
	 */
	tj = g_get_monotonic_time();
	if ((ix = open_counted("reindex", cf, dir, top, TRUE, &journal)) ==
	    NULL)
		goto out;
	t0 = g_get_monotonic_time();
	printf("journal: %u line(s) applied in %.2f s (%.0f lines/s; "
	    "opening the index included)\n", journal,
	    (double)(t0 - tj) / 1e6, journal / MAX((double)(t0 - tj) / 1e6,
	    1e-6));
	memset(&rb, 0, sizeof rb);
	rb.rb_ix = ix;
	rb.rb_node = mugai_cli_qindex_node(cf);
	rb.rb_dir = dir;
	if (!journal_only)
		rebuild(&rb, top);
	t1 = g_get_monotonic_time();
	if (rb.rb_err != MUGAI_OK) {
		fprintf(stderr, "mugai quarantine reindex: %s: %s\n",
		    mugai_err_str(rb.rb_err), mugai_index_errmsg(ix));
		goto out;
	}
	if (!journal_only) {
		printf("reindexed %" G_GUINT64_FORMAT " item(s), %"
		    G_GUINT64_FORMAT " added, %" G_GUINT64_FORMAT
		    " unreadable, in %.2f s (%.0f items/s read from the "
		    "directories)\n", rb.rb_items, rb.rb_added, rb.rb_bad,
		    (double)(t1 - t0) / 1e6, rb.rb_items /
		    MAX((double)(t1 - t0) / 1e6, 1e-6));
		printf("in all %.2f s: %u journal line(s) and %"
		    G_GUINT64_FORMAT " item(s) added, %.0f rows/s\n",
		    (double)(t1 - tj) / 1e6, journal, rb.rb_added,
		    (journal + rb.rb_added) / MAX((double)(t1 - tj) / 1e6,
		    1e-6));
	}
	rc = rb.rb_bad > 0 ? 1 : 0;
	if (!follow)
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop) {
		enum mugai_err err = mugai_index_catch_up(ix, top,
		    mugai_cli_qindex_node(cf), &n);

		if (err != MUGAI_OK)
			fprintf(stderr, "mugai quarantine reindex: journal: "
			    "%s: %s (again in 1 s)\n", mugai_err_str(err),
			    mugai_index_errmsg(ix));
		else if (n > 0) {
			printf("applied %u journal line(s)\n", n);
			fflush(stdout);
		}
		sleep(1);
	}
out:
	mugai_index_close(ix);
	if (top >= 0)
		close(top);
	mugai_config_unref(cf);
	return rc;
}
