/*
 * check_policy - facts and decisions for removed parts: mugai_policy with
 * the name, type, document and sniff modules under it
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "core/config.h"
#include "base/digest.h"
#include "policy/docscan.h"
#include "policy/filename.h"
#include "policy/filetype.h"
#include "fixtures.h"
#include "policy/policy.h"
#include "policy/sniff.h"
#include "testutil.h"

static void
part_free(struct mugai_report_part *p)
{
	g_free(p->rp_path);
	g_free(p->rp_declared_type);
	g_free(p->rp_detected_type);
	g_free(p->rp_filename);
	g_free(p->rp_reason);
	g_free(p->rp_rule);
	if (p->rp_flags != NULL)
		g_ptr_array_unref(p->rp_flags);
	g_free(p);
}

typedef struct mugai_report_part mugai_report_part_t;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mugai_report_part_t, part_free)


/* Chunk sizes the feed is given the same bytes in (0: all at once). */
static const gsize feed_chunks[] = { 1, 7, 4096, 65536, 0 };

/*
 * Feeds data to mugai_policy_feed_* in chunks of chunk bytes and asserts
 * every fact and decision equals want (mugai_policy_examine()'s).
 */
static void
assert_feed_same(const struct mugai_config *cf,
    const struct mugai_envelope *env, const guint8 *d, gsize len,
    const char *declared, const char *filename, gsize chunk,
    const struct mugai_report_part *want)
{
	struct mugai_report_part *q = g_new0(struct mugai_report_part, 1);
	struct mugai_policy_feed *pf = mugai_policy_feed_new(cf);
	gsize step = chunk > 0 ? chunk : MAX(len, 1);

	/* One byte at a time is slow past a few hundred KiB: skip it. */
	if (chunk == 1 && len > 64 * 1024)
		step = 13;
	q->rp_path = g_strdup("2");
	q->rp_declared_type = g_strdup(declared);
	q->rp_filename = g_strdup(filename);
	for (gsize off = 0; off < len; off += step)
		ck_assert(mugai_policy_feed_add(pf, d + off, MIN(step,
		    len - off)));
	ck_assert_int_eq(mugai_policy_feed_finish(pf, env, q, 0), MUGAI_OK);
	ck_assert_str_eq(q->rp_detected_type, want->rp_detected_type);
	ck_assert_uint_eq(q->rp_size, want->rp_size);
	ck_assert_str_eq(q->rp_sha256, want->rp_sha256);
	ck_assert_int_eq(q->rp_action, want->rp_action);
	ck_assert_str_eq(q->rp_reason, want->rp_reason);
	ck_assert_pstr_eq(q->rp_rule, want->rp_rule);
	ck_assert_uint_eq(q->rp_flags != NULL ? q->rp_flags->len : 0,
	    want->rp_flags != NULL ? want->rp_flags->len : 0);
	for (guint i = 0; q->rp_flags != NULL && i < q->rp_flags->len; i++)
		ck_assert_str_eq(g_ptr_array_index(q->rp_flags, i),
		    g_ptr_array_index(want->rp_flags, i));
	part_free(q);
}

/* Examines data as a part declared so and named so, with cf (or the
 * defaults) and env; returns (transfer full) the filled part. */
static struct mugai_report_part *
examine_with(const struct mugai_config *cf, const struct mugai_envelope *env,
    GBytes *data, const char *declared, const char *filename)
{
	struct mugai_report_part *p = g_new0(struct mugai_report_part, 1);
	struct mugai_config *def = cf == NULL ? mugai_config_new_default() :
	    NULL;
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(data, &len);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)d,
	    len);

	p->rp_path = g_strdup("2");
	p->rp_declared_type = g_strdup(declared);
	p->rp_filename = g_strdup(filename);
	ck_assert_int_eq(mugai_policy_examine(cf != NULL ? cf : def, env, s,
	    p), MUGAI_OK);
	g_object_unref(s);
	/* The streaming engine's way in must give the very same part. */
	for (guint i = 0; i < G_N_ELEMENTS(feed_chunks); i++)
		assert_feed_same(cf != NULL ? cf : def, env, d, len, declared,
		    filename, feed_chunks[i], p);
	mugai_config_unref(def);
	return p;
}

