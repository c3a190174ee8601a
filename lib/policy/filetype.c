/*
 * mugai_filetype - coarse kinds of MIME types, extensions and signatures
 *
 * The tables list what libmagic (file 5.4x) reports and what mail user
 * agents declare. Anything not listed is UNKNOWN, and UNKNOWN never makes
 * a mismatch on its own: the rules still see the detected type.
 */
#include "autoconfig.h"

#include <string.h>

#include "policy/filetype.h"

struct type_kind {
	const char *pattern;	/* exact, or "prefix*" */
	enum mugai_kind kind;
};

static const struct type_kind type_kinds[] = {
	{ "application/octet-stream", MUGAI_KIND_UNKNOWN },
	{ "application/x-download", MUGAI_KIND_UNKNOWN },
	{ "binary/octet-stream", MUGAI_KIND_UNKNOWN },
	{ "inode/x-empty", MUGAI_KIND_UNKNOWN },
	{ "application/x-empty", MUGAI_KIND_UNKNOWN },
	{ "text/html", MUGAI_KIND_HTML },
	{ "text/xml", MUGAI_KIND_HTML },
	{ "application/xml", MUGAI_KIND_HTML },
	{ "application/xhtml+xml", MUGAI_KIND_HTML },
	{ "image/svg+xml", MUGAI_KIND_HTML },
	{ "text/rtf", MUGAI_KIND_RTF },
	{ "application/rtf", MUGAI_KIND_RTF },
	{ "text/x-shellscript", MUGAI_KIND_EXEC },
	{ "text/x-msdos-batch", MUGAI_KIND_EXEC },
	{ "text/x-python*", MUGAI_KIND_EXEC },
	{ "text/x-perl", MUGAI_KIND_EXEC },
	{ "text/x-php", MUGAI_KIND_EXEC },
	{ "text/*", MUGAI_KIND_TEXT },
	{ "application/json", MUGAI_KIND_TEXT },
	{ "application/csv", MUGAI_KIND_TEXT },
	{ "application/pdf", MUGAI_KIND_PDF },
	{ "application/x-pdf", MUGAI_KIND_PDF },
	{ "application/msword", MUGAI_KIND_OLE },
	{ "application/vnd.ms-excel", MUGAI_KIND_OLE },
	{ "application/vnd.ms-powerpoint", MUGAI_KIND_OLE },
	{ "application/vnd.ms-outlook", MUGAI_KIND_OLE },
	{ "application/x-ole-storage", MUGAI_KIND_OLE },
	{ "application/cdfv2", MUGAI_KIND_OLE },
	{ "application/x-msi", MUGAI_KIND_EXEC },
	{ "application/vnd.openxmlformats-officedocument.*", MUGAI_KIND_OOXML },
	{ "application/vnd.ms-word.*", MUGAI_KIND_OOXML },
	{ "application/vnd.ms-excel.*", MUGAI_KIND_OOXML },
	{ "application/vnd.ms-powerpoint.*", MUGAI_KIND_OOXML },
	{ "application/vnd.oasis.opendocument.*", MUGAI_KIND_ODF },
	{ "application/zip", MUGAI_KIND_ZIP },
	{ "application/x-zip-compressed", MUGAI_KIND_ZIP },
	{ "application/x-zip", MUGAI_KIND_ZIP },
	{ "application/x-7z-compressed", MUGAI_KIND_ARCHIVE },
	{ "application/vnd.rar", MUGAI_KIND_ARCHIVE },
	{ "application/x-rar*", MUGAI_KIND_ARCHIVE },
	{ "application/x-tar", MUGAI_KIND_ARCHIVE },
	{ "application/x-gtar", MUGAI_KIND_ARCHIVE },
	{ "application/gzip", MUGAI_KIND_ARCHIVE },
	{ "application/x-gzip", MUGAI_KIND_ARCHIVE },
	{ "application/x-bzip2", MUGAI_KIND_ARCHIVE },
	{ "application/x-xz", MUGAI_KIND_ARCHIVE },
	{ "application/x-lzh*", MUGAI_KIND_ARCHIVE },
	{ "application/x-lha", MUGAI_KIND_ARCHIVE },
	{ "application/vnd.ms-cab-compressed", MUGAI_KIND_ARCHIVE },
	{ "application/x-dosexec", MUGAI_KIND_EXEC },
	{ "application/x-msdownload", MUGAI_KIND_EXEC },
	{ "application/x-msdos-program", MUGAI_KIND_EXEC },
	{ "application/vnd.microsoft.portable-executable", MUGAI_KIND_EXEC },
	{ "application/x-executable", MUGAI_KIND_EXEC },
	{ "application/x-sharedlib", MUGAI_KIND_EXEC },
	{ "application/x-pie-executable", MUGAI_KIND_EXEC },
	{ "application/x-mach-binary", MUGAI_KIND_EXEC },
	{ "application/x-elf", MUGAI_KIND_EXEC },
	{ "application/x-ms-shortcut", MUGAI_KIND_EXEC },
	{ "application/java-archive", MUGAI_KIND_EXEC },
	{ "application/x-java-archive", MUGAI_KIND_EXEC },
	{ "application/javascript", MUGAI_KIND_EXEC },
	{ "application/x-sh", MUGAI_KIND_EXEC },
	{ "application/hta", MUGAI_KIND_EXEC },
	{ "image/*", MUGAI_KIND_IMAGE },
	{ "audio/*", MUGAI_KIND_AUDIO },
	{ "video/*", MUGAI_KIND_VIDEO },
};

