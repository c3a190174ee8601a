/*
 * mugai-extract - the text of one document, read in a sandbox
 *
 * Reads one document, writes a status line and its text (the protocol is
 * in lib/extract/proto.h and doc/mugai-extract.8), and exits 0. Two ways
 * in:
 *   mugai-extract --type=TYPE [limits] < document
 *       the document is standard input, the answer standard output;
 *   mugai-extract --socket [limits]
 *       descriptor 0 is a Unix socket from lib/extract/client.c; the
 *       request comes on it with the document as a sealed memfd, and the
 *       answer goes to descriptor 1 (the same socket). A socket closed
 *       before any request ends the helper quietly (a pool shrinking);
 *   mugai-extract --render=pdf|png --page=N [--max-px=N] < document
 *       the portal's preview: one page drawn to a fresh PNG (render.h).
 * Either way the helper confines itself (confine.h) after its libraries
 * are initialised (warm.h) and before it reads a byte of the document.
 * Exit status: 0 when the answer was written (whatever its status), 2 on
 * a usage error, 1 when the helper could not confine itself or read the
 * request: the client then takes it for failed.
 *
 * --test-mode makes the confined helper misbehave on purpose, for the
 * test suite (t/check_extract.c), on the documents whose type hint is
 * "misbehave": open a file, open a socket, exec, fork, hang, spin, crash,
 * answer garbage, die half-way through an answer, or send more than it
 * announced. Without the option (which only the command line gives) that
 * hint is an unknown one like any other.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "base/io.h"
#include "extract/proto.h"
#include "confine.h"
#include "job.h"
#include "parsers.h"
#include "decrypt.h"
#include "render.h"
#include "warm.h"
#include "xmlread.h"

#ifndef F_SEAL_SHRINK
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_GROW	0x0004
#define F_SEAL_WRITE	0x0008
#endif
#ifndef F_GET_SEALS
#define F_GET_SEALS	1034
#endif

struct opts {
	gboolean o_socket;
	char *o_type;
	gint64 o_max_bytes, o_max_chars, o_max_pages, o_max_expanded;
	gint64 o_max_time, o_max_memory;
	char *o_url_mode;
	char *o_user;
	gboolean o_debug;
	char *o_test;
	char *o_render;			/* pdf, png, jpeg, gif: a preview
					 * (render.h) */
	gint64 o_page, o_max_px;
};

static int
answer(struct xjob *job)
{
	struct mugai_extract_answer a;
	gboolean text = job->xj_status == MUGAI_EXTRACT_OK ||
	    job->xj_status == MUGAI_EXTRACT_TRUNCATED;
	g_autofree char *line = NULL;

	a.ea_status = job->xj_status;
	mugai_extract_token_copy(a.ea_kind, job->xj_kind);
	mugai_extract_token_copy(a.ea_reason, job->xj_reason);
	a.ea_pages = job->xj_pages;
	a.ea_length = text ? job->xj_out->len : 0;
	line = mugai_extract_answer_format(&a);
	if (!mugai_write_all(STDOUT_FILENO, line, strlen(line)) ||
	    !mugai_write_all(STDOUT_FILENO, job->xj_out->str,
	    (gsize)a.ea_length))
		return 1;
	return 0;
}

/* Reads standard input: at most max bytes, *cut when there was more. */
static GByteArray *
read_stdin(guint64 max, gboolean *cut)
{
	GByteArray *b = g_byte_array_new();
	guint8 buf[65536];

	*cut = FALSE;
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_byte_array_unref(b);
			return NULL;
		}
		if (n == 0)
			break;
		if ((guint64)b->len + (guint64)n > max) {
			g_byte_array_append(b, buf, (guint)(max - b->len));
			*cut = TRUE;
			break;
		}
		g_byte_array_append(b, buf, (guint)n);
	}
	return b;
}

/* Receives the request and its memfd. 1: got one, 0: the socket closed
 * before any byte, 2: an unlock request (decrypt.h; line and *got hold
 * what came), -1: anything else. */
