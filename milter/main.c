/*
 * mugai-milter - the sanitizing milter daemon
 *
 *   mugai-milter [-c FILE] [-p SOCKET] [-f] [-t] [-d LEVEL]
 *
 * Loads the config, binds the socket (as root if need be), drops to the
 * configured user, detaches unless -f, writes the pid file and serves
 * until SIGTERM/SIGINT. SIGUSR1 or SIGHUP reload the config: messages in
 * flight finish on the config they started with; they also reopen the
 * quarantine's audit.log, for log rotation. Exit status: 0 clean
 * stop (or -t with a valid config), 1 runtime failure, 2 usage or config.
 */
#include "autoconfig.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "apply.h"
#include "autopw.h"
#include "callbacks.h"
#include "core/config.h"
#include "current.h"
#include "daemon.h"
#include "heap.h"
#include "idle.h"
#include "log.h"
#include "mta.h"
#include "nodelay.h"
#include "quar.h"
#include "core/sanitize.h"
#include "core/xbody.h"
#include "signals.h"
#include "stats.h"
#include "socket.h"
#include "stackcache.h"

#define DEFAULT_CONF MUGAI_SYSCONFDIR "/mugai.conf"

/* Set once in main before threads start; read by the signal thread. */
static const char *conf_path;

static void
usage(FILE *f)
{
	fputs("usage: mugai-milter [-c FILE] [-p SOCKET] [-f] [-t] "
	    "[-d LEVEL]\n"
	    "  -c FILE    configuration file (default " DEFAULT_CONF ")\n"
	    "  -p SOCKET  listen on SOCKET (inet:PORT@ADDR, inet6:PORT@ADDR, "
	    "unix:PATH),\n"
	    "             overriding [milter] socket\n"
	    "  -f         stay in the foreground, log to stderr\n"
	    "  -t         check the configuration and exit (0 valid, 2 not)\n"
	    "  -d LEVEL   debug level (1: mugai debug logs, 2+: libmilter "
	    "too)\n", f);
}

/* Returns (transfer full) the config, or NULL after printing why. */
static struct mugai_config *
load(const char *path)
{
	struct mugai_config *cf;
	GError *err = NULL;

	if (path == NULL) {
		if (!g_file_test(DEFAULT_CONF, G_FILE_TEST_EXISTS))
			return mugai_config_new_default();
		path = DEFAULT_CONF;
	}
	if ((cf = mugai_config_load(path, &err)) == NULL) {
		mugai_log(LOG_ERR, "%s", err->message);
		g_error_free(err);
	}
	return cf;
}

/* TRUE when [extract] keys read only at start differ. */
static gboolean
extract_changed(const struct mugai_config *a, const struct mugai_config *b)
{
	return a->cf_extract_enabled != b->cf_extract_enabled ||
	    g_strcmp0(a->cf_extract_helper, b->cf_extract_helper) != 0 ||
	    a->cf_extract_pool_size != b->cf_extract_pool_size ||
	    a->cf_extract_max_helpers != b->cf_extract_max_helpers ||
	    a->cf_extract_max_bytes != b->cf_extract_max_bytes ||
	    a->cf_extract_max_chars != b->cf_extract_max_chars ||
	    a->cf_extract_max_pages != b->cf_extract_max_pages ||
	    a->cf_extract_max_time != b->cf_extract_max_time;
}

