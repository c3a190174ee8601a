/*
 * mugai_filetype - what kind of file a MIME type, an extension or the first
 * bytes say a part is, and whether two of those disagree
 *
 * Kinds are coarse families (document, image, archive, executable ...);
 * a mismatch is two known kinds that cannot both be true, or an executable
 * anywhere but under an executable name and type. Generic labels
 * (application/octet-stream, no extension) never cause a mismatch. Pure
 * functions on their arguments; no allocation.
 */
#ifndef MUGAI_FILETYPE_H
#define MUGAI_FILETYPE_H

#include <glib.h>

enum mugai_kind {
	MUGAI_KIND_UNKNOWN,	/* generic or not in the tables */
	MUGAI_KIND_TEXT,
	MUGAI_KIND_HTML,	/* HTML, XML, SVG: markup that may script */
	MUGAI_KIND_PDF,
	MUGAI_KIND_OLE,		/* doc, xls, ppt, msg (compound file) */
	MUGAI_KIND_OOXML,	/* docx, xlsx, pptx (zip) */
	MUGAI_KIND_ODF,		/* odt, ods, odp (zip) */
	MUGAI_KIND_ZIP,
	MUGAI_KIND_ARCHIVE,	/* 7z, rar, tar, gzip, bzip2, xz, lzh, cab */
	MUGAI_KIND_IMAGE,
	MUGAI_KIND_AUDIO,
	MUGAI_KIND_VIDEO,
	MUGAI_KIND_RTF,
	MUGAI_KIND_EXEC,	/* PE, ELF, Mach-O, scripts, installers */
};

/* Kind of a MIME type (lower case, parameters ignored); NULL is UNKNOWN. */
enum mugai_kind mugai_filetype_kind_of_type(const char *type);

/* Kind of an extension (lower case, no dot); NULL is UNKNOWN. */
enum mugai_kind mugai_filetype_kind_of_ext(const char *ext);

/* TRUE when a file of kind a could honestly be labelled kind b. */
gboolean mugai_filetype_compatible(enum mugai_kind a, enum mugai_kind b);

/*
 * TRUE when the declared type or the extension disagrees with the
 * detected type. Any argument may be NULL.
 */
gboolean mugai_filetype_mismatch(const char *detected, const char *declared,
    const char *ext);

/*
 * TRUE when the leading bytes are native code or a script: PE ("MZ" with a
 * "PE\0\0" header where the DOS stub points), ELF, Mach-O, or "#!".
 */
gboolean mugai_filetype_head_is_executable(const void *head, gsize len);

#endif