struct ext_kind {
	const char *ext;
	enum mugai_kind kind;
};

static const struct ext_kind ext_kinds[] = {
	{ "txt", MUGAI_KIND_TEXT }, { "csv", MUGAI_KIND_TEXT },
	{ "log", MUGAI_KIND_TEXT }, { "json", MUGAI_KIND_TEXT },
	{ "htm", MUGAI_KIND_HTML }, { "html", MUGAI_KIND_HTML },
	{ "xml", MUGAI_KIND_HTML }, { "svg", MUGAI_KIND_HTML },
	{ "pdf", MUGAI_KIND_PDF }, { "rtf", MUGAI_KIND_RTF },
	{ "doc", MUGAI_KIND_OLE }, { "xls", MUGAI_KIND_OLE },
	{ "ppt", MUGAI_KIND_OLE }, { "msg", MUGAI_KIND_OLE },
	{ "docx", MUGAI_KIND_OOXML }, { "xlsx", MUGAI_KIND_OOXML },
	{ "pptx", MUGAI_KIND_OOXML }, { "docm", MUGAI_KIND_OOXML },
	{ "xlsm", MUGAI_KIND_OOXML }, { "pptm", MUGAI_KIND_OOXML },
	{ "odt", MUGAI_KIND_ODF }, { "ods", MUGAI_KIND_ODF },
	{ "odp", MUGAI_KIND_ODF }, { "zip", MUGAI_KIND_ZIP },
	{ "7z", MUGAI_KIND_ARCHIVE }, { "rar", MUGAI_KIND_ARCHIVE },
	{ "tar", MUGAI_KIND_ARCHIVE }, { "gz", MUGAI_KIND_ARCHIVE },
	{ "tgz", MUGAI_KIND_ARCHIVE }, { "bz2", MUGAI_KIND_ARCHIVE },
	{ "xz", MUGAI_KIND_ARCHIVE }, { "lzh", MUGAI_KIND_ARCHIVE },
	{ "lha", MUGAI_KIND_ARCHIVE }, { "cab", MUGAI_KIND_ARCHIVE },
	{ "jpg", MUGAI_KIND_IMAGE }, { "jpeg", MUGAI_KIND_IMAGE },
	{ "png", MUGAI_KIND_IMAGE }, { "gif", MUGAI_KIND_IMAGE },
	{ "bmp", MUGAI_KIND_IMAGE }, { "tif", MUGAI_KIND_IMAGE },
	{ "tiff", MUGAI_KIND_IMAGE }, { "webp", MUGAI_KIND_IMAGE },
	{ "mp3", MUGAI_KIND_AUDIO }, { "wav", MUGAI_KIND_AUDIO },
	{ "m4a", MUGAI_KIND_AUDIO }, { "mp4", MUGAI_KIND_VIDEO },
	{ "mov", MUGAI_KIND_VIDEO }, { "avi", MUGAI_KIND_VIDEO },
	{ "exe", MUGAI_KIND_EXEC }, { "com", MUGAI_KIND_EXEC },
	{ "scr", MUGAI_KIND_EXEC }, { "dll", MUGAI_KIND_EXEC },
	{ "sys", MUGAI_KIND_EXEC }, { "cpl", MUGAI_KIND_EXEC },
	{ "ocx", MUGAI_KIND_EXEC }, { "msi", MUGAI_KIND_EXEC },
	{ "bat", MUGAI_KIND_EXEC }, { "cmd", MUGAI_KIND_EXEC },
	{ "sh", MUGAI_KIND_EXEC }, { "jar", MUGAI_KIND_EXEC },
	{ "js", MUGAI_KIND_EXEC }, { "vbs", MUGAI_KIND_EXEC },
	{ "ps1", MUGAI_KIND_EXEC }, { "lnk", MUGAI_KIND_EXEC },
	{ "elf", MUGAI_KIND_EXEC }, { "so", MUGAI_KIND_EXEC },
	{ "bin", MUGAI_KIND_UNKNOWN },
};