static void
reload(void)
{
	struct mugai_config *cf = load(conf_path);
	struct mugai_config *old = mugai_current_config();

	mugai_stats_log("reload");
	/* Whatever the new file says: logrotate renamed audit.log. */
	mugai_mquar_reopen_log(mugai_current_quar());
	if (cf == NULL) {
		mugai_log(LOG_ERR, "reload failed: keeping the running "
		    "configuration");
		mugai_config_unref(old);
		return;
	}
	/* The store is opened at start only: a config that keeps originals
	 * where the running one opened no store would tempfail every
	 * message it must keep. */
	if (cf->cf_keep_original != MUGAI_KEEP_NEVER &&
	    !mugai_mquar_has_store(mugai_current_quar())) {
		mugai_log(LOG_ERR, "reload refused: keep_original = %s needs "
		    "the quarantine store, which is opened at start: restart "
		    "mugai-milter; keeping the running configuration",
		    mugai_config_keep_original_name(cf->cf_keep_original));
		mugai_config_unref(cf);
		mugai_config_unref(old);
		return;
	}
	if (g_strcmp0(cf->cf_user, old->cf_user) != 0 ||
	    g_strcmp0(cf->cf_group, old->cf_group) != 0 ||
	    g_strcmp0(cf->cf_pidfile, old->cf_pidfile) != 0 ||
	    g_strcmp0(cf->cf_quarantine_dir, old->cf_quarantine_dir) != 0 ||
	    cf->cf_milter_timeout != old->cf_milter_timeout)
		mugai_log(LOG_WARNING, "reload: socket, user, group, pidfile, "
		    "timeout and quarantine dir take effect only after a "
		    "restart");
	if (extract_changed(cf, old))
		mugai_log(LOG_WARNING, "reload: [extract] enabled, helper, "
		    "pool and per-document limits take effect only after a "
		    "restart");
	mugai_config_unref(old);
	mugai_current_set_config(cf);
	mugai_log(LOG_INFO, "configuration reloaded");
}

/*
 * The extraction helpers, started as the user we now are and before any
 * thread: a missing or broken helper costs the text of documents, never
 * mail (the notice says text extraction is unavailable).
 */
static void
start_extract(const struct mugai_config *cf)
{
	g_autofree char *why = NULL;

	if (!cf->cf_extract_enabled)
		return;
	if (mugai_xbody_start(cf, FALSE, &why) != MUGAI_OK) {
		mugai_log(LOG_ERR, "%s; mail goes on without the text of "
		    "documents", why != NULL ? why : "text extraction "
		    "unavailable");
		return;
	}
	mugai_log(LOG_INFO, "text extraction: %" G_GINT64_FORMAT " helpers "
	    "waiting, at most %" G_GINT64_FORMAT " at work",
	    cf->cf_extract_pool_size, cf->cf_extract_max_helpers);
}

/* Every MUGAI_SIGNALS_TICK s: the stats line when its interval is up. */
static void
tick(void)
{
	static gint64 last;
	struct mugai_config *cf = mugai_current_config();
	gint64 now = g_get_monotonic_time();

	if (last == 0)
		last = now;
	if (cf->cf_stats_interval > 0 &&
	    now - last >= cf->cf_stats_interval * G_USEC_PER_SEC) {
		mugai_stats_log("interval");
		last = now;
	}
	mugai_config_unref(cf);
}

static void
stop(void)
{
	(void)mugai_mta_stop();
}

struct opts {
	const char *op_conf;
	const char *op_socket;
	gboolean op_foreground;
	gboolean op_test;
	int op_debug;
};