static int
recv_request(struct mugai_extract_request *rq, int *fd,
    char line[MUGAI_EXTRACT_LINE_MAX], gsize *gotp)
{
	gsize got = 0;
	gboolean eol = FALSE;

	*fd = -1;
	while (!eol) {
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(int))];
		} cm;
		struct iovec iov = { line + got, MUGAI_EXTRACT_LINE_MAX - got };
		struct msghdr mh;
		struct cmsghdr *c;
		ssize_t n;

		if (got == MUGAI_EXTRACT_LINE_MAX)
			return -1;
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.b;
		mh.msg_controllen = sizeof cm.b;
		n = recvmsg(STDIN_FILENO, &mh, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && got == 0 && *fd < 0)
			return 0;
		if (n <= 0 || (mh.msg_flags & MSG_CTRUNC))
			return -1;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS &&
			    c->cmsg_len == CMSG_LEN(sizeof(int)) && *fd < 0)
				memcpy(fd, CMSG_DATA(c), sizeof(int));
		eol = memchr(line + got, '\n', (gsize)n) != NULL;
		got += (gsize)n;
	}
	*gotp = got;
	if (*fd >= 0 && got > strlen(MUGAI_UNLOCK_MAGIC " ") &&
	    memcmp(line, MUGAI_UNLOCK_MAGIC " ",
	    strlen(MUGAI_UNLOCK_MAGIC " ")) == 0)
		return 2;
	if (*fd < 0 || !mugai_extract_request_parse(line, got, rq))
		return -1;
	return 1;
}

/* Maps the sealed memfd of the request; NULL data for size 0. */
static int
map_document(int fd, guint64 size, const unsigned char **data)
{
	const int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	struct stat st;
	void *p;

	*data = (const unsigned char *)"";
	if (fstat(fd, &st) != 0 || (guint64)st.st_size != size ||
	    (fcntl(fd, F_GET_SEALS) & seals) != seals)
		return -1;
	if (size == 0)
		return 0;
	p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	*data = p;
	return 0;
}

/* The misbehaviours of --test-mode; returns only for "open". */
static void
misbehave(const char *mode, struct xjob *job)
{
	const char *text = "Half of this answer never arrives at all.\n";
	char msg[64];

	if (strcmp(mode, "open") == 0) {
		int fd = open("/etc/passwd", O_RDONLY);

		g_snprintf(msg, sizeof msg, "open=%d errno=%d\n", fd,
		    fd < 0 ? errno : 0);
		x_put(job, msg, -1);
		job->xj_kind = "test";
	} else if (strcmp(mode, "socket") == 0) {
		(void)socket(AF_UNIX, SOCK_STREAM, 0);
		x_put(job, "socket allowed\n", -1);
	} else if (strcmp(mode, "exec") == 0) {
		char *const argv[] = { (char *)"/bin/true", NULL };

		(void)execve(argv[0], argv, argv + 1);
		x_put(job, "exec allowed\n", -1);
	} else if (strcmp(mode, "fork") == 0) {
		if (fork() == 0)
			_exit(0);
		x_put(job, "fork allowed\n", -1);
	} else if (strcmp(mode, "hang") == 0) {
		char c;

		while (read(STDIN_FILENO, &c, 1) > 0)
			;
		for (;;)
			(void)read(STDIN_FILENO, &c, 1);
	} else if (strcmp(mode, "spin") == 0) {
		for (volatile guint64 i = 0;; i++)
			;
	} else if (strcmp(mode, "crash") == 0)
		abort();
	else if (strcmp(mode, "garbage") == 0) {
		(void)mugai_write_all(STDOUT_FILENO, "HTTP/1.0 200 OK\r\n\r\nhello", 25);
		_exit(0);
	} else if (strcmp(mode, "half") == 0 || strcmp(mode, "lie") == 0) {
		gboolean half = mode[0] == 'h';

		g_snprintf(msg, sizeof msg, MUGAI_EXTRACT_MAGIC " status=ok "
		    "kind=text pages=0 reason=- length=%zu\n",
		    half ? strlen(text) : strlen(text) / 2);
		(void)mugai_write_all(STDOUT_FILENO, msg, strlen(msg));
		(void)mugai_write_all(STDOUT_FILENO, text,
		    half ? strlen(text) / 2 : strlen(text));
		if (half)
			raise(SIGKILL);
		_exit(0);
	}
}

