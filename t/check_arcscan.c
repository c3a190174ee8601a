/*
 * check_arcscan - mugai_arcscan: entries, encryption, executables, nesting
 * and the bounds that make a bomb cheap
 */
#include "autoconfig.h"

#include <stdio.h>

#include <string.h>

#include "policy/arcscan.h"
#include "fixtures.h"
#include "testutil.h"

/* Serves a GBytes in 64 KiB pieces, as the policy's source does. */
struct pull_ctx {
	GBytes *bytes;
	gsize off;
	guint64 pulled;
};

static gssize
pull_bytes(void *ctx, const void **buf)
{
	struct pull_ctx *pc = ctx;
	gsize len = 0;
	const char *d = g_bytes_get_data(pc->bytes, &len);
	gsize n = MIN(len - pc->off, 65536);

	*buf = d + pc->off;
	pc->off += n;
	pc->pulled += n;
	return (gssize)n;
}

static const struct mugai_arcscan_limits def_limits = {
	.al_max_depth = 3,
	.al_max_entries = 1000,
	.al_max_bytes = 64 * 1024 * 1024,
	.al_max_ratio = 100,
	.al_max_list = 100,
};

/* Inspects bytes with lim (NULL: the defaults); returns the bits. */
static guint
inspect(GBytes *bytes, const struct mugai_arcscan_limits *lim,
    struct mugai_arcscan_facts *out)
{
	struct pull_ctx pc = { bytes, 0, 0 };
	struct mugai_arcscan_facts f;
	guint bits;

	mugai_arcscan_facts_init(&f);
	ck_assert_int_eq(mugai_arcscan_inspect(pull_bytes, &pc,
	    lim != NULL ? lim : &def_limits, &f), MUGAI_OK);
	bits = f.af_bits;
	if (out != NULL)
		*out = f;
	else
		mugai_arcscan_facts_clear(&f);
	return bits;
}

static gboolean
has_name(const struct mugai_arcscan_facts *f, const char *name)
{
	for (guint i = 0; i < f->af_names->len; i++)
		if (strcmp(g_ptr_array_index(f->af_names, i), name) == 0)
			return TRUE;
	return FALSE;
}

START_TEST(sniffs_archive_signatures)
{
	g_autoptr(GBytes) zip = fx_zip1("a.txt", NULL);
	gsize len;
	const void *d = g_bytes_get_data(zip, &len);

	ck_assert(mugai_arcscan_sniff(d, len));
	ck_assert(mugai_arcscan_sniff("\037\213\010", 3));
	ck_assert(mugai_arcscan_sniff("7z\274\257\047\034\0\4", 8));
	ck_assert(mugai_arcscan_sniff("Rar!\032\007\0", 7));
	ck_assert(mugai_arcscan_sniff("\0\0-lh5-xxxx", 11));
	ck_assert(!mugai_arcscan_sniff("%PDF-1.4\n", 9));
	ck_assert(!mugai_arcscan_sniff("PK", 2));
}
END_TEST

START_TEST(plain_zip_lists_entries)
{
	g_autoptr(GBytes) a = fx_text("hello\n");
	g_autoptr(GBytes) b = fx_text("world\n");
	struct fx_entry e[] = { { "docs/", NULL, FALSE },
	    { "docs/a.txt", a, FALSE },
	    { "b.csv", b, FALSE } };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL, NULL, NULL, e, 3);
	struct mugai_arcscan_facts f;
	guint bits = inspect(zip, NULL, &f);

	ck_assert_uint_eq(bits, 0);
	ck_assert_uint_eq(f.af_entries, 3);
	ck_assert(has_name(&f, "docs/a.txt"));
	ck_assert(has_name(&f, "b.csv"));
	ck_assert_ptr_nonnull(f.af_format);
	mugai_arcscan_facts_clear(&f);
}
END_TEST