/* Returns 0, or the exit status for a usage error. */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	memset(o, 0, sizeof *o);
	while ((c = getopt_long(argc, argv, "c:p:ftd:h", longopts, NULL)) !=
	    -1) {
		char *end = NULL;
		guint64 v;

		switch (c) {
		case 'c':
			o->op_conf = optarg;
			break;
		case 'p':
			o->op_socket = optarg;
			break;
		case 'f':
			o->op_foreground = TRUE;
			break;
		case 't':
			o->op_test = TRUE;
			break;
		case 'd':
			v = g_ascii_strtoull(optarg, &end, 10);
			if (!g_ascii_isdigit(*optarg) || *end != '\0' ||
			    v > 9) {
				fprintf(stderr, "mugai-milter: -d takes 0 to "
				    "9\n");
				return 2;
			}
			o->op_debug = (int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/*
 * TCP_NODELAY on the TCP listener libmilter just opened, so that small
 * replies are not held back by Nagle's algorithm (see nodelay.h). Not
 * finding it only costs latency: logged, not fatal.
 */
static void
nodelay(const struct mugai_sockspec *ss)
{
	guint n;

	if (ss->ss_family == MUGAI_SOCK_UNIX)
		return;
	if ((n = mugai_nodelay_listeners(ss->ss_port)) == 0)
		mugai_log(LOG_WARNING, "no listening TCP socket on port %u "
		    "found: TCP_NODELAY not set, small replies may wait for "
		    "the MTA's delayed ACK", ss->ss_port);
	else
		mugai_log(LOG_INFO, "TCP_NODELAY set on %u listening "
		    "socket%s (port %u)", n, n == 1 ? "" : "s", ss->ss_port);
}

/* Binds the socket; returns FALSE after logging why. */
static gboolean
listen_on(const struct mugai_config *cf, const char *spec)
{
	struct mugai_sockspec ss;
	char *msg = NULL;
	gboolean ok = FALSE;

	if (mugai_socket_parse(spec, &ss, &msg) != MUGAI_OK) {
		mugai_log(LOG_ERR, "socket %s: %s", spec, msg);
		g_free(msg);
		return FALSE;
	}
	if (mugai_socket_prepare(&ss, &msg) != MUGAI_OK) {
		mugai_log(LOG_ERR, "socket %s: %s", spec, msg);
		goto out;
	}
	if (mugai_mta_setconn(spec) != MI_SUCCESS ||
	    mugai_mta_opensocket(1) != MI_SUCCESS) {
		mugai_log(LOG_ERR, "cannot listen on %s", spec);
		goto out;
	}
	nodelay(&ss);
	if (mugai_socket_finish(&ss, (unsigned)cf->cf_socket_mode,
	    cf->cf_socket_group, &msg) != MUGAI_OK) {
		mugai_log(LOG_ERR, "socket %s: %s", spec, msg);
		goto out;
	}
	ok = TRUE;
out:
	g_free(msg);
	mugai_socket_clear(&ss);
	return ok;
}

/*
 * MUGAI_MILTER_BODY_CHUNK: bytes per body replacement message, for test
 * clients with small buffers (miltertest). Returns FALSE when invalid.
 */
static gboolean
body_chunk_from_env(void)
{
	const char *v = g_getenv("MUGAI_MILTER_BODY_CHUNK");
	char *end = NULL;
	guint64 n;

	if (v == NULL)
		return TRUE;
	n = g_ascii_strtoull(v, &end, 10);
	if (!g_ascii_isdigit(*v) || *end != '\0' || n < 1 ||
	    n > MUGAI_APPLY_CHUNK) {
		mugai_log(LOG_ERR, "MUGAI_MILTER_BODY_CHUNK must be 1 to %d",
		    MUGAI_APPLY_CHUNK);
		return FALSE;
	}
	mugai_current_set_body_chunk((gsize)n);
	return TRUE;
}

/* Everything between config and serving; returns the exit status. */
static int
serve(struct mugai_config *cf, const struct opts *o)
{
	const char *spec = o->op_socket != NULL ? o->op_socket :
	    cf->cf_socket;
	struct mugai_mquar *q = NULL;
	char *msg = NULL;
	int status = 1;

	umask(027);
	if (!body_chunk_from_env())
		return 2;
	if (mugai_mta_register(mugai_callbacks_desc()) != MI_SUCCESS) {
		mugai_log(LOG_ERR, "smfi_register failed");
		return 1;
	}
	(void)mugai_mta_settimeout((int)cf->cf_milter_timeout);
	if (o->op_debug > 1)
		(void)mugai_mta_setdbg(o->op_debug - 1);
	if (!listen_on(cf, spec))
		return 1;
	if (mugai_daemon_drop(cf->cf_user, cf->cf_group, &msg) != MUGAI_OK ||
	    (!o->op_foreground && mugai_daemon_detach(&msg) != MUGAI_OK) ||
	    mugai_daemon_pidfile_write(cf->cf_pidfile, &msg) != MUGAI_OK) {
		mugai_log(LOG_ERR, "%s", msg);
		g_free(msg);
		return 1;
	}
	/* No thread exists before this point (GMime, ours, libmilter's). */
	mugai_signals_block();
	mugai_sanitize_init();
	start_extract(cf);
	if (mugai_mquar_open(cf, &q, &msg) != MUGAI_OK) {
		mugai_log(LOG_ERR, "quarantine: %s", msg);
		g_free(msg);
		goto out;
	}
	mugai_current_set_quar(q);
	mugai_current_set_config(mugai_config_ref(cf));
	/* Always: a reload may turn [ppap] auto_password on. */
	mugai_mautopw_start(q);
	if (cf->cf_ppap_auto_password && !mugai_mquar_has_store(q))
		mugai_log(LOG_WARNING, "[ppap] auto_password needs a "
		    "quarantine (keep_original is never): no archive will be "
		    "opened automatically");
	if (!mugai_signals_start(reload, stop, tick)) {
		mugai_log(LOG_ERR, "cannot start the signal thread");
		goto out;
	}
	if (!mugai_idle_start((guint)cf->cf_milter_timeout)) {
		mugai_log(LOG_ERR, "cannot start the idle connection thread");
		goto out;
	}
	mugai_log(LOG_INFO, "listening on %s (config %s)", spec,
	    cf->cf_path != NULL ? cf->cf_path : "built-in defaults");
	status = mugai_mta_main() == MI_SUCCESS ? 0 : 1;
	mugai_stats_log("stop");
	mugai_log(LOG_INFO, "stopped");
out:
	mugai_idle_stop();
	mugai_mautopw_stop();
	mugai_daemon_pidfile_remove(cf->cf_pidfile);
	mugai_current_clear();
	mugai_xbody_stop();
	mugai_sanitize_shutdown();
	return status;
}

int
main(int argc, char **argv)
{
	struct mugai_config *cf;
	struct opts o;
	int status;
	gboolean heap_tuned;

	/* First of all: may execute the program again (stackcache.c). */
	mugai_stackcache_reexec(argv);
	heap_tuned = mugai_heap_tune();			/* before any thread */

	if ((status = parse_opts(argc, argv, &o)) != 0)
		return status;
	conf_path = o.op_conf;
	mugai_log_init("mugai-milter", o.op_foreground || o.op_test,
	    o.op_debug);
	mugai_log(LOG_DEBUG, "heap thresholds %s", heap_tuned ?
	    "fixed for warm reuse" : "left to glibc");
	mugai_log(LOG_DEBUG, "glibc tunables: %s",
	    g_getenv(MUGAI_STACKCACHE_ENV) != NULL ?
	    g_getenv(MUGAI_STACKCACHE_ENV) : "(none: default thread stack "
	    "cache)");
	if ((cf = load(conf_path)) == NULL)
		return 2;
	if (o.op_test) {
		struct mugai_sockspec ss;
		char *msg = NULL;
		const char *spec = o.op_socket != NULL ? o.op_socket :
		    cf->cf_socket;

		status = 0;
		if (mugai_socket_parse(spec, &ss, &msg) != MUGAI_OK) {
			mugai_log(LOG_ERR, "socket %s: %s", spec, msg);
			status = 2;
		}
		mugai_socket_clear(&ss);
		g_free(msg);
		if (status == 0)
			printf("mugai-milter: configuration %s is valid\n",
			    cf->cf_path != NULL ? cf->cf_path : "(defaults)");
		mugai_config_unref(cf);
		return status;
	}
	status = serve(cf, &o);
	mugai_config_unref(cf);
	return status;
}