static struct mugai_report_part *
examine(GBytes *data, const char *declared, const char *filename)
{
	return examine_with(NULL, NULL, data, declared, filename);
}

static gboolean
has_flag(const struct mugai_report_part *p, const char *flag)
{
	for (guint i = 0; p->rp_flags != NULL && i < p->rp_flags->len; i++)
		if (strcmp(g_ptr_array_index(p->rp_flags, i), flag) == 0)
			return TRUE;
	return FALSE;
}

static char *
flags_str(const struct mugai_report_part *p)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; p->rp_flags != NULL && i < p->rp_flags->len; i++)
		g_string_append_printf(s, "%s ",
		    (char *)g_ptr_array_index(p->rp_flags, i));
	return g_string_free(s, FALSE);
}

#define ck_flag(p, f) do { g_autofree char *all_ = flags_str(p); \
	ck_assert_msg(has_flag(p, f), "flag %s missing in: %s", f, all_); \
} while (0)
#define ck_no_flag(p, f) do { g_autofree char *all_ = flags_str(p); \
	ck_assert_msg(!has_flag(p, f), "flag %s unexpected in: %s", f, \
	    all_); } while (0)

/* ---- filename ---- */

START_TEST(extension_is_final_and_lower_case)
{
	struct { const char *name, *ext; } cases[] = {
		{ "a.PDF", "pdf" }, { "report.pdf.exe", "exe" },
		{ "dir/x.tar.gz", "gz" }, { "evil.exe. . ", "exe" },
		{ ".profile", NULL }, { "noext", NULL }, { "a.", NULL },
		{ "a.b c", NULL }, { "C:\\x\\y.Doc", "doc" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *e = mugai_filename_extension(cases[i].name);

		if (cases[i].ext == NULL)
			ck_assert_msg(e == NULL, "%s gave %s", cases[i].name,
			    e);
		else
			ck_assert_str_eq(e, cases[i].ext);
	}
	ck_assert_ptr_null(mugai_filename_extension(NULL));
}
END_TEST

START_TEST(dangerous_names)
{
	struct { const char *name; guint bits; } cases[] = {
		{ "report.pdf", 0 },
		{ "setup-1.2.exe", MUGAI_FN_EXEC_EXT },
		{ "report.pdf.exe", MUGAI_FN_EXEC_EXT | MUGAI_FN_DOUBLE_EXT },
		{ "report.pdf          .scr",
		  MUGAI_FN_EXEC_EXT | MUGAI_FN_DOUBLE_EXT },
		{ "invoice\xe2\x80\xae" "fdp.exe", MUGAI_FN_EXEC_EXT |
		  MUGAI_FN_BIDI },
		{ "photo\xe2\x80\xaegpj.txt", MUGAI_FN_BIDI },
		{ "a\tb.txt", MUGAI_FN_CONTROL },
		{ "a\xc2\x85" "b.txt", MUGAI_FN_CONTROL },
		{ "bad\xff.txt", MUGAI_FN_BAD_UTF8 },
		{ "evil.exe.", MUGAI_FN_EXEC_EXT | MUGAI_FN_TRAILING },
		{ "見積書.xlsx", 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
		ck_assert_msg(mugai_filename_check(cases[i].name, 200) ==
		    cases[i].bits, "%zu: got %#x want %#x", i,
		    mugai_filename_check(cases[i].name, 200), cases[i].bits);
	ck_assert_uint_eq(mugai_filename_check("abcdefghijklmnopq.txt", 16),
	    MUGAI_FN_LONG);
	/* Length counts characters, not bytes. */
	ck_assert_uint_eq(mugai_filename_check("見積書見積書.xlsx", 11), 0);
}
END_TEST

/* ---- filetype and sniff ---- */

START_TEST(executable_heads)
{
	g_autoptr(GBytes) pe = fx_pe();
	g_autoptr(GBytes) elf = fx_elf();
	gsize n;
	const void *d = g_bytes_get_data(pe, &n);

	ck_assert(mugai_filetype_head_is_executable(d, n));
	d = g_bytes_get_data(elf, &n);
	ck_assert(mugai_filetype_head_is_executable(d, n));
	ck_assert(mugai_filetype_head_is_executable("#!/bin/sh\n", 10));
	ck_assert(!mugai_filetype_head_is_executable("Hello", 5));
	ck_assert(!mugai_filetype_head_is_executable("%PDF-1.7", 8));
}
END_TEST

START_TEST(libmagic_types)
{
	g_autoptr(GBytes) pe = fx_pe();
	g_autoptr(GBytes) elf = fx_elf();
	gsize n;
	const void *d = g_bytes_get_data(pe, &n);
	g_autofree char *t1 = mugai_sniff_type(d, n, NULL);
	g_autofree char *t2 = NULL, *t3 = NULL, *enc = NULL;

	ck_assert_int_eq(mugai_filetype_kind_of_type(t1), MUGAI_KIND_EXEC);
	d = g_bytes_get_data(elf, &n);
	t2 = mugai_sniff_type(d, n, NULL);
	ck_assert_int_eq(mugai_filetype_kind_of_type(t2), MUGAI_KIND_EXEC);
	t3 = mugai_sniff_type("こんにちは\n", strlen("こんにちは\n"), &enc);
	ck_assert_str_eq(t3, "text/plain");
	ck_assert_str_eq(enc, "utf-8");
}
END_TEST

START_TEST(mismatch_table)
{
	ck_assert(mugai_filetype_mismatch("application/x-dosexec",
	    "text/plain", NULL));
	ck_assert(mugai_filetype_mismatch("application/x-dosexec",
	    "application/octet-stream", "pdf"));
	ck_assert(!mugai_filetype_mismatch("application/x-dosexec",
	    "application/octet-stream", "exe"));
	ck_assert(mugai_filetype_mismatch("application/pdf", "image/jpeg",
	    "jpg"));
	ck_assert(mugai_filetype_mismatch("image/png", "image/png", "pdf"));
	ck_assert(!mugai_filetype_mismatch("application/zip",
	    "application/vnd.openxmlformats-officedocument.wordprocessingml"
	    ".document", "docx"));
	ck_assert(!mugai_filetype_mismatch("text/plain", "text/html",
	    "html"));
	ck_assert(!mugai_filetype_mismatch("application/octet-stream",
	    "application/pdf", "pdf"));
	ck_assert(!mugai_filetype_mismatch(NULL, NULL, NULL));
}
END_TEST

/* ---- docscan ---- */

static guint
scan_in_pieces(const char *doc, gsize piece)
{
	gsize len = strlen(doc);
	struct mugai_docscan *ds = mugai_docscan_new(doc, len,
	    strstr(doc, "<svg") != NULL ? "image/svg+xml" : NULL, 1 << 20);

	if (ds == NULL)
		return 0;
	for (gsize off = 0; off < len; off += piece)
		mugai_docscan_feed(ds, doc + off, MIN(piece, len - off));
	return mugai_docscan_finish(ds);
}

static const char pdf_js[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog "
    "/OpenAction 2 0 R >>\nendobj\n2 0 obj\n<< /S /JavaScript /JS "
    "(app.alert\\(1\\)) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

START_TEST(pdf_names_in_any_chunking)
{
	static const char escaped[] = "%PDF-1.7\n<</S/J#61vaScript/JS(x)>>\n"
	    "<</Type/EmbeddedFile>> /Launch/Lau /JSX\n";
	static const char clean[] = "%PDF-1.7\n<< /Type /Page /Contents 4 0 "
	    "R >>\n(/JavaScript is in a string here, flagged anyway)\n";
	gsize pieces[] = { 1, 7, 64 * 1024 };

	for (gsize i = 0; i < G_N_ELEMENTS(pieces); i++) {
		guint b = scan_in_pieces(pdf_js, pieces[i]);

		ck_assert_uint_eq(b, MUGAI_DOC_PDF_JS | MUGAI_DOC_PDF_ACTION);
		ck_assert_uint_eq(scan_in_pieces(escaped, pieces[i]),
		    MUGAI_DOC_PDF_JS | MUGAI_DOC_PDF_EMBEDDED |
		    MUGAI_DOC_PDF_LAUNCH);
	}
	ck_assert_uint_eq(scan_in_pieces(clean, 3), MUGAI_DOC_PDF_JS);
	ck_assert_uint_eq(scan_in_pieces("%PDF-1.7\n<</Type/Page>>\n", 1), 0);
}
END_TEST

START_TEST(svg_script_in_any_chunking)
{
	static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\""
	    "http://www.w3.org/2000/svg\"><SCRIPT>alert(1)</SCRIPT></svg>\n";
	static const char href[] = "<svg><a href=\"JavaScript:alert(1)\">x"
	    "</a></svg>";
	static const char clean[] = "<svg><circle r=\"3\"/><scrip/></svg>";

	ck_assert_uint_eq(scan_in_pieces(svg, 1), MUGAI_DOC_SCRIPT);
	ck_assert_uint_eq(scan_in_pieces(svg, 5), MUGAI_DOC_SCRIPT);
	ck_assert_uint_eq(scan_in_pieces(href, 2), MUGAI_DOC_SCRIPT);
	ck_assert_uint_eq(scan_in_pieces(clean, 1), 0);
}
END_TEST

START_TEST(scan_stops_at_max_bytes)
{
	struct mugai_docscan *ds = mugai_docscan_new(pdf_js, strlen(pdf_js),
	    NULL, 16);

	mugai_docscan_feed(ds, pdf_js, strlen(pdf_js));
	ck_assert_uint_eq(mugai_docscan_finish(ds), MUGAI_DOC_TRUNCATED);
}
END_TEST

/* ---- policy: facts end to end ---- */

START_TEST(pe_declared_text_named_pdf)
{
	g_autoptr(GBytes) pe = fx_pe();
	g_autoptr(mugai_report_part_t) p = examine(pe, "text/plain",
	    "invoice.pdf");
	char hex[65];
	gsize n;
	const void *d = g_bytes_get_data(pe, &n);

	ck_flag(p, "mismatch");
	ck_flag(p, "executable");
	ck_assert_int_eq(mugai_filetype_kind_of_type(p->rp_detected_type),
	    MUGAI_KIND_EXEC);
	ck_assert_str_eq(p->rp_rule, "executable");
	ck_assert_int_eq(p->rp_action, MUGAI_ACT_QUARANTINE);
	mugai_digest_buf(d, n, hex);
	ck_assert_str_eq(p->rp_sha256, hex);
	ck_assert_uint_eq(p->rp_size, n);
}
END_TEST

START_TEST(elf_is_executable)
{
	g_autoptr(GBytes) elf = fx_elf();
	g_autoptr(mugai_report_part_t) p = examine(elf,
	    "application/octet-stream", "tool");

	ck_flag(p, "executable");
	ck_no_flag(p, "mismatch");
	ck_assert_str_eq(p->rp_rule, "executable");
}
END_TEST

START_TEST(rtlo_name_is_dangerous)
{
	g_autoptr(GBytes) t = fx_text("hello\n");
	g_autoptr(mugai_report_part_t) p = examine(t, "text/plain",
	    "photo\xe2\x80\xaegpj.txt");

	ck_flag(p, "bidi_control");
	ck_flag(p, "dangerous_name");
	ck_no_flag(p, "executable");
	ck_assert_str_eq(p->rp_rule, "dangerous-name");
}
END_TEST

START_TEST(double_extension_is_dangerous_and_executable)
{
	g_autoptr(GBytes) t = fx_text("not really a program\n");
	g_autoptr(mugai_report_part_t) p = examine(t,
	    "application/octet-stream", "report.pdf.exe");

	ck_flag(p, "double_extension");
	ck_flag(p, "dangerous_name");
	ck_flag(p, "executable");
	/* "executable" comes before "dangerous-name" in the rules. */
	ck_assert_str_eq(p->rp_rule, "executable");
}
END_TEST

START_TEST(plain_text_takes_default_action)
{
	g_autoptr(GBytes) t = fx_text("議事録です。\n");
	g_autoptr(mugai_report_part_t) p = examine(t, "text/plain",
	    "minutes.txt");
	struct mugai_config *cf = mugai_config_new_default();

	ck_assert_str_eq(p->rp_detected_type, "text/plain");
	ck_flag(p, "charset=utf-8");
	ck_assert_ptr_null(p->rp_rule);
	ck_assert_int_eq(p->rp_action, MUGAI_ACT_QUARANTINE);
	ck_assert_str_eq(p->rp_reason, "no rule matched: default_action");
	ck_assert_ptr_null(mugai_policy_warning(cf, p));
	mugai_config_unref(cf);
}
END_TEST

START_TEST(size_and_hash_cover_more_than_the_sniff)
{
	gsize n = 300 * 1024 + 17;
	guint8 *b = g_malloc(n);
	g_autoptr(GBytes) data = NULL;
	g_autoptr(mugai_report_part_t) p = NULL;
	char hex[65];

	for (gsize i = 0; i < n; i++)
		b[i] = (guint8)(i * 7 + i / 251);
	mugai_digest_buf(b, n, hex);
	data = g_bytes_new_take(b, n);
	p = examine(data, "application/octet-stream", "blob.bin");
	ck_assert_uint_eq(p->rp_size, n);
	ck_assert_str_eq(p->rp_sha256, hex);
}
END_TEST

START_TEST(zip_with_exe_matches_archive_executable)
{
	g_autoptr(GBytes) pe = fx_pe();
	g_autoptr(GBytes) zip = fx_zip1("setup.exe", pe);
	g_autoptr(mugai_report_part_t) p = examine(zip, "application/zip",
	    "docs.zip");
	char hex[65];
	gsize n;
	const void *d = g_bytes_get_data(zip, &n);

	ck_flag(p, "archive");
	ck_flag(p, "archive_executable");
	ck_flag(p, "entry=setup.exe");
	ck_assert_str_eq(p->rp_rule, "archive-executable");
	mugai_digest_buf(d, n, hex);
	ck_assert_str_eq(p->rp_sha256, hex);
	ck_assert_uint_eq(p->rp_size, n);
}
END_TEST

/* Past the feed's memory (256 KiB) an archive is kept in a temp file. */
START_TEST(large_zip_through_the_feed)
{
	gsize n = 400 * 1024;
	guint8 *b = g_malloc(n);
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GBytes) zip = NULL;
	g_autoptr(mugai_report_part_t) p = NULL;

	GRand *rnd = g_rand_new_with_seed(7);

	/* Random bytes: the zip stays as large as its content. */
	for (gsize i = 0; i < n; i++)
		b[i] = (guint8)g_rand_int(rnd);
	g_rand_free(rnd);
	blob = g_bytes_new_take(b, n);
	zip = fx_zip1("data.bin", blob);
	ck_assert_uint_gt(g_bytes_get_size(zip), 256 * 1024);
	p = examine(zip, "application/zip", "big.zip");
	ck_flag(p, "archive");
	ck_flag(p, "entry=data.bin");
}
END_TEST

START_TEST(encrypted_zip_warns)
{
	g_autoptr(GBytes) t = fx_text("confidential\n");
	struct fx_entry e[] = { { "見積書.xlsx", t, FALSE } };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=zipcrypt", "secret", e, 1);
	g_autoptr(mugai_report_part_t) p = examine(zip, "application/zip",
	    "見積書.zip");
	struct mugai_config *cf = mugai_config_new_default();
	const char *w;

	ck_flag(p, "encrypted");
	ck_assert_str_eq(p->rp_rule, "encrypted-archive");
	ck_assert_int_eq(p->rp_action, MUGAI_ACT_QUARANTINE);
	w = mugai_policy_warning(cf, p);
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w, "PPAP"));
	mugai_config_unref(cf);
}
END_TEST

/* The thread CPU ns of one mugai_policy_examine() of data as a zip. */
static gint64
examine_cpu_ns(GBytes *data)
{
	struct mugai_report_part *p = g_new0(struct mugai_report_part, 1);
	struct mugai_config *cf = mugai_config_new_default();
	gsize len = 0;
	const char *d = g_bytes_get_data(data, &len);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(d, len);
	gint64 t0, ns;

	p->rp_path = g_strdup("2");
	p->rp_declared_type = g_strdup("application/zip");
	p->rp_filename = g_strdup("big.zip");
	t0 = t_cpu_ns();
	ck_assert_int_eq(mugai_policy_examine(cf, NULL, s, p), MUGAI_OK);
	ns = t_cpu_ns() - t0;
	g_object_unref(s);
	mugai_config_unref(cf);
	part_free(p);
	return ns;
}

/*
 * A zip bomb (100 MB of zeros in about 100 KB) costs the policy no more
 * than an ordinary zip of the same size: it is refused from its declared
 * size at its first entry, nothing inflated (check_arcscan counts the
 * bytes). Not timed in seconds: the CPU time is compared with that of a
 * zip of 100 KB of random bytes, under 8x (inflating the bomb up to
 * archive_max_bytes costs hundreds of times more), so it holds on a
 * loaded machine and under sanitizers or valgrind alike.
 */
START_TEST(zip_bomb_costs_little_through_policy)
{
	g_autoptr(GBytes) zeros = fx_zeros(100 * 1024 * 1024);
	struct fx_entry e[] = { { "zeros.bin", zeros, TRUE } };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL, NULL, NULL, e, 1);
	g_autoptr(mugai_report_part_t) p = NULL;
	GRand *r = g_rand_new_with_seed(11);
	guint8 *noise = g_malloc(100 * 1024);
	g_autoptr(GBytes) rnd = NULL;
	g_autoptr(GBytes) plain = NULL;
	gint64 tb = G_MAXINT64, tp = G_MAXINT64;

	g_clear_pointer(&zeros, g_bytes_unref);
	p = examine(zip, "application/zip", "big.zip");
	ck_flag(p, "archive_limit");
	ck_flag(p, "limit=archive_max_bytes");
	ck_flag(p, "entries=1");
	ck_assert_uint_eq(p->rp_size, g_bytes_get_size(zip));

	for (gsize i = 0; i < 100 * 1024; i++)
		noise[i] = (guint8)g_rand_int(r);
	g_rand_free(r);
	rnd = g_bytes_new_take(noise, 100 * 1024);
	e[0].data = rnd;
	plain = fx_archive("zip", NULL, NULL, NULL, e, 1);
	for (int i = 0; i < 3; i++) {
		tb = MIN(tb, examine_cpu_ns(zip));
		tp = MIN(tp, examine_cpu_ns(plain));
	}
	fprintf(stderr, "policy on a %zu-byte zip bomb: %" G_GINT64_FORMAT
	    " ns CPU, on a %zu-byte plain zip: %" G_GINT64_FORMAT " ns\n",
	    g_bytes_get_size(zip), tb, g_bytes_get_size(plain), tp);
	ck_assert_msg(tb < 8 * MAX(tp, 1), "bomb %" G_GINT64_FORMAT " ns, "
	    "plain zip %" G_GINT64_FORMAT " ns", tb, tp);
}
END_TEST

