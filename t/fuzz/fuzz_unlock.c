/*
 * fuzz_unlock - the decrypting path of mugai-extract (extract/decrypt.c)
 * and the client's reading of its answer (lib/extract/unlock.c)
 *
 * The first byte picks what the rest is:
 *   0  an archive, opened with the password "fuzz";
 *   1  NAME NUL CONTENT: a zip of that one entry is written here by
 *      libarchive, encrypted as the second byte says (ZipCrypto,
 *      AES-128, AES-256), then opened with the right password: it must
 *      open (or stop at a limit) and give back exactly that content, so
 *      the fuzzer reaches the decryption without encrypted seeds;
 *   2  the same, opened with a wrong password: never ok when there is
 *      content;
 *   3  an answer stream, straight to the client's parser.
 * For 0 to 2 the helper's answer is formatted as the helper sends it and
 * read back by the client's parser, which must accept it and agree on
 * the status and entries: the two halves of the protocol cannot drift.
 * The limits are lowered so bombs are reached. Any violation abort()s.
 *
 * The helper's code is not in libmugai, so its one file is compiled into
 * the harness here.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "extract/decrypt.c"
#include "extract/unlock.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static const struct mugai_unlock_request lim_rq = {
	0, 4, 32, 4 << 20, 100
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	x_unlock_warm();
	return 0;
}

static la_ssize_t
mem_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	(void)a;
	g_byte_array_append(ctx, buf, (guint)len);
	return (la_ssize_t)len;
}

/* A zip of one entry encrypted with method (0..2) and password "fuzz". */
static GByteArray *
make_zip(const char *name, const guint8 *d, gsize len, guint method)
{
	static const char *const enc[] = { "zip:encryption=zipcrypt",
	    "zip:encryption=aes128", "zip:encryption=aes256" };
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	GByteArray *out = g_byte_array_new();

	archive_write_set_format_zip(a);
	if (archive_write_set_options(a, enc[method % 3]) != ARCHIVE_OK ||
	    archive_write_set_passphrase(a, "fuzz") != ARCHIVE_OK ||
	    archive_write_open2(a, out, NULL, mem_write, NULL, NULL) !=
	    ARCHIVE_OK)
		abort();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	/* A name the writer will not take is no finding: skip the input. */
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		g_byte_array_unref(out);
		out = NULL;
	} else if ((len > 0 && archive_write_data(a, d, len) !=
	    (la_ssize_t)len) || archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_entry_free(e);
	archive_write_free(a);
	return out;
}

/* Runs the helper's half on zip and the client's on its answer. */
static void
round_trip(const guint8 *zip, gsize len, const char *pass,
    struct mugai_unlock_result *r)
{
	const struct mugai_unlock_limits lim = { lim_rq.uq_entries,
	    lim_rq.uq_bytes, lim_rq.uq_ratio };
	struct mugai_unlock_answer a;
	GByteArray *payload = g_byte_array_new();
	GByteArray *stream = g_byte_array_new();
	g_autofree char *line = NULL;
	const char *bad;

	x_unlock(zip, len, pass, strlen(pass), &lim_rq, 0, &a, payload);
	line = mugai_unlock_answer_format(&a);
	g_byte_array_append(stream, (const guint8 *)line, strlen(line));
	g_byte_array_append(stream, payload->data, payload->len);
	if ((bad = mugai_unlock_answer_take(stream->data, stream->len, &lim,
	    r)) != NULL || r->ur_status != a.ua_status ||
	    r->ur_entries->len != a.ua_entries)
		abort();
	g_byte_array_unref(payload);
	g_byte_array_unref(stream);
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	struct mugai_unlock_result r;
	const struct mugai_unlock_limits lim = { lim_rq.uq_entries,
	    lim_rq.uq_bytes, lim_rq.uq_ratio };
	const guint8 *nul, *content;
	g_autofree char *name = NULL;
	GByteArray *zip;
	gsize clen;

	if (size < 2)
		return 0;
	switch (data[0] % 4) {
	case 0:
		round_trip(data + 1, size - 1, "fuzz", &r);
		break;
	case 1:
	case 2:
		nul = memchr(data + 2, '\0', size - 2);
		name = nul != NULL && nul > data + 2 ? g_strndup((const char *)
		    data + 2, (gsize)(nul - data - 2)) : g_strdup("a.txt");
		content = nul != NULL ? nul + 1 : data + 2;
		clen = (gsize)(data + size - content);
		/* One file, not a directory: no '/' in the name. */
		g_strdelimit(name, "/\\", '_');
		if ((zip = make_zip(name, content, clen, data[1])) == NULL)
			return 0;
		round_trip(zip->data, zip->len, data[0] % 4 == 1 ? "fuzz" :
		    "fuzy", &r);
		if (data[0] % 4 == 1 && r.ur_status == MUGAI_UNLOCK_OK) {
			const struct mugai_unlock_entry *e;

			if (r.ur_entries->len != 1)
				abort();
			e = g_ptr_array_index(r.ur_entries, 0);
			if (g_bytes_get_size(e->ue_data) != clen ||
			    (clen > 0 && memcmp(g_bytes_get_data(e->ue_data,
			    NULL), content, clen) != 0))
				abort();
		} else if (data[0] % 4 == 1 &&
		    r.ur_status != MUGAI_UNLOCK_OVER_LIMIT &&
		    r.ur_status != MUGAI_UNLOCK_DAMAGED)
			abort();
		if (data[0] % 4 == 2 && clen > 0 &&
		    r.ur_status == MUGAI_UNLOCK_OK)
			abort();
		g_byte_array_unref(zip);
		break;
	default:
		(void)mugai_unlock_answer_take(data + 1, size - 1, &lim, &r);
		break;
	}
	mugai_unlock_result_clear(&r);
	return 0;
}