START_TEST(zip_with_exe_inside_by_name)
{
	g_autoptr(GBytes) t = fx_text("just text\n");
	g_autoptr(GBytes) zip = fx_zip1("setup.exe", t);

	ck_assert(inspect(zip, NULL, NULL) & MUGAI_ARC_EXECUTABLE);
}
END_TEST

START_TEST(zip_with_pe_inside_by_content)
{
	g_autoptr(GBytes) pe = fx_pe();
	g_autoptr(GBytes) zip = fx_zip1("readme.txt", pe);

	ck_assert(inspect(zip, NULL, NULL) & MUGAI_ARC_EXECUTABLE);
}
END_TEST

START_TEST(tar_gz_with_script_inside)
{
	g_autoptr(GBytes) sh = fx_text("#!/bin/sh\nrm -rf ~\n");
	g_autoptr(GBytes) ok = fx_text("notes\n");
	struct fx_entry e[] = { { "notes.txt", ok, FALSE },
	    { "run", sh, FALSE } };
	g_autoptr(GBytes) tgz = fx_archive("ustar", "gzip", NULL, NULL, e, 2);
	struct mugai_arcscan_facts f;
	guint bits = inspect(tgz, NULL, &f);

	ck_assert(bits & MUGAI_ARC_EXECUTABLE);
	ck_assert(!(bits & (MUGAI_ARC_BROKEN | MUGAI_ARC_LIMIT)));
	ck_assert_uint_eq(f.af_entries, 2);
	mugai_arcscan_facts_clear(&f);
}
END_TEST

START_TEST(seven_zip_with_elf_inside)
{
	g_autoptr(GBytes) elf = fx_elf();
	struct fx_entry e[] = { { "tool", elf, FALSE } };
	g_autoptr(GBytes) z7 = fx_archive("7zip", NULL, NULL, NULL, e, 1);
	g_autoptr(GBytes) zip = fx_zip1("tools.7z", z7);
	struct mugai_arcscan_limits small = def_limits;
	guint bits;

	/* 7z needs seeking: it is read into memory first, within bounds. */
	ck_assert_uint_eq(inspect(z7, NULL, NULL), MUGAI_ARC_EXECUTABLE);
	bits = inspect(zip, NULL, NULL);
	ck_assert_uint_eq(bits, MUGAI_ARC_EXECUTABLE | MUGAI_ARC_NESTED);
	small.al_max_bytes = 64;
	ck_assert(inspect(z7, &small, NULL) & MUGAI_ARC_LIMIT);
}
END_TEST

START_TEST(nested_zip_in_zip)
{
	g_autoptr(GBytes) pe = fx_pe();
	g_autoptr(GBytes) inner = fx_zip1("tool.dat", pe);
	g_autoptr(GBytes) outer = fx_zip1("inner.zip", inner);
	struct mugai_arcscan_facts f;
	guint bits = inspect(outer, NULL, &f);

	ck_assert(bits & MUGAI_ARC_NESTED);
	ck_assert(bits & MUGAI_ARC_EXECUTABLE);
	ck_assert(!(bits & MUGAI_ARC_TOO_DEEP));
	ck_assert(has_name(&f, "inner.zip/tool.dat"));
	ck_assert_uint_eq(f.af_entries, 2);
	mugai_arcscan_facts_clear(&f);
}
END_TEST

START_TEST(rejects_nested_zip_past_depth)
{
	GBytes *cur = fx_text("deep\n");

	for (int i = 0; i < 5; i++) {
		GBytes *next = fx_zip1(i == 0 ? "x.txt" : "n.zip", cur);

		g_bytes_unref(cur);
		cur = next;
	}
	ck_assert(inspect(cur, NULL, NULL) & MUGAI_ARC_TOO_DEEP);
	g_bytes_unref(cur);
}
END_TEST

