/*
 * fixtures - in-memory test inputs (see fixtures.h)
 */
#include "autoconfig.h"

#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <check.h>

#include "fixtures.h"

GBytes *
fx_text(const char *s)
{
	return g_bytes_new(s, strlen(s));
}

GBytes *
fx_zeros(gsize n)
{
	return g_bytes_new_take(g_malloc0(n), n);
}

GBytes *
fx_fill(gsize n, char c)
{
	char *b = g_malloc(n);

	memset(b, c, n);
	return g_bytes_new_take(b, n);
}

void
fx_put16(unsigned char *p, guint v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

void
fx_put32(unsigned char *p, guint32 v)
{
	fx_put16(p, v & 0xffff);
	fx_put16(p + 2, v >> 16);
}

GBytes *
fx_pe(void)
{
	gsize n = 1024;
	unsigned char *b = g_malloc0(n);

	b[0] = 'M';
	b[1] = 'Z';
	fx_put16(b + 0x18, 0x40);			/* e_lfarlc */
	fx_put32(b + 0x3c, 0x80);			/* e_lfanew */
	memcpy(b + 0x40, "This program cannot be run in DOS mode.\r\r\n$",
	    44);
	memcpy(b + 0x80, "PE\0\0", 4);
	fx_put16(b + 0x84, 0x14c);			/* i386 */
	fx_put16(b + 0x86, 1);			/* one section */
	fx_put16(b + 0x94, 0xe0);			/* optional header size */
	fx_put16(b + 0x96, 0x0102);		/* executable, 32-bit */
	fx_put16(b + 0x98, 0x10b);			/* PE32 magic */
	return g_bytes_new_take(b, n);
}

GBytes *
fx_elf(void)
{
	gsize n = 512;
	unsigned char *b = g_malloc0(n);

	memcpy(b, "\177ELF", 4);
	b[4] = 2;				/* 64-bit */
	b[5] = 1;				/* little endian */
	b[6] = 1;
	fx_put16(b + 16, 2);			/* ET_EXEC */
	fx_put16(b + 18, 62);			/* x86-64 */
	fx_put32(b + 20, 1);
	fx_put16(b + 52, 64);
	return g_bytes_new_take(b, n);
}

static la_ssize_t
mem_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	g_byte_array_append(ctx, buf, (guint)len);
	return (la_ssize_t)len;
}

GBytes *
fx_archive(const char *format, const char *filter, const char *options,
    const char *passphrase, const struct fx_entry *entries, gsize n)
{
	struct archive *a = archive_write_new();
	GByteArray *out = g_byte_array_new();

	ck_assert_int_eq(archive_write_set_format_by_name(a, format),
	    ARCHIVE_OK);
	if (filter != NULL)
		ck_assert_int_eq(archive_write_add_filter_by_name(a, filter),
		    ARCHIVE_OK);
	if (options != NULL)
		ck_assert_msg(archive_write_set_options(a, options) ==
		    ARCHIVE_OK, "%s", archive_error_string(a));
	if (passphrase != NULL)
		ck_assert_int_eq(archive_write_set_passphrase(a, passphrase),
		    ARCHIVE_OK);
	/* No padding to 10240-byte blocks for tar. */
	archive_write_set_bytes_in_last_block(a, 1);
	ck_assert_int_eq(archive_write_open2(a, out, NULL, mem_write, NULL,
	    NULL), ARCHIVE_OK);
	for (gsize i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		gsize len = 0;
		const void *d = entries[i].data != NULL ?
		    g_bytes_get_data(entries[i].data, &len) : NULL;

		archive_entry_set_pathname(e, entries[i].name);
		archive_entry_set_mtime(e, 1700000000, 0);
		if (d != NULL) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			if (!entries[i].unsized)
				archive_entry_set_size(e, (la_int64_t)len);
		} else {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
		}
		ck_assert_msg(archive_write_header(a, e) == ARCHIVE_OK, "%s",
		    archive_error_string(a));
		if (d != NULL && len > 0)
			ck_assert_int_eq(archive_write_data(a, d, len),
			    (la_ssize_t)len);
		archive_entry_free(e);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return g_byte_array_free_to_bytes(out);
}

GBytes *
fx_zip1(const char *name, GBytes *data)
{
	struct fx_entry e = { name, data, FALSE };

	return fx_archive("zip", NULL, NULL, NULL, &e, 1);
}

/* One 128-byte directory entry at p. */
static void
ole_dirent(unsigned char *p, const char *name, guint type, guint32 child,
    guint32 right)
{
	gsize n = strlen(name);

	for (gsize i = 0; i < n; i++)
		p[2 * i] = (unsigned char)name[i];
	fx_put16(p + 64, (guint)(2 * n + 2));
	p[66] = (unsigned char)type;
	p[67] = 1;				/* black */
	fx_put32(p + 68, 0xffffffffu);		/* left sibling */
	fx_put32(p + 72, right);
	fx_put32(p + 76, child);
	fx_put32(p + 116, 0xfffffffeu);		/* start sector: none */
}

GBytes *
fx_ole(gboolean macros)
{
	gsize n = 512 * 3;
	unsigned char *b = g_malloc0(n);
	unsigned char *fat = b + 512, *dir = b + 1024;

	memcpy(b, "\320\317\021\340\241\261\032\341", 8);
	fx_put16(b + 0x18, 0x3e);			/* minor version */
	fx_put16(b + 0x1a, 3);			/* major version */
	fx_put16(b + 0x1c, 0xfffe);		/* byte order */
	fx_put16(b + 0x1e, 9);			/* 512-byte sectors */
	fx_put16(b + 0x20, 6);			/* 64-byte mini sectors */
	fx_put32(b + 0x2c, 1);			/* FAT sectors */
	fx_put32(b + 0x30, 1);			/* first directory sector */
	fx_put32(b + 0x38, 4096);			/* mini stream cutoff */
	fx_put32(b + 0x3c, 0xfffffffeu);		/* no mini FAT */
	fx_put32(b + 0x44, 0xfffffffeu);		/* no DIFAT sectors */
	memset(b + 0x4c, 0xff, 436);
	fx_put32(b + 0x4c, 0);			/* FAT in sector 0 */
	memset(fat, 0xff, 512);
	fx_put32(fat, 0xfffffffdu);		/* sector 0: FAT */
	fx_put32(fat + 4, 0xfffffffeu);		/* sector 1: directory */
	ole_dirent(dir, "Root Entry", 5, macros ? 1 : 0xffffffffu,
	    0xffffffffu);
	if (macros) {
		ole_dirent(dir + 128, "Macros", 1, 2, 0xffffffffu);
		ole_dirent(dir + 256, "VBA", 1, 0xffffffffu, 0xffffffffu);
	}
	return g_bytes_new_take(b, n);
}

GBytes *
fx_ooxml(gboolean macros)
{
	g_autoptr(GBytes) ct = fx_text("<?xml version=\"1.0\"?><Types "
	    "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
	    "content-types\"><Default Extension=\"xml\" ContentType="
	    "\"application/xml\"/></Types>");
	g_autoptr(GBytes) doc = fx_text("<?xml version=\"1.0\"?><w:document "
	    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/"
	    "2006/main\"/>");
	g_autoptr(GBytes) vba = fx_ole(TRUE);
	struct fx_entry e[] = {
		{ "[Content_Types].xml", ct, FALSE },
		{ "word/document.xml", doc, FALSE },
		{ "word/vbaProject.bin", vba, FALSE },
	};

	return fx_archive("zip", NULL, NULL, NULL, e, macros ? 3 : 2);
}
