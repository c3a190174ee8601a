/*
 * mugai_ppap_deliver - an opened archive's sanitized message handed to
 * submit_command for its recipients, with the "delivered" line of
 * audit.log (ppap.h)
 *
 * The one delivery of the portal's password form (portal/ppap.c) and
 * the milter's automatic password pick (milter/autopw.c). The command
 * line is submit_command split as a release's is (mugai_release_argv())
 * with the recipients after it; a recipient that could be read as an
 * option or split into two is refused before anything runs. The message
 * goes on the command's standard input; nothing of the password is in
 * it or in the audit line.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "base/digest.h"
#include "ppap/ppap.h"
#include "store/release.h"

/* Runs argv with msg on its standard input; TRUE when it exited 0. */
static gboolean
run(char **argv, GBytes *msg, char **why)
{
	GError *gerr = NULL;
	GSubprocess *p;
	GBytes *err_b = NULL;
	gboolean ok = FALSE;

	p = g_subprocess_newv((const char *const *)argv,
	    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
	    G_SUBPROCESS_FLAGS_STDERR_PIPE, &gerr);
	if (p == NULL || !g_subprocess_communicate(p, msg, NULL, NULL, &err_b,
	    &gerr)) {
		*why = g_strdup(gerr != NULL ? gerr->message : "cannot run");
		goto out;
	}
	if (!g_subprocess_get_successful(p)) {
		gsize n = 0;
		const char *e = err_b != NULL ? g_bytes_get_data(err_b, &n) :
		    NULL;

		*why = g_strdup_printf("%s failed: %.*s", argv[0],
		    (int)MIN(n, 500), e != NULL ? e : "");
		goto out;
	}
	ok = TRUE;
out:
	g_clear_error(&gerr);
	if (err_b != NULL)
		g_bytes_unref(err_b);
	if (p != NULL)
		g_object_unref(p);
	return ok;
}

gboolean
mugai_ppap_deliver(struct mugai_quarantine *q, const struct mugai_config *cf,
    const struct mugai_ppap_result *r, const char *const *who,
    const char *actor, const char *via, char **why)
{
	g_auto(GStrv) argv = NULL;
	JsonObject *extra = json_object_new();
	JsonArray *to = json_array_new();
	gsize len;
	const guint8 *d = g_bytes_get_data(r->po_message, &len);
	char hex[65];
	gboolean ok = FALSE;

	*why = NULL;
	mugai_digest_buf(d, len, hex);
	for (gsize i = 0; who != NULL && who[i] != NULL; i++) {
		json_array_add_string_element(to, who[i]);
		/* Never an option of the submit command, never two words. */
		if (who[i][0] == '-' || who[i][0] == '\0' ||
		    strpbrk(who[i], " \t\r\n") != NULL) {
			*why = g_strdup("refusing a recipient that is no plain "
			    "address");
			goto done;
		}
	}
	if (json_array_get_length(to) == 0) {
		*why = g_strdup("no recipient to deliver to");
		goto done;
	}
	if ((argv = mugai_release_argv(cf->cf_submit_command, who, why)) ==
	    NULL)
		goto done;
	ok = run(argv, r->po_message, why);
done:
	json_object_set_array_member(extra, "to", to);
	json_object_set_string_member(extra, "sha256", hex);
	json_object_set_string_member(extra, "via", via);
	if (!ok && *why != NULL) {
		g_autofree char *v = g_utf8_make_valid(*why, -1);

		json_object_set_string_member(extra, "error", v);
	}
	(void)mugai_quarantine_audit(q, "delivered", r->po_new_id, actor,
	    ok ? "ok" : "failed", extra);
	json_object_unref(extra);
	return ok;
}