START_TEST(encrypted_zip_zipcrypt)
{
	g_autoptr(GBytes) t = fx_text("secret minutes\n");
	struct fx_entry e[] = { { "minutes.docx", t, FALSE } };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=zipcrypt", "password", e, 1);

	ck_assert(inspect(zip, NULL, NULL) & MUGAI_ARC_ENCRYPTED);
}
END_TEST

/* Sets general-purpose bit 0 in every local and central header. */
static GBytes *
patch_encrypted(GBytes *zip)
{
	gsize len = 0;
	unsigned char *b = g_bytes_unref_to_data(g_bytes_ref(zip), &len);

	for (gsize i = 0; i + 10 < len; i++) {
		if (memcmp(b + i, "PK\003\004", 4) == 0)
			b[i + 6] |= 1;
		else if (memcmp(b + i, "PK\001\002", 4) == 0)
			b[i + 8] |= 1;
	}
	return g_bytes_new_take(b, len);
}

START_TEST(encrypted_flag_bit_patched)
{
	g_autoptr(GBytes) t = fx_text("AAAAAAAAAAAAAAAAAAAAAAAA\n");
	g_autoptr(GBytes) zip = fx_zip1("a.txt", t);
	g_autoptr(GBytes) enc = patch_encrypted(zip);

	ck_assert(inspect(enc, NULL, NULL) & MUGAI_ARC_ENCRYPTED);
}
END_TEST

/* Renames entries in the central directory only (same length). */
static GBytes *
patch_central_name(GBytes *zip, const char *from, const char *to)
{
	gsize len = 0, n = strlen(from);
	unsigned char *b = g_bytes_unref_to_data(g_bytes_ref(zip), &len);

	for (gsize i = 0; i + 46 + n < len; i++)
		if (memcmp(b + i, "PK\001\002", 4) == 0 &&
		    memcmp(b + i + 46, from, n) == 0)
			memcpy(b + i + 46, to, n);
	return g_bytes_new_take(b, len);
}

/* Windows shows the central directory; the local header may lie. */
START_TEST(central_directory_name_counts)
{
	g_autoptr(GBytes) t = fx_text("@echo off\n");
	g_autoptr(GBytes) zip = fx_zip1("run.txt", t);
	g_autoptr(GBytes) liar = patch_central_name(zip, "run.txt",
	    "run.bat");
	struct mugai_arcscan_facts f;

	ck_assert(!(inspect(zip, NULL, NULL) & MUGAI_ARC_EXECUTABLE));
	ck_assert(inspect(liar, NULL, &f) & MUGAI_ARC_EXECUTABLE);
	mugai_arcscan_facts_clear(&f);
}
END_TEST

START_TEST(ooxml_with_vba_project)
{
	g_autoptr(GBytes) docm = fx_ooxml(TRUE);
	g_autoptr(GBytes) docx = fx_ooxml(FALSE);

	ck_assert(inspect(docm, NULL, NULL) & MUGAI_ARC_MACRO);
	ck_assert(!(inspect(docx, NULL, NULL) & MUGAI_ARC_MACRO));
}
END_TEST

START_TEST(entry_count_is_bounded)
{
	g_autoptr(GBytes) t = fx_text("x");
	struct fx_entry e[50];
	g_autoptr(GBytes) zip = NULL;
	struct mugai_arcscan_limits lim = def_limits;
	struct mugai_arcscan_facts f;
	char names[50][16];

	for (int i = 0; i < 50; i++) {
		g_snprintf(names[i], sizeof names[i], "f%02d.txt", i);
		e[i].name = names[i];
		e[i].data = t;
		e[i].unsized = FALSE;
	}
	zip = fx_archive("zip", NULL, NULL, NULL, e, 50);
	lim.al_max_entries = 10;
	lim.al_max_list = 5;
	ck_assert(inspect(zip, &lim, &f) & MUGAI_ARC_LIMIT);
	ck_assert_str_eq(f.af_limit, "archive_max_entries");
	ck_assert_uint_eq(f.af_names->len, 5);
	mugai_arcscan_facts_clear(&f);
}
END_TEST