static gboolean
parse_opts(int argc, char **argv, struct opts *o)
{
	GOptionEntry entries[] = {
		{ "socket", 0, 0, G_OPTION_ARG_NONE, &o->o_socket,
		  "descriptor 0 is the client's socket", NULL },
		{ "type", 't', 0, G_OPTION_ARG_STRING, &o->o_type,
		  "type hint: pdf docx xlsx pptx odt ods odp rtf html xml ics vcf "
		  "csv text auto (stdin)", "TYPE" },
		{ "max-bytes", 0, 0, G_OPTION_ARG_INT64, &o->o_max_bytes,
		  "document bytes read", "N" },
		{ "max-chars", 0, 0, G_OPTION_ARG_INT64, &o->o_max_chars,
		  "characters of text", "N" },
		{ "max-pages", 0, 0, G_OPTION_ARG_INT64, &o->o_max_pages,
		  "pages, sheets or slides", "N" },
		{ "max-expanded", 0, 0, G_OPTION_ARG_INT64, &o->o_max_expanded,
		  "bytes inflated from a zip", "N" },
		{ "max-time", 0, 0, G_OPTION_ARG_INT64, &o->o_max_time,
		  "milliseconds per document", "MS" },
		{ "max-memory", 0, 0, G_OPTION_ARG_INT64, &o->o_max_memory,
		  "address space in bytes", "N" },
		{ "url-mode", 0, 0, G_OPTION_ARG_STRING, &o->o_url_mode,
		  "links in HTML: keep, defang, remove", "MODE" },
		{ "user", 0, 0, G_OPTION_ARG_STRING, &o->o_user,
		  "user to become when started as root (nobody)", "USER" },
		{ "debug-seccomp", 0, 0, G_OPTION_ARG_NONE, &o->o_debug,
		  "name a refused system call on stderr", NULL },
		{ "render", 0, 0, G_OPTION_ARG_STRING, &o->o_render,
		  "draw a page of standard input (pdf, png, jpeg, gif) to a PNG "
		  "instead of reading its text", "KIND" },
		{ "page", 0, 0, G_OPTION_ARG_INT64, &o->o_page,
		  "the page --render draws (from 0)", "N" },
		{ "max-px", 0, 0, G_OPTION_ARG_INT64, &o->o_max_px,
		  "long side of the PNG --render draws", "N" },
		{ "test-mode", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING,
		  &o->o_test, "misbehave (test suite only)", "MODE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "- the text of one document, in a sandbox");
	GError *err = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "mugai-extract: %s\n", err->message);
		g_error_free(err);
		return FALSE;
	}
	if (argc > 1 || o->o_max_bytes <= 0 || o->o_max_chars <= 0 ||
	    o->o_max_pages <= 0 || o->o_max_expanded <= 0 ||
	    o->o_max_time < 0 || o->o_max_memory < 0 || o->o_page < 0 ||
	    o->o_page > 100000 || o->o_max_px < 0 || o->o_max_px > 4000 ||
	    (o->o_render != NULL && o->o_socket)) {
		fprintf(stderr, "mugai-extract: bad arguments\n");
		return FALSE;
	}
	return TRUE;
}

static gboolean
url_mode(const char *s, enum mugai_url_mode *m)
{
	static const char *const names[] = { "keep", "defang", "remove" };

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (s == NULL || strcmp(s, names[i]) == 0) {
			*m = s == NULL ? MUGAI_URL_KEEP :
			    (enum mugai_url_mode)i;
			return TRUE;
		}
	fprintf(stderr, "mugai-extract: bad --url-mode\n");
	return FALSE;
}

