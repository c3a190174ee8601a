/*
 * mugai-portal - the recipients' HTTPS page for what mugai removed
 *
 * Start as root: read the configuration, the TLS certificate and key,
 * bind the listening socket, open the store's top directory, then split
 * (keeper.h): a keeper process becomes the store's owner for good (as
 * `mugai quarantine` does, lib/store/qdir.h) and writes requests,
 * decisions and audit lines through lib/portal and lib/store, releases
 * and opens PPAP archives; this process becomes [portal] user (a reader
 * in the store's group, neither root nor the owner) and serves. It never
 * touches the milter's socket or spool. Started as another user, or with
 * [portal] user empty, it stays one process as the store's owner.
 *
 *   mugai-portal [-c FILE] [--mugai PATH] [--helper PATH]
 *
 * Runs in the foreground (systemd, or the quickstart, supervise it) and
 * stops on SIGTERM or SIGINT. SIGUSR1 reopens the store's audit.log, which
 * logrotate renamed: its descriptor stays open for the process's life.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <gmime/gmime.h>
#include <libsoup/soup.h>

#include "core/config.h"
#include "index/index.h"
#include "portal/link.h"
#include "portal/role.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "auth.h"
#include "keeper.h"
#include "portal.h"
#include "session.h"

#ifndef MUGAI_BINDIR
#define MUGAI_BINDIR "/usr/bin"
#endif

static gboolean
stop(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

/*
 * After logrotate renamed audit.log: without a reopen our lines would go
 * on into the renamed file, and be lost once it is compressed.
 */
static gboolean
reopen_log(gpointer data)
{
	struct mugai_portal *po = data;
	enum mugai_err err = mugai_keeper_reopen_log(po);

	if (err != MUGAI_OK)
		fprintf(stderr, "mugai-portal: reopening audit.log: %s\n",
		    mugai_err_str(err));
	else
		fprintf(stderr, "mugai-portal: audit.log reopened\n");
	return G_SOURCE_CONTINUE;
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "mugai-portal: %s: %s\n", what, why);
	exit(1);
}

/* ADDR:PORT or [ADDR6]:PORT into a socket address (transfer full). */
static GSocketAddress *
listen_address(const char *spec)
{
	g_autofree char *host = NULL;
	const char *colon = strrchr(spec, ':');
	guint64 port;
	char *end = NULL;
	GInetAddress *a;
	GSocketAddress *sa;

	if (colon == NULL)
		return NULL;
	host = g_strndup(spec, (gsize)(colon - spec));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host) - 1);
		host[strlen(host) - 2] = '\0';
	}
	port = g_ascii_strtoull(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0' || port == 0 || port > 65535 ||
	    (a = g_inet_address_new_from_string(host)) == NULL)
		return NULL;
	sa = g_inet_socket_address_new(a, (guint16)port);
	g_object_unref(a);
	return sa;
}

