/*
 * mugai_arcscan - what an archive holds, without trusting it
 *
 * libarchive reads zip, 7z, rar, tar, cpio, cab, lha/lzh, iso9660, and
 * gzip, bzip2, xz, lzma, zstd streams around them, pulled through a
 * callback so the caller can hash the same bytes as they pass (one pass).
 * For each entry: its name (the first al_max_list are kept), encryption
 * (the "PPAP" password zip), executables and scripts by name and by their
 * first bytes, vbaProject.bin (an OOXML document with macros), and archives
 * inside archives, opened in turn up to al_max_depth levels. Zip and 7z
 * keep their directory at the end (and for zip it is what Windows shows,
 * whatever the local headers say), so those levels are read into memory
 * first, at most al_max_bytes each, and the zip central directory's names
 * and encryption bits are judged too. Other formats stream.
 *
 * The work is bounded: at most al_max_entries entries and al_max_bytes
 * expanded bytes (counting entries' declared sizes when their data is
 * skipped) over all levels, and the ratio of expanded bytes to compressed
 * bytes pulled stays under al_max_ratio once past 1 MiB. Hitting a bound
 * stops the walk at once with MUGAI_ARC_LIMIT set: a zip bomb costs a few
 * milliseconds. So does al_deadline (af_limit "max_time"), checked per
 * entry and per block expanded. A damaged archive sets MUGAI_ARC_BROKEN;
 * both are findings, never errors. Only a failing pull is an error.
 */
#ifndef MUGAI_ARCSCAN_H
#define MUGAI_ARCSCAN_H

#include <glib.h>

#include "base/err.h"

/*
 * Sets *buf (transfer none, valid until the next call) to the next bytes of
 * the archive and returns their count, 0 at the end, or -1 on I/O error.
 */
typedef gssize (*mugai_pull_fn)(void *ctx, const void **buf);

/*
 * Returns (transfer none, static) the type hint of an entry whose bytes
 * are wanted (a document whose text goes into the body), or NULL.
 */
typedef const char *(*mugai_arcscan_doc_fn)(const char *name, void *ctx);

struct mugai_arcscan_limits {
	guint64 al_max_depth;	/* archive levels opened, the part is 1 */
	guint64 al_max_entries;	/* entries over all levels */
	guint64 al_max_bytes;	/* expanded bytes over all levels */
	guint64 al_max_ratio;	/* expanded : compressed */
	guint al_max_list;	/* entry names kept in af_names */
	gint64 al_deadline;	/* lib/base/deadline.h: stop past it; 0: none */
	/* Documents kept whole (at most al_doc_max bytes each) into
	 * af_docs as they are read; NULL: none. */
	mugai_arcscan_doc_fn al_doc;
	void *al_doc_ctx;
	gsize al_doc_max;
};

/* A document entry kept for its text (al_doc). */
struct mugai_arcscan_doc {
	char *ad_path;		/* "dir/file.pdf", "inner.zip/x.docx" */
	const char *ad_hint;	/* al_doc's answer (static) */
	GByteArray *ad_data;	/* its first al_doc_max bytes */
	gboolean ad_cut;	/* it was longer, or not read to its end */
};

/* Named in the flag table (lib/base/flag.c), in this order. */
enum mugai_arc_flag {
	MUGAI_ARC_ENCRYPTED	= 1 << 0,
	MUGAI_ARC_EXECUTABLE	= 1 << 1,	/* an entry is code or script */
	MUGAI_ARC_NESTED	= 1 << 2,	/* an archive inside */
	MUGAI_ARC_MACRO		= 1 << 3,	/* vbaProject.bin inside */
	MUGAI_ARC_TOO_DEEP	= 1 << 4,	/* nested past al_max_depth */
	MUGAI_ARC_LIMIT		= 1 << 5,	/* bytes, entries or ratio */
	MUGAI_ARC_BROKEN	= 1 << 6,	/* libarchive failed on it */
};

struct mugai_arcscan_facts {
	guint af_bits;		/* MUGAI_ARC_* */
	guint64 af_entries;	/* entries seen, all levels */
	guint64 af_expanded;	/* bytes expanded or declared, all levels */
	char *af_format;	/* libarchive's name of the outer format */
	char *af_limit;		/* which bound stopped the walk, or NULL */
	GPtrArray *af_names;	/* (char *) "outer/inner.zip/x.exe" */
	GPtrArray *af_docs;	/* (struct mugai_arcscan_doc *), al_doc */
};

/* Frees one struct mugai_arcscan_doc. */
void mugai_arcscan_doc_free(gpointer doc);

/* TRUE when head starts like an archive or compressed stream. */
gboolean mugai_arcscan_sniff(const void *head, gsize len);

/*
 * Walks the archive pulled from pull(ctx) and fills facts (initialise it
 * with mugai_arcscan_facts_init, release with mugai_arcscan_facts_clear).
 * Stops pulling where it stops reading: the caller drains the rest.
 * Returns MUGAI_OK, or MUGAI_E_IO when pull failed.
 */
enum mugai_err mugai_arcscan_inspect(mugai_pull_fn pull, void *ctx,
    const struct mugai_arcscan_limits *lim,
    struct mugai_arcscan_facts *facts);

void mugai_arcscan_facts_init(struct mugai_arcscan_facts *facts);
void mugai_arcscan_facts_clear(struct mugai_arcscan_facts *facts);

/* Returns (transfer none) the rp_flags name of one bit (the flag table's). */
const char *mugai_arcscan_flag_name(enum mugai_arc_flag flag);

#endif