int
main(int argc, char **argv)
{
	struct opts o = { FALSE, NULL, MUGAI_EXTRACT_DEF_MAX_BYTES,
	    MUGAI_EXTRACT_DEF_MAX_CHARS, MUGAI_EXTRACT_DEF_MAX_PAGES,
	    MUGAI_EXTRACT_DEF_MAX_EXPANDED, MUGAI_EXTRACT_DEF_MAX_TIME_MS,
	    MUGAI_EXTRACT_DEF_MAX_MEMORY, NULL, NULL, FALSE, NULL, NULL, 0,
	    0 };
	struct xlimits lim;
	struct confine_opts co;
	struct mugai_extract_request rq;
	const unsigned char *data = NULL;
	GByteArray *in = NULL;
	struct xjob job;
	gboolean cut = FALSE;
	int fd = -1, rc;

	if (x_confine_fds() != 0 || !parse_opts(argc, argv, &o))
		return 2;
	/* libarchive converts zip times with mktime(): no /etc/localtime
	 * to read (the filter would refuse it on every entry). */
	g_setenv("TZ", "UTC0", TRUE);
	tzset();
	memset(&lim, 0, sizeof lim);
	if (!url_mode(o.o_url_mode, &lim.xl_url_mode))
		return 2;
	lim.xl_max_bytes = (guint64)o.o_max_bytes;
	lim.xl_max_chars = (guint64)o.o_max_chars;
	lim.xl_max_pages = (guint64)o.o_max_pages;
	lim.xl_max_expanded = (guint64)o.o_max_expanded;
	lim.xl_max_time_ms = o.o_max_time;
	lim.xl_max_memory = (guint64)o.o_max_memory;
	memset(&co, 0, sizeof co);
	co.cn_user = o.o_user;
	co.cn_max_memory = lim.xl_max_memory;
	co.cn_cpu_seconds = (guint)MIN((o.o_max_time + 999) / 1000 + 1, 3600);
	co.cn_max_output = MUGAI_EXTRACT_LINE_MAX + 4 * lim.xl_max_chars + 16;
	if (o.o_render != NULL)
		co.cn_max_output = 64 * 1024 * 1024 + MUGAI_EXTRACT_LINE_MAX;
	co.cn_socket = o.o_socket;
	co.cn_debug = o.o_debug;
	if (x_confine_user(&co) != 0 || x_confine_limits(&co) != 0)
		return 1;
	x_xml_quiet();
	(void)x_warm();
	x_unlock_warm();
	x_doc_warm();
	if (o.o_render != NULL)
		x_render_warm();
	if (x_confine_seal(&co) != 0)
		return 1;

	/* Confined: now the document. */
	if (o.o_socket) {
		char line[MUGAI_EXTRACT_LINE_MAX] = { 0 };
		gsize got = 0;

		if ((rc = recv_request(&rq, &fd, line, &got)) <= 0)
			return rc == 0 ? 0 : 1;
		if (rc == 2)
			_exit(x_unlock_serve(line, got, fd,
			    lim.xl_max_time_ms));
		if (map_document(fd, rq.eq_size, &data) != 0)
			return 1;
		x_job_init(&job, data, (gsize)rq.eq_size, rq.eq_type,
		    rq.eq_cut, &lim);
	} else {
		if ((in = read_stdin(lim.xl_max_bytes, &cut)) == NULL)
			return 1;
		/* A cut document is not drawn: its end is missing. */
		if (o.o_render != NULL)
			_exit(cut ? x_render(NULL, 0, "-", 0, 0) :
			    x_render(in->data, in->len, o.o_render,
			    (guint)o.o_page, (guint)o.o_max_px));
		x_job_init(&job, in->data, in->len,
		    o.o_type != NULL ? o.o_type : "auto", cut, &lim);
	}
	if (o.o_test != NULL && strcmp(job.xj_hint, "misbehave") == 0)
		misbehave(o.o_test, &job);
	else
		x_dispatch(&job);
	x_finish(&job);
	/* No cleanup: nothing a library might do at exit can spoil an
	 * answer already written. */
	_exit(answer(&job));
}