START_TEST(ole_with_macros)
{
	g_autoptr(GBytes) doc = fx_ole(TRUE);
	g_autoptr(GBytes) clean = fx_ole(FALSE);
	g_autoptr(mugai_report_part_t) p = examine(doc, "application/msword",
	    "a.doc");
	g_autoptr(mugai_report_part_t) q = examine(clean,
	    "application/msword", "b.doc");

	ck_flag(p, "macro");
	ck_no_flag(p, "mismatch");
	ck_assert_str_eq(p->rp_rule, "macro");
	ck_no_flag(q, "macro");
	ck_assert_ptr_null(q->rp_rule);
}
END_TEST

START_TEST(ooxml_with_vba_project)
{
	g_autoptr(GBytes) docm = fx_ooxml(TRUE);
	g_autoptr(mugai_report_part_t) p = examine(docm,
	    "application/vnd.ms-word.document.macroenabled.12", "a.docm");

	ck_flag(p, "macro");
	ck_no_flag(p, "mismatch");
	ck_assert_str_eq(p->rp_rule, "macro");
}
END_TEST

START_TEST(pdf_with_javascript)
{
	g_autoptr(GBytes) pdf = fx_text(pdf_js);
	g_autoptr(mugai_report_part_t) p = examine(pdf, "application/pdf",
	    "a.pdf");

	ck_assert_str_eq(p->rp_detected_type, "application/pdf");
	ck_flag(p, "pdf_javascript");
	ck_flag(p, "pdf_open_action");
	ck_no_flag(p, "mismatch");
}
END_TEST

