/*
 * ppapgen - test helper: a mail carrying a password-protected zip, the
 * "PPAP" pattern, for t/ppap-open.sh
 *
 *   ppapgen ENCRYPTION PASSWORD > message.eml
 *
 * ENCRYPTION is libarchive's zip:encryption value (zipcrypt, aes128,
 * aes256). The zip 見積書.zip holds 見積書.txt (its name in CP932,
 * without the UTF-8 flag, as Japanese Windows writes it), setup.exe (an
 * MZ header), 資料.pdf (a one-page PDF) and inner.zip (a plain zip with
 * a text file). The message is multipart/mixed: part 1.1 the text, 1.2
 * the zip. Exit 0, or 1 with the error.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

static la_ssize_t
mem_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	(void)a;
	g_byte_array_append(ctx, buf, (guint)len);
	return (la_ssize_t)len;
}

/* A zip of n (name, data, len) entries; enc and pass may be NULL. */
static GByteArray *
zip(const char *enc, const char *pass, const char *const *names,
    const char *const *datas, const gsize *lens, gsize n)
{
	struct archive *a = archive_write_new();
	GByteArray *out = g_byte_array_new();
	g_autofree char *opt = enc != NULL ?
	    g_strdup_printf("zip:encryption=%s", enc) : NULL;

	if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
	    (opt != NULL && archive_write_set_options(a, opt) !=
	    ARCHIVE_OK) || (pass != NULL &&
	    archive_write_set_passphrase(a, pass) != ARCHIVE_OK) ||
	    archive_write_open2(a, out, NULL, mem_write, NULL, NULL) !=
	    ARCHIVE_OK)
		goto fail;
	for (gsize i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_mtime(e, 1700000000, 0);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)lens[i]);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    archive_write_data(a, datas[i], lens[i]) !=
		    (la_ssize_t)lens[i]) {
			archive_entry_free(e);
			goto fail;
		}
		archive_entry_free(e);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto fail;
	archive_write_free(a);
	return out;
fail:
	fprintf(stderr, "ppapgen: %s\n", archive_error_string(a));
	archive_write_free(a);
	g_byte_array_unref(out);
	return NULL;
}

static const char pdf[] =
    "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\n"
    "endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

int
main(int argc, char **argv)
{
	/* 見積書.txt in CP932: written as raw bytes in the C locale. */
	const char *const names[] = { "\x8c\xa9\x90\xcf\x8f\x91.txt",
	    "setup.exe", "\xe8\xb3\x87\xe6\x96\x99.pdf", "inner.zip" };
	const char *inner_name = "memo.txt";
	const char *inner_text = "inner memo\n";
	const char mz[] = "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff\0\0This program "
	    "cannot be run in DOS mode.";
	const char *text = "お見積もりです。合計 12,000 円。\nQuote: JPY "
	    "12,000.\n";
	g_autoptr(GByteArray) inner = NULL, outer = NULL;
	const char *datas[4];
	gsize lens[4];
	g_autofree char *b64 = NULL;

	if (argc != 3) {
		fputs("usage: ppapgen ENCRYPTION PASSWORD\n", stderr);
		return 2;
	}
	if ((inner = zip(NULL, NULL, &inner_name, &inner_text,
	    (gsize[]){ strlen(inner_text) }, 1)) == NULL)
		return 1;
	datas[0] = text;
	lens[0] = strlen(text);
	datas[1] = mz;
	lens[1] = sizeof mz - 1;
	datas[2] = pdf;
	lens[2] = sizeof pdf - 1;
	datas[3] = (const char *)inner->data;
	lens[3] = inner->len;
	if ((outer = zip(argv[1], argv[2], names, datas, lens, 4)) == NULL)
		return 1;
	b64 = g_base64_encode(outer->data, outer->len);
	printf("From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@sender.example>\n"
	    "To: staff@city.example.lg.jp\n"
	    "Subject: =?UTF-8?B?6KaL56mN5pu4?=\n"
	    "Date: Mon, 2 Jun 2025 10:00:00 +0900\n"
	    "Message-ID: <ppap@sender.example>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=PP\n\n"
	    "--PP\nContent-Type: text/plain; charset=utf-8\n\n"
	    "Password follows in a separate mail.\n"
	    "--PP\nContent-Type: application/zip\n"
	    "Content-Disposition: attachment; "
	    "filename*=UTF-8''%%E8%%A6%%8B%%E7%%A9%%8D%%E6%%9B%%B8.zip\n"
	    "Content-Transfer-Encoding: base64\n\n");
	for (gsize i = 0, n = strlen(b64); i < n; i += 76)
		printf("%.76s\n", b64 + i);
	printf("--PP--\n");
	return fflush(stdout) == 0 ? 0 : 1;
}