#define BOMB (100 * 1024 * 1024)

/*
 * A 100 MB entry of zeros, deflated to about 100 KB: the central
 * directory declares its size, so it is refused before a byte of it is
 * inflated. What a bomb costs is counted, not timed: no bytes expanded,
 * and the archive pulled once (a zip level is read whole, never again).
 */
START_TEST(zip_bomb_stopped_quickly)
{
	g_autoptr(GBytes) zeros = fx_zeros(BOMB);
	g_autoptr(GBytes) zip = fx_zip1("zeros.bin", zeros);
	struct pull_ctx pc = { zip, 0, 0 };
	struct mugai_arcscan_facts f;

	g_clear_pointer(&zeros, g_bytes_unref);
	mugai_arcscan_facts_init(&f);
	ck_assert_int_eq(mugai_arcscan_inspect(pull_bytes, &pc, &def_limits,
	    &f), MUGAI_OK);
	fprintf(stderr, "zip bomb: %zu compressed bytes, stopped after "
	    "%" G_GUINT64_FORMAT " expanded, %" G_GUINT64_FORMAT " pulled, "
	    "by %s\n", g_bytes_get_size(zip), f.af_expanded, pc.pulled,
	    f.af_limit);
	ck_assert(f.af_bits & MUGAI_ARC_LIMIT);
	ck_assert_str_eq(f.af_limit, "archive_max_bytes");
	ck_assert_uint_eq(f.af_entries, 1);
	ck_assert_uint_eq(f.af_expanded, 0);
	ck_assert_uint_eq(pc.pulled, g_bytes_get_size(zip));
	mugai_arcscan_facts_clear(&f);
}
END_TEST

/* The same bomb written with a data descriptor (sizes after the data)
 * and a byte budget it fits in: the central directory still declares
 * the size, so the ratio refuses it without inflating anything. */
START_TEST(zip_bomb_with_descriptor_refused_by_ratio)
{
	g_autoptr(GBytes) zeros = fx_zeros(BOMB);
	struct fx_entry e[] = { { "zeros.bin", zeros, TRUE } };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL, NULL, NULL, e, 1);
	struct mugai_arcscan_limits lim = def_limits;
	struct mugai_arcscan_facts f;

	g_clear_pointer(&zeros, g_bytes_unref);
	lim.al_max_bytes = 1024 * 1024 * 1024;
	ck_assert(inspect(zip, &lim, &f) & MUGAI_ARC_LIMIT);
	ck_assert_str_eq(f.af_limit, "archive_max_ratio");
	mugai_arcscan_facts_clear(&f);
}
END_TEST

/*
 * A bare .gz declares nothing: it must be inflated to be measured, and
 * the ratio stops it after a few MiB. Counted, not timed: what was
 * expanded is within one read block of al_max_ratio times what was
 * pulled, and the walk stopped before the end of the input.
 */
START_TEST(gzip_bomb_stopped_by_ratio)
{
	/* Not zeros: inflated zeros look like an empty tar. */
	g_autoptr(GBytes) zeros = fx_fill(BOMB, 'A');
	struct fx_entry e[] = { { "zeros.bin", zeros, TRUE } };
	g_autoptr(GBytes) gz = fx_archive("raw", "gzip", NULL, NULL, e, 1);
	struct pull_ctx pc = { gz, 0, 0 };
	struct mugai_arcscan_facts f;

	g_clear_pointer(&zeros, g_bytes_unref);
	mugai_arcscan_facts_init(&f);
	ck_assert_int_eq(mugai_arcscan_inspect(pull_bytes, &pc, &def_limits,
	    &f), MUGAI_OK);
	fprintf(stderr, "gzip bomb: %zu compressed bytes, stopped after "
	    "%" G_GUINT64_FORMAT " expanded, %" G_GUINT64_FORMAT " pulled, "
	    "by %s\n", g_bytes_get_size(gz), f.af_expanded, pc.pulled,
	    f.af_limit);
	ck_assert(f.af_bits & MUGAI_ARC_LIMIT);
	ck_assert_str_eq(f.af_limit, "archive_max_ratio");
	ck_assert_uint_lt(f.af_expanded, 16 * 1024 * 1024);
	ck_assert_uint_le(f.af_expanded,
	    (def_limits.al_max_ratio + 1) * pc.pulled + 65536);
	ck_assert_uint_lt(pc.pulled, g_bytes_get_size(gz));
	mugai_arcscan_facts_clear(&f);
}
END_TEST