/* Past the sniffed head, the document scan still sees every byte. */
START_TEST(pdf_javascript_past_the_head)
{
	GString *b = g_string_new("%PDF-1.4\n% padding\n");
	g_autoptr(GBytes) pdf = NULL;
	g_autoptr(mugai_report_part_t) p = NULL;

	while (b->len < 200 * 1024)
		g_string_append(b, "0 0 0 RG 1 w 10 10 m 20 20 l S\n");
	g_string_append(b, "2 0 obj\n<< /S /JavaScript /JS (x) >>\nendobj\n"
	    "%%EOF\n");
	pdf = g_bytes_new(b->str, b->len);
	g_string_free(b, TRUE);
	p = examine(pdf, "application/pdf", "a.pdf");
	ck_assert_str_eq(p->rp_detected_type, "application/pdf");
	ck_flag(p, "pdf_javascript");
}
END_TEST

START_TEST(svg_with_script)
{
	g_autoptr(GBytes) svg = fx_text("<?xml version=\"1.0\"?>\n<svg xmlns="
	    "\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
	    "<script>alert(1)</script></svg>\n");
	g_autoptr(mugai_report_part_t) p = examine(svg, "image/svg+xml",
	    "logo.svg");

	ck_assert_str_eq(p->rp_detected_type, "image/svg+xml");
	ck_flag(p, "script");
}
END_TEST

