/*
 * live-run - test driver: one message the milter's way (t/hostile-big.sh)
 *
 *   t/live-run -c CONF IN OUT
 *
 * Does with IN what mugai-milter does with a message at end of message,
 * without the MTA: mugai_sanitize_stream_new(), the bytes fed in chunks of
 * MUGAI_IO_CHUNK (the most libmilter hands a body callback) as they would
 * arrive, then mugai_sanitize_stream_finish() over the file as the spool
 * (read again only when the fast path declined). The output is written as
 * `mugai sanitize -c CONF --json IN OUT` writes it (cli/sanitize-run.c),
 * the JSON report to stderr, and the exit status is that command's: 0
 * sanitized or unchanged, 1 withheld (or a failure), 2 usage. So a case
 * that kills or bloats the milter's path, and only that path, shows here
 * in a process of its own, with its own time and peak RSS.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "base/limits.h"
#include "cli/common.h"
#include "cli/sanitize-run.h"
#include "core/config.h"
#include "core/sanitize.h"
#include "core/xbody.h"

static const char *const rcpts[] = { "staff@city.example.lg.jp", NULL };

int
main(int argc, char **argv)
{
	static char buf[MUGAI_IO_CHUNK];
	struct mugai_envelope early = { .ev_sender = "sender@example.com",
	    .ev_rcpts = rcpts };
	struct mugai_envelope env = { .ev_queue_id = "LIVE1",
	    .ev_sender = "sender@example.com", .ev_rcpts = rcpts };
	struct mugai_sanitize_stream *ss;
	struct mugai_config *cf;
	struct mugai_result *rs;
	struct mugai_cli_say sy;
	enum mugai_err err = MUGAI_E_IO;
	GMimeStream *in;
	g_autofree char *doc = NULL;
	int fd, status = 1;
	ssize_t n;

	if (argc != 5 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: live-run -c CONF IN OUT\n");
		return 2;
	}
	if ((cf = mugai_cli_load_config(argv[2], NULL)) == NULL) {
		fprintf(stderr, "live-run: %s: bad configuration\n", argv[2]);
		return 2;
	}
	mugai_sanitize_init();
	signal(SIGPIPE, SIG_IGN);
	(void)mugai_xbody_start(cf, TRUE, NULL);
	if ((fd = open(argv[3], O_RDONLY)) < 0) {
		fprintf(stderr, "live-run: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	ss = mugai_sanitize_stream_new(cf, &early);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		mugai_sanitize_stream_feed(ss, buf, (gsize)n);
	if (n < 0) {
		fprintf(stderr, "live-run: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	/* The spool, read from its start as eom.c hands it over. */
	if (lseek(fd, 0, SEEK_SET) != 0 ||
	    (in = g_mime_stream_fs_new(fd)) == NULL)
		return 1;
	mugai_cli_say_init(&sy, TRUE, FALSE);
	rs = mugai_sanitize_stream_finish(ss, in, &env, &err);
	if (rs == NULL)
		mugai_cli_say_error(&sy, "%s", mugai_err_str(err));
	else {
		g_mime_stream_seek(in, 0, GMIME_STREAM_SEEK_SET);
		status = mugai_cli_sanitize_write(rs, in, argv[4], NULL, &sy,
		    NULL);
	}
	doc = mugai_cli_say_json(&sy, rs);
	fprintf(stderr, "%s\n", doc);
	mugai_cli_say_clear(&sy);
	mugai_result_free(rs);
	mugai_sanitize_stream_free(ss);
	g_object_unref(in);
	mugai_xbody_stop();
	mugai_config_unref(cf);
	return status;
}
