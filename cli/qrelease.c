/*
 * mugai quarantine release - re-inject an original with its release token
 *
 * The token (lib/store/release.h) binds the item, the time, the
 * original's SHA-256 and the recipients it goes to. Run as root, the key
 * is loaded (or created for the store's owner) first, then the command
 * becomes the store's owner: original.eml is opened once, not through a
 * link, a regular file of that owner, checked against meta.json's
 * SHA-256, and fed to submit_command (run as the owner) from that one
 * descriptor, hashed again as it goes; bytes that differ get the command
 * killed before its input ends, so nothing is queued. Every attempt is a
 * "released" line in audit.log.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/io.h"
#include "base/limits.h"
#include "base/digest.h"
#include "cli/common.h"
#include "cli/quarantine-cli.h"
#include "core/config.h"
#include "store/onepart.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "store/release.h"

/* Takes "<a@b>" or "a@b"; refuses what a submit command could misread. */
char *
mugai_cli_clean_rcpt(const char *s)
{
	gsize n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (n == 0 || s[0] == '-' || memchr(s, '@', n) == NULL)
		return NULL;
	for (gsize i = 0; i < n; i++)
		if ((guchar)s[i] <= ' ' || s[i] == 0x7f || s[i] == '<' ||
		    s[i] == '>')
			return NULL;
	return g_strndup(s, n);
}

/*
 * Runs argv with the header then the original (fd, lent, read once from
 * its start) on its stdin. The bytes are hashed as they are sent: unless
 * they are exactly the bytes whose SHA-256 is want (the one in the
 * token), or when they cannot all be read, the command is killed before
 * its input ends, so that it queues nothing. TRUE when the whole message
 * went and the command exited 0; else why says what went wrong.
 */