/* Regression: GMime's bounded streams answer -1 when read past the end. */
START_TEST(bounded_substream_is_read_to_its_end)
{
	struct mugai_config *cf = mugai_config_new_default();
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer(
	    "xxxxABCDEFyyyy", 14);
	GMimeStream *sub = g_mime_stream_substream(mem, 4, 10);
	g_autoptr(mugai_report_part_t) p = g_new0(struct mugai_report_part, 1);

	p->rp_declared_type = g_strdup("application/octet-stream");
	ck_assert_int_eq(mugai_policy_examine(cf, NULL, sub, p), MUGAI_OK);
	ck_assert_uint_eq(p->rp_size, 6);
	ck_assert_int_ne(p->rp_action, MUGAI_ACT_TEMPFAIL);
	g_object_unref(sub);
	g_object_unref(mem);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(read_error_is_io)
{
	struct mugai_report_part p = { 0 };
	struct mugai_config *cf = mugai_config_new_default();
	int fd = open("/dev/null", O_WRONLY);
	GMimeStream *s = g_mime_stream_fs_new(fd);

	ck_assert_int_eq(mugai_policy_examine(cf, NULL, s, &p), MUGAI_E_IO);
	ck_assert_int_eq(p.rp_action, MUGAI_ACT_TEMPFAIL);
	g_object_unref(s);
	g_free(p.rp_reason);
	g_free(p.rp_detected_type);
	if (p.rp_flags != NULL)
		g_ptr_array_unref(p.rp_flags);
	mugai_config_unref(cf);
}
END_TEST

/* Threads share one config; each gets its own libmagic handle. */
static gpointer
examine_many(gpointer data)
{
	const struct mugai_config *cf = data;
	g_autoptr(GBytes) pe = fx_pe();
	g_autoptr(GBytes) zip = fx_zip1("x.exe", pe);

	for (int i = 0; i < 50; i++) {
		struct mugai_report_part *p = examine_with(cf, NULL,
		    i % 2 ? zip : pe, "text/plain", "a.txt");
		gboolean ok = p->rp_rule != NULL && strcmp(p->rp_rule,
		    i % 2 ? "archive-executable" : "executable") == 0;

		part_free(p);
		if (!ok)
			return GINT_TO_POINTER(1);
	}
	return NULL;
}

START_TEST(examine_is_thread_safe)
{
	struct mugai_config *cf = mugai_config_new_default();
	GThread *t[4];

	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("examine", examine_many, cf);
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_null(g_thread_join(t[i]));
	mugai_config_unref(cf);
}
END_TEST

static gpointer
sniff_once(gpointer data)
{
	g_autofree char *type = mugai_sniff_type("%PDF-1.4\n", 9, NULL);

	(void)data;
	return g_strcmp0(type, "application/pdf") == 0 ? NULL : type;
}

/*
 * libmilter runs each connection in a new thread: a handle loaded per
 * thread cost a 3.5 ms load of the database per message. Threads that
 * come one after another share one handle.
 */
START_TEST(threads_one_after_another_share_one_handle)
{
	guint before = mugai_sniff_loads();

	for (int i = 0; i < 12; i++)
		ck_assert_ptr_null(g_thread_join(g_thread_new("sniff",
		    sniff_once, NULL)));
	ck_assert_uint_le(mugai_sniff_loads() - before, 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy");

	t_timeout = 60;
	g_mime_init();
	t_test(s, extension_is_final_and_lower_case);
	t_test(s, dangerous_names);
	t_test(s, executable_heads);
	t_test(s, libmagic_types);
	t_test(s, mismatch_table);
	t_test(s, pdf_names_in_any_chunking);
	t_test(s, svg_script_in_any_chunking);
	t_test(s, scan_stops_at_max_bytes);
	t_test(s, pe_declared_text_named_pdf);
	t_test(s, elf_is_executable);
	t_test(s, rtlo_name_is_dangerous);
	t_test(s, double_extension_is_dangerous_and_executable);
	t_test(s, plain_text_takes_default_action);
	t_test(s, size_and_hash_cover_more_than_the_sniff);
	t_test(s, zip_with_exe_matches_archive_executable);
	t_test(s, encrypted_zip_warns);
	t_test(s, zip_bomb_costs_little_through_policy);
	t_test(s, ole_with_macros);
	t_test(s, ooxml_with_vba_project);
	t_test(s, pdf_with_javascript);
	t_test(s, svg_with_script);
	t_test(s, bounded_substream_is_read_to_its_end);
	t_test(s, read_error_is_io);
	t_test(s, examine_is_thread_safe);
	t_test(s, threads_one_after_another_share_one_handle);
	t_test(s, large_zip_through_the_feed);
	t_test(s, pdf_javascript_past_the_head);
	return t_run(s);
}