int
main(int argc, char **argv)
{
	g_autofree char *config = NULL, *mugai = NULL, *why = NULL,
	    *helper = NULL;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
		  "configuration file", "FILE" },
		{ "mugai", 0, 0, G_OPTION_ARG_FILENAME, &mugai,
		  "the mugai command used for releases", "PATH" },
		{ "helper", 0, 0, G_OPTION_ARG_FILENAME, &helper,
		  "the mugai-extract program that opens password-protected "
		  "archives and draws previews (default: the installed one)",
		  "PATH" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *oc = g_option_context_new("- mugai's web portal");
	struct mugai_portal po = { 0 };
	GError *gerr = NULL;
	GTlsCertificate *cert;
	GSocketAddress *sa;
	SoupServer *server;
	GMainLoop *loop;
	enum mugai_err err;
	struct stat st;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &gerr))
		die("usage", gerr->message);
	g_option_context_free(oc);
	g_mime_init();
	mugai_auth_init();
	if (config == NULL)
		config = g_strdup(MUGAI_SYSCONFDIR "/mugai.conf");
	po.po_cf = mugai_config_load(config, &gerr);
	if (po.po_cf == NULL)
		die(config, gerr->message);
	po.po_cf_path = g_strdup(config);
	po.po_mugai = mugai != NULL ? g_strdup(mugai) :
	    g_strdup(MUGAI_BINDIR "/mugai");
	po.po_helper = g_steal_pointer(&helper);
	po.po_roles = mugai_roles_new(po.po_cf->cf_portal_approvers,
	    po.po_cf->cf_portal_administrators,
	    po.po_cf->cf_portal_admin_only_rules, &why);
	if (po.po_roles == NULL)
		die(config, why);

	if ((po.po_top = mugai_qdir_open_top(po.po_cf->cf_quarantine_dir,
	    &st)) < 0)
		die(po.po_cf->cf_quarantine_dir, g_strerror(errno));
	po.po_owner = st.st_uid;
	po.po_keeper = -1;
	if (geteuid() == 0 && po.po_cf->cf_portal_user != NULL &&
	    *po.po_cf->cf_portal_user != '\0') {
		/*
		 * Two processes (keeper.h): the keeper becomes the store's
		 * owner and does what writes the store; this one becomes
		 * [portal] user, a reader in the store's group, and serves.
		 */
		if (!mugai_keeper_start(&po, &why))
			die("keeper", why);
	}
	/*
	 * What needs root (a key only root reads, a low port), after the
	 * keeper went its way: it never holds the TLS key or the socket.
	 */
	cert = g_tls_certificate_new_from_files(
	    po.po_cf->cf_portal_certificate, po.po_cf->cf_portal_key, &gerr);
	if (cert == NULL)
		die(po.po_cf->cf_portal_certificate, gerr->message);
	if ((sa = listen_address(po.po_cf->cf_portal_listen)) == NULL)
		die("listen", "not ADDR:PORT");
	server = soup_server_new("server-header", "mugai-portal",
	    "tls-certificate", cert, NULL);
	g_object_unref(cert);
	if (!soup_server_listen(server, sa, SOUP_SERVER_LISTEN_HTTPS, &gerr))
		die(po.po_cf->cf_portal_listen, gerr->message);
	g_object_unref(sa);

	if (po.po_keeper >= 0) {
		if ((err = mugai_qdir_become_reader(po.po_top,
		    po.po_cf->cf_portal_user, &why)) != MUGAI_OK)
			die("becoming [portal] user", why);
	} else {
		if (mugai_qdir_become_owner(po.po_top, &why) != MUGAI_OK)
			die("becoming the store's owner", why);
		po.po_q = mugai_quarantine_open_fd(po.po_top,
		    po.po_cf->cf_quarantine_dir, po.po_cf->cf_quarantine_group,
		    &err);
		if (po.po_q == NULL)
			die(po.po_cf->cf_quarantine_dir, mugai_err_str(err));
		po.po_link_key = mugai_link_key_load(po.po_cf, TRUE,
		    (uid_t)-1, &err);
		if (po.po_link_key == NULL) {
			g_autofree char *p = mugai_link_key_path(po.po_cf);

			die(p, mugai_err_str(err));
		}
	}
	/* The list from the index (lib/index), the walk only without. The
	 * keeper made it and applies the journal; here it is read. */
	if (!mugai_index_disabled(po.po_cf->cf_index_url)) {
		g_autofree char *msg = NULL;

		po.po_ix = mugai_index_open(po.po_cf->cf_index_url,
		    po.po_cf->cf_quarantine_dir, (gid_t)-1, &err, &msg);
		if (po.po_ix == NULL)
			fprintf(stderr, "mugai-portal: index: %s; listing by "
			    "walking the store\n", msg);
	}
	po.po_sessions = mugai_sessions_new(
	    po.po_cf->cf_portal_session_lifetime * 1000);
	po.po_limit = mugai_limiter_new(
	    (guint)po.po_cf->cf_portal_login_max_failures,
	    po.po_cf->cf_portal_login_lockout * 1000);

	soup_server_add_handler(server, NULL, mugai_portal_handler, &po,
	    NULL);
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, stop, loop);
	g_unix_signal_add(SIGINT, stop, loop);
	g_unix_signal_add(SIGUSR1, reopen_log, &po);
	fprintf(stderr, "mugai-portal: serving https on %s as uid %d\n",
	    po.po_cf->cf_portal_listen, (int)getuid());
	g_main_loop_run(loop);

	g_main_loop_unref(loop);
	g_object_unref(server);
	mugai_limiter_free(po.po_limit);
	mugai_sessions_free(po.po_sessions);
	g_bytes_unref(po.po_link_key);
	mugai_index_close(po.po_ix);
	mugai_quarantine_close(po.po_q);
	if (po.po_keeper >= 0) {
		int status;

		close(po.po_keeper);	/* the keeper reads its end and goes */
		(void)waitpid(po.po_keeper_pid, &status, 0);
	}
	close(po.po_top);
	mugai_roles_free(po.po_roles);
	mugai_config_unref(po.po_cf);
	g_free(po.po_cf_path);
	g_free(po.po_mugai);
	g_free(po.po_helper);
	if (po.po_ppap_tries != NULL)
		g_hash_table_destroy(po.po_ppap_tries);
	if (po.po_pv_pages != NULL)
		g_hash_table_destroy(po.po_pv_pages);
	return 0;
}