/*
 * tar declares its sizes: a 100 MB entry is refused from its header,
 * before expanding (or skipping, which for a .tar.gz means inflating)
 * its data. Counted, not timed: nothing expanded, and the walk stopped
 * before the end of the input.
 */
START_TEST(tar_gz_bomb_refused_by_declared_size)
{
	g_autoptr(GBytes) zeros = fx_zeros(BOMB);
	struct fx_entry e[] = { { "zeros.bin", zeros, FALSE } };
	g_autoptr(GBytes) tgz = fx_archive("ustar", "gzip", NULL, NULL, e, 1);
	struct pull_ctx pc = { tgz, 0, 0 };
	struct mugai_arcscan_facts f;

	g_clear_pointer(&zeros, g_bytes_unref);
	mugai_arcscan_facts_init(&f);
	ck_assert_int_eq(mugai_arcscan_inspect(pull_bytes, &pc, &def_limits,
	    &f), MUGAI_OK);
	fprintf(stderr, "tar.gz bomb: %zu compressed bytes, refused by %s "
	    "after %" G_GUINT64_FORMAT " expanded, %" G_GUINT64_FORMAT
	    " pulled\n", g_bytes_get_size(tgz), f.af_limit, f.af_expanded,
	    pc.pulled);
	ck_assert(f.af_bits & MUGAI_ARC_LIMIT);
	ck_assert_str_eq(f.af_limit, "archive_max_bytes");
	ck_assert_uint_eq(f.af_expanded, 0);
	ck_assert_uint_lt(pc.pulled, g_bytes_get_size(tgz));
	mugai_arcscan_facts_clear(&f);
}
END_TEST

START_TEST(truncated_zip_is_broken_not_fatal)
{
	g_autoptr(GBytes) t = fx_zeros(200000);
	g_autoptr(GBytes) zip = fx_zip1("a.bin", t);
	g_autoptr(GBytes) cut = g_bytes_new_from_bytes(zip, 0,
	    g_bytes_get_size(zip) / 2);

	ck_assert(inspect(cut, NULL, NULL) & MUGAI_ARC_BROKEN);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arcscan");

	t_timeout = 60;
	t_test(s, sniffs_archive_signatures);
	t_test(s, plain_zip_lists_entries);
	t_test(s, zip_with_exe_inside_by_name);
	t_test(s, zip_with_pe_inside_by_content);
	t_test(s, tar_gz_with_script_inside);
	t_test(s, seven_zip_with_elf_inside);
	t_test(s, nested_zip_in_zip);
	t_test(s, rejects_nested_zip_past_depth);
	t_test(s, encrypted_zip_zipcrypt);
	t_test(s, encrypted_flag_bit_patched);
	t_test(s, ooxml_with_vba_project);
	t_test(s, central_directory_name_counts);
	t_test(s, entry_count_is_bounded);
	t_test(s, zip_bomb_stopped_quickly);
	t_test(s, zip_bomb_with_descriptor_refused_by_ratio);
	t_test(s, gzip_bomb_stopped_by_ratio);
	t_test(s, tar_gz_bomb_refused_by_declared_size);
	t_test(s, truncated_zip_is_broken_not_fatal);
	return t_run(s);
}
