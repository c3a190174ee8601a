/*
 * mugai_flag - the table of every report flag
 *
 * One row per fact a part's rp_flags may hold: its name, the module that
 * sets it and its bit there, whether it carries a value, whether [rule]
 * any_flag may name it, and one line of meaning. Nothing else spells a
 * flag's name. A table and three lookups, no state, nothing that fails.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/flag.h"

/*
 * A module's rows stand in the order of its bits, the order
 * mugai_report_part_flags() adds them in. The bits are the module's own
 * (its header), written here as numbers so this layer includes none of
 * the layers above. "macro" has two rows: an archive and a document both
 * report it.
 */
static const struct mugai_flag flags[] = {
	/* lib/policy/policy.c (MUGAI_POL_*, lib/policy/rules.h) */
	{ "archive", MUGAI_FLAG_BY_POLICY, 1u << 0, FALSE, TRUE,
	  "an archive or compressed stream: its entries were looked at" },
	{ "dangerous_name", MUGAI_FLAG_BY_POLICY, 1u << 1, FALSE, TRUE,
	  "the file name deceives (any name flag but executable_extension)" },
	{ "executable", MUGAI_FLAG_BY_POLICY, 1u << 2, FALSE, TRUE,
	  "a program or script, by its first bytes, detected or declared "
	  "type, or extension" },
	{ "mismatch", MUGAI_FLAG_BY_POLICY, 1u << 3, FALSE, TRUE,
	  "the detected type disagrees with the declared type or extension" },
	{ "charset", MUGAI_FLAG_BY_POLICY, 1u << 4, TRUE, FALSE,
	  "the charset libmagic found in the content" },
	{ "entries", MUGAI_FLAG_BY_POLICY, 1u << 5, TRUE, FALSE,
	  "entries seen in the archive, over all levels" },
	{ "limit", MUGAI_FLAG_BY_POLICY, 1u << 6, TRUE, FALSE,
	  "the bound that stopped the archive walk (a config key)" },
	{ "entry", MUGAI_FLAG_BY_POLICY, 1u << 7, TRUE, FALSE,
	  "an entry's path in the archive, the first archive_list_max" },
	/* lib/policy/filename.c (MUGAI_FN_*, lib/policy/filename.h) */
	{ "double_extension", MUGAI_FLAG_BY_FILENAME, 1u << 0, FALSE, TRUE,
	  "a second extension hides the real one (report.pdf.exe)" },
	{ "bidi_control", MUGAI_FLAG_BY_FILENAME, 1u << 1, FALSE, TRUE,
	  "bidi controls in the name reorder what the reader sees (U+202E)" },
	{ "control_char", MUGAI_FLAG_BY_FILENAME, 1u << 2, FALSE, TRUE,
	  "C0 or C1 control characters or DEL in the name" },
	{ "bad_utf8_name", MUGAI_FLAG_BY_FILENAME, 1u << 3, FALSE, TRUE,
	  "the name is not valid UTF-8" },
	{ "long_name", MUGAI_FLAG_BY_FILENAME, 1u << 4, FALSE, TRUE,
	  "the name is longer than max_filename_length characters" },
	{ "trailing_dot_space", MUGAI_FLAG_BY_FILENAME, 1u << 5, FALSE, TRUE,
	  "the name ends in a dot or space, which Windows strips" },
	{ "executable_extension", MUGAI_FLAG_BY_FILENAME, 1u << 6, FALSE,
	  TRUE, "the final extension names code Windows or a shell runs" },
	/* lib/policy/arcscan.c (MUGAI_ARC_*, lib/policy/arcscan.h) */
	{ "encrypted", MUGAI_FLAG_BY_ARCSCAN, 1u << 0, FALSE, TRUE,
	  "the archive has encrypted entries (password zip, \"PPAP\")" },
	{ "archive_executable", MUGAI_FLAG_BY_ARCSCAN, 1u << 1, FALSE, TRUE,
	  "an entry is a program or script, by name or first bytes" },
	{ "nested_archive", MUGAI_FLAG_BY_ARCSCAN, 1u << 2, FALSE, TRUE,
	  "an archive inside the archive" },
	{ "macro", MUGAI_FLAG_BY_ARCSCAN, 1u << 3, FALSE, TRUE,
	  "an OOXML document with macros: vbaProject.bin inside" },
	{ "archive_too_deep", MUGAI_FLAG_BY_ARCSCAN, 1u << 4, FALSE, TRUE,
	  "archives nested past archive_max_depth" },
	{ "archive_limit", MUGAI_FLAG_BY_ARCSCAN, 1u << 5, FALSE, TRUE,
	  "expanded bytes, entries, ratio or time past its bound" },
	{ "archive_broken", MUGAI_FLAG_BY_ARCSCAN, 1u << 6, FALSE, TRUE,
	  "libarchive failed on the archive" },
	/* lib/policy/docscan.c (MUGAI_DOC_*, lib/policy/docscan.h) */
	{ "macro", MUGAI_FLAG_BY_DOCSCAN, 1u << 0, FALSE, TRUE,
	  "an OLE2 document (doc, xls, ppt) with VBA macros" },
	{ "pdf_javascript", MUGAI_FLAG_BY_DOCSCAN, 1u << 1, FALSE, TRUE,
	  "a PDF with /JavaScript or /JS" },
	{ "pdf_launch", MUGAI_FLAG_BY_DOCSCAN, 1u << 2, FALSE, TRUE,
	  "a PDF with /Launch" },
	{ "pdf_embedded_file", MUGAI_FLAG_BY_DOCSCAN, 1u << 3, FALSE, TRUE,
	  "a PDF with /EmbeddedFile(s) or /RichMedia" },
	{ "pdf_open_action", MUGAI_FLAG_BY_DOCSCAN, 1u << 4, FALSE, TRUE,
	  "a PDF with /OpenAction or /AA" },
	{ "script", MUGAI_FLAG_BY_DOCSCAN, 1u << 5, FALSE, TRUE,
	  "markup (HTML, XML, SVG) with \"<script\" or \"javascript:\"" },
	{ "scan_truncated", MUGAI_FLAG_BY_DOCSCAN, 1u << 6, FALSE, TRUE,
	  "the document was scanned only up to scan_max_bytes" },
	/* lib/mime/walk.c (MUGAI_WALK_FLAG_*, lib/mime/walk.h) */
	{ "neutralized", MUGAI_FLAG_BY_WALK, 1u << 0, FALSE, FALSE,
	  "kept text in which lib/text/textsafe.c defused or removed "
	  "characters (rules see only removed parts)" },
	{ NULL, 0, 0, FALSE, FALSE, NULL },
};

const struct mugai_flag *
mugai_flag_table(void)
{
	return flags;
}

const char *
mugai_flag_name(enum mugai_flag_by by, guint bit)
{
	for (const struct mugai_flag *f = flags; f->fl_name != NULL; f++)
		if (f->fl_by == by && f->fl_bit == bit)
			return f->fl_name;
	return "unknown";
}

const struct mugai_flag *
mugai_flag_find(const char *name)
{
	for (const struct mugai_flag *f = flags; f->fl_name != NULL; f++)
		if (strcmp(f->fl_name, name) == 0)
			return f;
	return NULL;
}