enum mugai_kind
mugai_filetype_kind_of_type(const char *type)
{
	char t[128];
	gsize n;

	if (type == NULL)
		return MUGAI_KIND_UNKNOWN;
	n = strcspn(type, "; \t");
	if (n == 0 || n >= sizeof t)
		return MUGAI_KIND_UNKNOWN;
	for (gsize i = 0; i < n; i++)
		t[i] = g_ascii_tolower(type[i]);
	t[n] = '\0';
	for (gsize i = 0; i < G_N_ELEMENTS(type_kinds); i++) {
		const char *p = type_kinds[i].pattern;
		gsize pl = strlen(p);

		if (p[pl - 1] == '*' ? strncmp(t, p, pl - 1) == 0 :
		    strcmp(t, p) == 0)
			return type_kinds[i].kind;
	}
	return MUGAI_KIND_UNKNOWN;
}

enum mugai_kind
mugai_filetype_kind_of_ext(const char *ext)
{
	if (ext == NULL)
		return MUGAI_KIND_UNKNOWN;
	for (gsize i = 0; i < G_N_ELEMENTS(ext_kinds); i++)
		if (strcmp(ext_kinds[i].ext, ext) == 0)
			return ext_kinds[i].kind;
	return MUGAI_KIND_UNKNOWN;
}

gboolean
mugai_filetype_compatible(enum mugai_kind a, enum mugai_kind b)
{
	if (a == MUGAI_KIND_UNKNOWN || b == MUGAI_KIND_UNKNOWN || a == b)
		return TRUE;
	/* Office and ODF files are zips; many tools label them so. */
	if ((a == MUGAI_KIND_ZIP && (b == MUGAI_KIND_OOXML ||
	    b == MUGAI_KIND_ODF || b == MUGAI_KIND_ARCHIVE)) ||
	    (b == MUGAI_KIND_ZIP && (a == MUGAI_KIND_OOXML ||
	    a == MUGAI_KIND_ODF || a == MUGAI_KIND_ARCHIVE)))
		return TRUE;
	/* Markup and RTF are text; libmagic often says text/plain. */
	if ((a == MUGAI_KIND_TEXT && (b == MUGAI_KIND_HTML ||
	    b == MUGAI_KIND_RTF)) || (b == MUGAI_KIND_TEXT &&
	    (a == MUGAI_KIND_HTML || a == MUGAI_KIND_RTF)))
		return TRUE;
	return FALSE;
}

gboolean
mugai_filetype_mismatch(const char *detected, const char *declared,
    const char *ext)
{
	enum mugai_kind d = mugai_filetype_kind_of_type(detected);
	enum mugai_kind t = mugai_filetype_kind_of_type(declared);
	enum mugai_kind e = mugai_filetype_kind_of_ext(ext);

	/* Native code or a script must say so by name and by type. */
	if (d == MUGAI_KIND_EXEC && ((t != MUGAI_KIND_UNKNOWN &&
	    t != MUGAI_KIND_EXEC) || (e != MUGAI_KIND_UNKNOWN &&
	    e != MUGAI_KIND_EXEC)))
		return TRUE;
	return !mugai_filetype_compatible(d, t) ||
	    !mugai_filetype_compatible(d, e);
}

static guint32
le32(const unsigned char *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
	    (guint32)p[3] << 24;
}

gboolean
mugai_filetype_head_is_executable(const void *head, gsize len)
{
	const unsigned char *h = head;
	guint32 off;

	if (len >= 2 && h[0] == '#' && h[1] == '!')
		return TRUE;
	if (len >= 4 && memcmp(h, "\177ELF", 4) == 0)
		return TRUE;
	if (len >= 4) {
		guint32 m = le32(h);

		/* Mach-O 32/64 in both byte orders, and fat binaries. */
		if (m == 0xfeedfaceu || m == 0xfeedfacfu ||
		    m == 0xcefaedfeu || m == 0xcffaedfeu || m == 0xbebafecau)
			return TRUE;
	}
	if (len < 2 || h[0] != 'M' || h[1] != 'Z')
		return FALSE;
	/* "MZ" alone is too short to be anything but a stub: executable. */
	if (len < 64)
		return TRUE;
	off = le32(h + 0x3c);
	if ((guint64)off + 4 <= len && memcmp(h + off, "PE\0\0", 4) == 0)
		return TRUE;
	/* A PE header past the sniffed bytes, or a plain DOS program whose
	 * relocation table sits where DOS linkers put it. */
	if ((guint64)off + 4 > len && off < 16 * 1024 * 1024)
		return TRUE;
	return h[0x18] >= 0x1c && h[0x18] <= 0x40 && h[0x19] == 0;
}