gboolean
mugai_cli_submit(char **argv, const char *header, int fd, const char *want,
    GString *why)
{
	struct mugai_digest *d;
	GError *gerr = NULL;
	GPid pid;
	int in_fd, status, read_err = 0;
	char buf[MUGAI_IO_CHUNK], hex[65];
	gboolean ok, changed = FALSE;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0) {
		g_string_assign(why, g_strerror(errno));
		return FALSE;
	}
	if (!g_spawn_async_with_pipes(NULL, argv, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &in_fd, NULL, NULL,
	    &gerr)) {
		g_string_assign(why, gerr->message);
		g_error_free(gerr);
		return FALSE;
	}
	signal(SIGPIPE, SIG_IGN);
	d = mugai_digest_new();
	ok = mugai_write_all(in_fd, header, strlen(header));
	while (ok) {
		if ((n = read(fd, buf, sizeof buf)) < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			read_err = n < 0 ? errno : 0;
			ok = n == 0;
			break;
		}
		mugai_digest_update(d, buf, (gsize)n);
		ok = mugai_write_all(in_fd, buf, (gsize)n);
	}
	mugai_digest_finish(d, hex);
	if (ok && strcmp(hex, want) != 0) {
		changed = TRUE;
		ok = FALSE;
	}
	/* Before the end of its input: a partial message is never queued. */
	if (!ok)
		(void)kill(pid, SIGKILL);
	close(in_fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	g_spawn_close_pid(pid);
	if (changed) {
		g_string_assign(why, "original.eml changed while it was being "
		    "sent; the submit command was stopped, nothing released");
		return FALSE;
	}
	if (read_err != 0) {
		g_string_printf(why, "reading original.eml: %s; the submit "
		    "command was stopped, nothing released",
		    g_strerror(read_err));
		return FALSE;
	}
	if (!ok) {
		g_string_printf(why, "%s did not read the whole message",
		    argv[0]);
		return FALSE;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_string_printf(why, "%s %s %d", argv[0], WIFEXITED(status) ?
		    "exited with status" : "killed by signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return FALSE;
	}
	return TRUE;
}

/* The line ending the original (fd, lent) uses, for the added header. */
static const char *
line_end(int fd)
{
	char buf[4096];
	ssize_t n;
	const char *nl, *eol = "\n";

	if ((n = pread(fd, buf, sizeof buf, 0)) > 0 &&
	    (nl = memchr(buf, '\n', (size_t)n)) != NULL && nl > buf &&
	    nl[-1] == '\r')
		eol = "\r\n";
	return eol;
}

/* The original's (fd, lent) SHA-256 must still be what meta.json says. */
static gboolean
original_intact(int fd, const char *want, GString *why)
{
	if (mugai_qdir_sha256_is(fd, want))
		return TRUE;
	if (errno == EBADMSG)
		g_string_assign(why, "original.eml does not match the SHA-256 "
		    "in meta.json; not releasing");
	else
		g_string_assign(why, g_strerror(errno));
	return FALSE;
}

/* Recipients: --to, else the envelope's. NULL after saying why. */
static GPtrArray *
release_rcpts(char **to, JsonObject *meta)
{
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	JsonArray *env = mugai_cli_jarr(mugai_cli_jobj(meta, "envelope"), "recipients");
	guint n = to != NULL ? g_strv_length(to) :
	    env != NULL ? json_array_get_length(env) : 0;

	for (guint i = 0; i < n; i++) {
		const char *raw = to != NULL ? to[i] :
		    json_array_get_string_element(env, i);
		char *r = mugai_cli_clean_rcpt(raw);

		if (r == NULL) {
			fputs("mugai quarantine release: refusing recipient \"",
			    stderr);
			mugai_cli_put_text(stderr, raw, 0);
			fputs("\"\n", stderr);
			g_ptr_array_free(rcpts, TRUE);
			return NULL;
		}
		g_ptr_array_add(rcpts, r);
	}
	if (rcpts->len == 0) {
		fputs("mugai quarantine release: no recipients; use --to\n",
		    stderr);
		g_ptr_array_free(rcpts, TRUE);
		return NULL;
	}
	return rcpts;
}

/*
 * Does the release once the item, recipients and key are known: fd (lent)
 * holds the message to send, whose SHA-256 is sha (the original's, or the
 * one-part message's: part is then its path, else NULL).
 */
static int
do_release(struct mugai_quarantine *q, const struct mugai_config *cf,
    const char *id, int fd, const char *sha, GPtrArray *rcpts,
    GBytes *key, const char *actor, const char *part)
{
	g_autofree char *token = NULL, *header = NULL, *perr = NULL;
	g_auto(GStrv) argv = NULL;
	GString *why = g_string_new(NULL);
	JsonObject *extra = json_object_new();
	JsonArray *to = json_array_new();
	gboolean ok = FALSE;
	enum mugai_err aerr;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	const char **to_v = g_new0(const char *, rcpts->len + 1);

	for (guint i = 0; i < rcpts->len; i++) {
		json_array_add_string_element(to, g_ptr_array_index(rcpts, i));
		to_v[i] = g_ptr_array_index(rcpts, i);
	}
	json_object_set_array_member(extra, "to", to);
	json_object_set_int_member(extra, "t", now);
	if (part != NULL) {
		json_object_set_string_member(extra, "part", part);
		json_object_set_string_member(extra, "sha256", sha);
	}
	/* Bound to these recipients and this content: nothing else passes. */
	token = mugai_release_token(key, id, now, sha, to_v);
	header = g_strdup_printf("%s: %s%s", MUGAI_RELEASE_HEADER, token,
	    line_end(fd));
	argv = mugai_release_argv(cf->cf_submit_command, to_v, &perr);
	g_free(to_v);
	if (argv == NULL)
		g_string_assign(why, perr);
	else
		ok = mugai_cli_submit(argv, header, fd, sha, why);
	json_object_set_string_member(extra, "command",
	    cf->cf_submit_command);
	if (!ok)
		json_object_set_string_member(extra, "error", why->str);
	aerr = mugai_quarantine_audit(q, "released", id, actor,
	    ok ? "ok" : "failed", extra);
	if (!ok)
		fprintf(stderr, "mugai quarantine release: %s: %s\n", id,
		    why->str);
	else if (aerr != MUGAI_OK)
		fprintf(stderr, "mugai quarantine release: released, but "
		    "audit.log failed: %s\n", mugai_err_str(aerr));
	else if (part != NULL)
		printf("released part %s of %s to %u recipient(s)\n", part,
		    id, rcpts->len);
	else
		printf("released %s to %u recipient(s)\n", id, rcpts->len);
	json_object_unref(extra);
	g_string_free(why, TRUE);
	return ok && aerr == MUGAI_OK ? 0 : 1;
}

/* The rule that removed part path in meta's report (transfer none). */
static const char *
part_rule(JsonObject *meta, const char *path)
{
	JsonObject *rep = mugai_cli_jobj(meta, "report");
	JsonArray *parts = mugai_cli_jarr(rep != NULL ? rep : meta, "parts");

	for (guint i = 0; parts != NULL && i < json_array_get_length(parts);
	    i++) {
		JsonNode *n = json_array_get_element(parts, i);
		JsonObject *p = JSON_NODE_HOLDS_OBJECT(n) ?
		    json_node_get_object(n) : NULL;

		if (g_strcmp0(mugai_cli_jstr(p, "path"), path) == 0)
			return mugai_cli_jstr(p, "rule");
	}
	return NULL;
}

/*
 * Builds the one-part message of part into a sealed memfd (*mfd), its
 * SHA-256 into hex, and records it in the item (itemfd) as releasable.
 * FALSE after saying why.
 */
static gboolean
build_part(int fd, int itemfd, const char *id, const char *part,
    JsonObject *meta, const char *approver, const char *requester,
    int *mfd, char hex[65])
{
	struct mugai_onepart op = {
		.op_id = id, .op_part = part, .op_approver = approver,
		.op_requester = requester, .op_rule = part_rule(meta, part),
		.op_time = g_get_real_time() / G_USEC_PER_SEC,
	};
	GString *why = g_string_new(NULL);
	g_autoptr(GBytes) msg = NULL;
	enum mugai_err err;
	const char *d;
	gsize len;

	*mfd = -1;
	if ((msg = mugai_onepart_build(fd, &op, &err, why)) == NULL)
		goto fail;
	d = g_bytes_get_data(msg, &len);
	mugai_digest_buf(d, len, hex);
	if ((*mfd = memfd_create("mugai-part", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) < 0 || !mugai_write_all(*mfd, d, len) ||
	    fcntl(*mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
		g_string_printf(why, "memfd: %s", g_strerror(errno));
		goto fail;
	}
	if ((err = mugai_release_allow_content(itemfd, hex)) != MUGAI_OK) {
		g_string_printf(why, "recording the part's message in the "
		    "item: %s", mugai_err_str(err));
		goto fail;
	}
	g_string_free(why, TRUE);
	return TRUE;
fail:
	fprintf(stderr, "mugai quarantine release: %s: part ", id);
	mugai_cli_put_text(stderr, part, 0);
	fputs(": ", stderr);
	mugai_cli_put_text(stderr, why->str, 0);
	fputc('\n', stderr);
	if (*mfd >= 0)
		close(*mfd);
	*mfd = -1;
	g_string_free(why, TRUE);
	return FALSE;
}

int
mugai_cli_quarantine_release(struct mugai_cli_qopts *qo, int argc,
    char **argv)
{
	g_auto(GStrv) to = NULL;
	g_autofree char *part = NULL, *approver = NULL, *requester = NULL;
	GOptionEntry own[] = {
		{ "to", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &to,
		  "deliver to ADDR instead of the original recipients "
		  "(repeatable)", "ADDR" },
		{ "part", 0, 0, G_OPTION_ARG_STRING, &part,
		  "deliver only this removed part (numbered as `show` "
		  "prints, 1.2) with a note", "N" },
		{ "approved-by", 0, 0, G_OPTION_ARG_STRING, &approver,
		  "the approver the note of --part names (default: you)",
		  "WHO" },
		{ "requested-by", 0, 0, G_OPTION_ARG_STRING, &requester,
		  "the requester the note of --part names", "WHO" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autofree char *actor = mugai_cli_actor();
	g_autoptr(GBytes) key = NULL;
	struct mugai_quarantine *q = NULL;
	struct mugai_config *cf;
	JsonObject *meta = NULL;
	GPtrArray *rcpts = NULL;
	GString *why = g_string_new(NULL);
	const char *id, *dir, *sha;
	enum mugai_err err;
	int rc = 1, top = -1, item = -1, fd = -1, mfd = -1;
	char part_sha[65];
	uid_t owner;

	if (!mugai_cli_qparse("release", "ID - re-inject the original (or "
	    "one part of it)", own,
	    qo, &argc, &argv) ||
	    (id = mugai_cli_one_id("release", argc, argv)) == NULL ||
	    !mugai_cli_check_id("release", id) ||
	    (cf = mugai_cli_qresolve(qo, &dir)) == NULL) {
		g_string_free(why, TRUE);
		return 2;
	}
	if (part != NULL && (*part == '\0' || strlen(part) > 64 ||
	    strspn(part, "0123456789.") != strlen(part))) {
		fprintf(stderr, "mugai quarantine release: --part is a MIME "
		    "part number such as 2 or 1.2\n");
		rc = 2;
		goto out;
	}
	if ((top = mugai_cli_qtop("release", dir, &owner)) < 0)
		goto out;
	/* A key made by root belongs to the store's owner: the milter. */
	key = mugai_release_key_load(cf->cf_release_secret, TRUE,
	    geteuid() == 0 ? owner : (uid_t)-1, &err);
	if (key == NULL) {
		fprintf(stderr, "mugai quarantine release: release_secret %s: "
		    "%s%s\n", cf->cf_release_secret, mugai_err_str(err),
		    err == MUGAI_E_PERM ? " (it must be a regular file of "
		    "mode 0600)" : "");
		rc = 2;
		goto out;
	}
	if (!mugai_cli_qdrop("release", top) ||
	    (item = mugai_cli_open_item("release", top, id)) < 0)
		goto out;
	if ((meta = mugai_quarantine_read_meta_at(item, &err)) == NULL) {
		fprintf(stderr, "mugai quarantine release: %s: meta.json: "
		    "%s\n", id, err == MUGAI_E_NOTFOUND ? "no such item" :
		    mugai_err_str(err));
		goto out;
	}
	if ((fd = mugai_cli_open_original("release", item, id, owner)) < 0)
		goto out;
	sha = mugai_cli_jstr(mugai_cli_jobj(meta, "original"), "sha256");
	if (!original_intact(fd, sha, why)) {
		fprintf(stderr, "mugai quarantine release: %s: %s\n", id,
		    why->str);
		goto out;
	}
	if ((rcpts = release_rcpts(to, meta)) == NULL) {
		rc = 2;
		goto out;
	}
	if ((q = mugai_cli_open_store("release", top, dir, cf)) == NULL)
		goto out;
	if (part == NULL) {
		rc = do_release(q, cf, id, fd, sha, rcpts, key, actor, NULL);
		goto out;
	}
	if (!build_part(fd, item, id, part, meta, approver != NULL ?
	    approver : actor, requester, &mfd, part_sha)) {
		JsonObject *x = json_object_new();

		json_object_set_string_member(x, "part", part);
		json_object_set_string_member(x, "error", "building the "
		    "one-part message failed");
		(void)mugai_quarantine_audit(q, "released", id, actor,
		    "failed", x);
		json_object_unref(x);
		goto out;
	}
	rc = do_release(q, cf, id, mfd, part_sha, rcpts, key, actor, part);
out:
	if (mfd >= 0)
		close(mfd);
	if (rcpts != NULL)
		g_ptr_array_free(rcpts, TRUE);
	if (meta != NULL)
		json_object_unref(meta);
	if (fd >= 0)
		close(fd);
	if (item >= 0)
		close(item);
	if (top >= 0)
		close(top);
	mugai_quarantine_close(q);
	mugai_config_unref(cf);
	g_string_free(why, TRUE);
	return rc;
}
