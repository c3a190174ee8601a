/*
 * mugai_arcscan - bounded archive walk on libarchive
 *
 * Each level is one libarchive reader. The outer one pulls from the
 * caller; a nested one pulls the entry's data from its parent reader, so
 * nothing is ever held whole in memory and every expanded byte passes
 * account(), which enforces the budget.
 */
#include "autoconfig.h"

#include <errno.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/limits.h"
#include "policy/arcscan.h"
#include "base/deadline.h"
#include "base/flag.h"
#include "policy/filename.h"
#include "policy/filetype.h"

#define HEAD_SIZE 4096
#define LEVEL_BUF MUGAI_IO_CHUNK
#define RATIO_FLOOR (G_GUINT64_CONSTANT(1) << 20)

struct walk {
	const struct mugai_arcscan_limits *w_lim;
	struct mugai_arcscan_facts *w_f;
	guint64 w_consumed;	/* compressed bytes pulled from the caller */
	gboolean w_stop;	/* a bound was hit: unwind */
	gboolean w_io_error;	/* the caller's pull failed */
};

struct level {
	struct walk *lv_w;
	mugai_pull_fn lv_pull;	/* outer level */
	void *lv_ctx;
	struct archive *lv_parent;	/* nested level */
	const unsigned char *lv_head;	/* served first */
	gsize lv_head_len;
	gboolean lv_head_done;
	struct mugai_arcscan_doc *lv_doc;	/* the entry is a document:
						 * its bytes kept as read */
	gboolean lv_in_doc;	/* inside a document: keep no entries */
	unsigned char lv_buf[LEVEL_BUF];
};

const char *
mugai_arcscan_flag_name(enum mugai_arc_flag flag)
{
	return mugai_flag_name(MUGAI_FLAG_BY_ARCSCAN, flag);
}

gboolean
mugai_arcscan_sniff(const void *head, gsize len)
{
	static const struct { gsize off; const char *sig; gsize n; } sigs[] = {
		{ 0, "PK\003\004", 4 }, { 0, "PK\005\006", 4 },
		{ 0, "PK\007\010", 4 }, { 0, "7z\274\257\047\034", 6 },
		{ 0, "Rar!\032\007", 6 }, { 0, "\037\213", 2 },
		{ 0, "BZh", 3 }, { 0, "\3757zXZ\0", 6 }, { 0, "MSCF", 4 },
		{ 0, "\135\0\0", 3 }, { 0, "\050\265\057\375", 4 },
		{ 257, "ustar", 5 }, { 0, "070707", 6 }, { 0, "070701", 6 },
		{ 0, "!<arch>\n", 8 }, { 32769, "CD001", 5 },
	};
	const unsigned char *h = head;

	for (gsize i = 0; i < G_N_ELEMENTS(sigs); i++)
		if (len >= sigs[i].off + sigs[i].n &&
		    memcmp(h + sigs[i].off, sigs[i].sig, sigs[i].n) == 0)
			return TRUE;
	/* LHA: "-lh?-" or "-lz?-" at offset 2. */
	return len >= 7 && h[2] == '-' && h[3] == 'l' &&
	    (h[4] == 'h' || h[4] == 'z') && h[6] == '-';
}

void
mugai_arcscan_doc_free(gpointer doc)
{
	struct mugai_arcscan_doc *d = doc;

	g_free(d->ad_path);
	if (d->ad_data != NULL)
		g_byte_array_unref(d->ad_data);
	g_free(d);
}

void
mugai_arcscan_facts_init(struct mugai_arcscan_facts *facts)
{
	memset(facts, 0, sizeof *facts);
	facts->af_names = g_ptr_array_new_with_free_func(g_free);
	facts->af_docs = g_ptr_array_new_with_free_func(
	    mugai_arcscan_doc_free);
}

void
mugai_arcscan_facts_clear(struct mugai_arcscan_facts *facts)
{
	g_clear_pointer(&facts->af_format, g_free);
	g_clear_pointer(&facts->af_limit, g_free);
	g_clear_pointer(&facts->af_names, g_ptr_array_unref);
	g_clear_pointer(&facts->af_docs, g_ptr_array_unref);
}

/* Keeps what fits of n bytes of a document entry. */
static void
doc_keep(struct walk *w, struct mugai_arcscan_doc *d, const void *buf,
    gsize n)
{
	gsize room;

	if (d == NULL || n == 0)
		return;
	room = w->w_lim->al_doc_max - MIN(d->ad_data->len,
	    w->w_lim->al_doc_max);
	if (n > room)
		d->ad_cut = TRUE;
	if (room > 0)
		g_byte_array_append(d->ad_data, buf, (guint)MIN(n, room));
}

/* Returns (transfer full) a document record for the entry at path, or
 * NULL when its bytes are not wanted. */
static struct mugai_arcscan_doc *
doc_new(struct walk *w, const char *path)
{
	const char *hint;
	struct mugai_arcscan_doc *d;

	if (w->w_lim->al_doc == NULL ||
	    (hint = w->w_lim->al_doc(path, w->w_lim->al_doc_ctx)) == NULL)
		return NULL;
	d = g_new0(struct mugai_arcscan_doc, 1);
	d->ad_path = g_utf8_make_valid(path, -1);
	d->ad_hint = hint;
	d->ad_data = g_byte_array_new();
	return d;
}

static void
hit_limit(struct walk *w, const char *what)
{
	w->w_f->af_bits |= MUGAI_ARC_LIMIT;
	if (w->w_f->af_limit == NULL)
		w->w_f->af_limit = g_strdup(what);
	w->w_stop = TRUE;
}

/* Counts n expanded bytes; FALSE (and the walk stops) past a bound. */
static gboolean
account(struct walk *w, guint64 n)
{
	const struct mugai_arcscan_limits *lim = w->w_lim;
	struct mugai_arcscan_facts *f = w->w_f;

	if (mugai_deadline_passed(lim->al_deadline)) {
		hit_limit(w, "max_time");
		return FALSE;
	}
	if (n > lim->al_max_bytes - MIN(f->af_expanded, lim->al_max_bytes)) {
		f->af_expanded = lim->al_max_bytes;
		hit_limit(w, "archive_max_bytes");
		return FALSE;
	}
	f->af_expanded += n;
	if (f->af_expanded > RATIO_FLOOR &&
	    f->af_expanded / MAX(w->w_consumed, 1) > lim->al_max_ratio) {
		hit_limit(w, "archive_max_ratio");
		return FALSE;
	}
	return TRUE;
}

/* The level's next bytes: the head first, then the caller or the parent
 * entry. Returns the count, 0 at the end, -1 on error (why in *why). */
static gssize
level_read(struct level *lv, const void **buf, const char **why)
{
	la_ssize_t n;

	*why = "read error";
	if (lv->lv_w->w_stop)
		return -1;
	if (!lv->lv_head_done) {
		lv->lv_head_done = TRUE;
		if (lv->lv_head_len > 0) {
			*buf = lv->lv_head;
			return (gssize)lv->lv_head_len;
		}
	}
	if (lv->lv_parent == NULL) {
		gssize got = lv->lv_pull != NULL ?
		    lv->lv_pull(lv->lv_ctx, buf) : -1;

		if (got < 0) {
			lv->lv_w->w_io_error = TRUE;
			lv->lv_w->w_stop = TRUE;
			return -1;
		}
		lv->lv_w->w_consumed += (guint64)got;
		return got;
	}
	n = archive_read_data(lv->lv_parent, lv->lv_buf, sizeof lv->lv_buf);
	if (n < 0) {
		*why = "nested read error";
		return -1;
	}
	if (!account(lv->lv_w, (guint64)n)) {
		*why = "expansion limit";
		return -1;
	}
	/* A document read as an archive (docx is a zip): its bytes. */
	doc_keep(lv->lv_w, lv->lv_doc, lv->lv_buf, (gsize)n);
	*buf = lv->lv_buf;
	return n;
}

static la_ssize_t
read_cb(struct archive *a, void *ctx, const void **buf)
{
	const char *why = NULL;
	gssize n = level_read(ctx, buf, &why);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", why);
		return ARCHIVE_FATAL;
	}
	return n;
}

/*
 * 7z keeps its directory at the end and libarchive reads it only from
 * seekable input. A zip has one too, and it is what Windows and mail
 * clients show: a streaming read sees only the local headers, which may
 * name and flag entries differently. Such a level is read into memory
 * first, never more than al_max_bytes of it. Returns NULL (and the walk
 * stops) past that.
 */
static GByteArray *
level_slurp(struct walk *w, struct level *lv)
{
	GByteArray *all = g_byte_array_new();
	const char *why = NULL;
	const void *buf;
	gssize n;

	while ((n = level_read(lv, &buf, &why)) > 0) {
		if ((guint64)all->len + (guint64)n > w->w_lim->al_max_bytes) {
			hit_limit(w, "archive_max_bytes");
			break;
		}
		g_byte_array_append(all, buf, (guint)n);
	}
	if (n != 0) {
		g_byte_array_unref(all);
		return NULL;
	}
	return all;
}

static void judge_name(struct walk *w, const char *name);

static guint
le16(const unsigned char *p)
{
	return p[0] | (guint)p[1] << 8;
}

static guint32
le32(const unsigned char *p)
{
	return le16(p) | (guint32)le16(p + 2) << 16;
}

/*
 * Judges the names and encryption bits of a zip's central directory, which
 * is what Windows and unzip tools show; libarchive reports the local
 * headers, and an archive may make the two disagree. The directory is
 * found from the end record, also when data was prepended (self-extractor).
 */
static void
zip_central(struct walk *w, const unsigned char *b, gsize len)
{
	gsize eocd = 0, start, end, p;
	gboolean found = FALSE;

	if (len < 22)
		return;
	for (gsize i = len - 22 + 1; i-- > 0 && len - i <= 22 + 65535;)
		if (memcmp(b + i, "PK\005\006", 4) == 0) {
			eocd = i;
			found = TRUE;
			break;
		}
	if (!found || le32(b + eocd + 12) > eocd)
		return;
	end = eocd;
	start = eocd - le32(b + eocd + 12);
	for (p = start; p + 46 <= end &&
	    memcmp(b + p, "PK\001\002", 4) == 0;) {
		gsize nlen = le16(b + p + 28);
		gsize next = p + 46 + nlen + le16(b + p + 30) +
		    le16(b + p + 32);
		g_autofree char *name = NULL;

		if (p + 46 + nlen > end)
			break;
		if (le16(b + p + 8) & 1)
			w->w_f->af_bits |= MUGAI_ARC_ENCRYPTED;
		name = g_strndup((const char *)b + p + 46, nlen);
		judge_name(w, name);
		p = next;
	}
}

static gboolean
needs_seek(const void *head, gsize len)
{
	return (len >= 6 && memcmp(head, "7z\274\257\047\034", 6) == 0) ||
	    (len >= 4 && (memcmp(head, "PK\003\004", 4) == 0 ||
	    memcmp(head, "PK\005\006", 4) == 0));
}

static void walk_level(struct walk *w, struct level *lv, guint64 depth,
    const char *prefix);

/* Facts an entry's name alone gives. */
static void
judge_name(struct walk *w, const char *name)
{
	const char *base = strrchr(name, '/');
	g_autofree char *ext = mugai_filename_extension(name);

	base = base != NULL ? base + 1 : name;
	if (g_ascii_strcasecmp(base, "vbaProject.bin") == 0)
		w->w_f->af_bits |= MUGAI_ARC_MACRO;
	if (mugai_filename_ext_is_executable(ext))
		w->w_f->af_bits |= MUGAI_ARC_EXECUTABLE;
}

static void
note_name(struct walk *w, const char *prefix, const char *name)
{
	GPtrArray *names = w->w_f->af_names;
	g_autofree char *valid = NULL;

	judge_name(w, name);
	if (names->len >= w->w_lim->al_max_list)
		return;
	valid = g_utf8_make_valid(name, -1);
	g_ptr_array_add(names, prefix[0] != '\0' ?
	    g_strconcat(prefix, "/", valid, NULL) : g_strdup(valid));
}

/* Reads up to HEAD_SIZE bytes of the entry's data; -1 on a read error. */
static gssize
read_head(struct walk *w, struct archive *a, unsigned char *head)
{
	gsize got = 0;

	while (got < HEAD_SIZE) {
		la_ssize_t n = archive_read_data(a, head + got,
		    HEAD_SIZE - got);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (!account(w, (guint64)n))
			return (gssize)got;
		got += (gsize)n;
	}
	return (gssize)got;
}

/* Consumes the rest of the entry, counting it against the budget; a
 * document's bytes are read (not skipped) into doc. */
static gboolean
finish_entry(struct walk *w, struct archive *a, struct archive_entry *e,
    guint64 done, struct mugai_arcscan_doc *doc)
{
	unsigned char *buf;
	la_ssize_t n;

	if (doc == NULL && archive_entry_size_is_set(e)) {
		gint64 size = archive_entry_size(e);

		/* Declared sizes count before the data is skipped: a bomb
		 * that says what it is costs nothing to refuse. */
		if (size > 0 && (guint64)size > done &&
		    !account(w, (guint64)size - done))
			return FALSE;
		if (archive_read_data_skip(a) != ARCHIVE_OK)
			return FALSE;
		/* The compressed bytes skipped are now pulled: check the
		 * ratio against them. */
		return account(w, 0);
	}
	buf = g_malloc(LEVEL_BUF);
	while ((n = archive_read_data(a, buf, LEVEL_BUF)) > 0) {
		if (!account(w, (guint64)n))
			break;
		doc_keep(w, doc, buf, (gsize)n);
	}
	g_free(buf);
	return n == 0;
}

/* The entry was a document: keep it (whole, or marked cut). */
static void
doc_done(struct walk *w, struct mugai_arcscan_doc *doc, gboolean whole)
{
	if (doc == NULL)
		return;
	if (!whole)
		doc->ad_cut = TRUE;
	g_ptr_array_add(w->w_f->af_docs, doc);
}

/* One entry at depth; returns FALSE when the walk must stop. in_doc:
 * the level is inside a document (its parts are not documents). */
static gboolean
walk_entry(struct walk *w, struct archive *a, struct archive_entry *e,
    guint64 depth, const char *prefix, gboolean in_doc)
{
	const struct mugai_arcscan_limits *lim = w->w_lim;
	const char *name = archive_entry_pathname_utf8(e);
	unsigned char head[HEAD_SIZE];
	struct mugai_arcscan_doc *doc = NULL;
	gboolean nested_read = FALSE;
	gssize hl;

	if (name == NULL)
		name = archive_entry_pathname(e);
	if (name == NULL)
		name = "?";
	note_name(w, prefix, name);
	if (archive_entry_is_encrypted(e)) {
		w->w_f->af_bits |= MUGAI_ARC_ENCRYPTED;
		return archive_read_data_skip(a) == ARCHIVE_OK;
	}
	if (archive_entry_filetype(e) != AE_IFREG)
		return TRUE;
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
	    (guint64)archive_entry_size(e) > lim->al_max_bytes) {
		hit_limit(w, "archive_max_bytes");
		return FALSE;
	}
	if ((hl = read_head(w, a, head)) < 0) {
		if (archive_read_has_encrypted_entries(a) > 0)
			w->w_f->af_bits |= MUGAI_ARC_ENCRYPTED;
		else
			w->w_f->af_bits |= MUGAI_ARC_BROKEN;
		return FALSE;
	}
	if (w->w_stop)
		return FALSE;
	if (!in_doc) {
		g_autofree char *path = prefix[0] != '\0' ?
		    g_strconcat(prefix, "/", name, NULL) : g_strdup(name);

		doc = doc_new(w, path);
	}
	if (mugai_filetype_head_is_executable(head, (gsize)hl))
		w->w_f->af_bits |= MUGAI_ARC_EXECUTABLE;
	if (mugai_arcscan_sniff(head, (gsize)hl)) {
		w->w_f->af_bits |= MUGAI_ARC_NESTED;
		if (depth + 1 > lim->al_max_depth) {
			w->w_f->af_bits |= MUGAI_ARC_TOO_DEEP;
		} else {
			struct level *child = g_new0(struct level, 1);
			g_autofree char *sub = prefix[0] != '\0' ?
			    g_strconcat(prefix, "/", name, NULL) :
			    g_strdup(name);

			child->lv_w = w;
			child->lv_parent = a;
			child->lv_head = head;
			child->lv_head_len = (gsize)hl;
			child->lv_doc = doc;
			child->lv_in_doc = in_doc || doc != NULL;
			doc_keep(w, doc, head, (gsize)hl);
			walk_level(w, child, depth + 1, sub);
			g_free(child);
			nested_read = TRUE;
			if (w->w_stop) {
				if (doc != NULL)
					mugai_arcscan_doc_free(doc);
				return FALSE;
			}
		}
	}
	if (!nested_read)
		doc_keep(w, doc, head, (gsize)hl);
	if (!finish_entry(w, a, e, (guint64)hl, nested_read ? NULL : doc)) {
		if (!w->w_stop)
			w->w_f->af_bits |= MUGAI_ARC_BROKEN;
		if (doc != NULL)
			mugai_arcscan_doc_free(doc);
		return FALSE;
	}
	/* A nested level read its document to the end or stopped early:
	 * what finish_entry() skipped after it is not in doc. */
	doc_done(w, doc, TRUE);
	return TRUE;
}

static void
walk_level(struct walk *w, struct level *lv, guint64 depth,
    const char *prefix)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	GByteArray *whole = NULL;
	int r;

	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	/* A bare compressed file (x.txt.gz) is one entry in "raw". */
	archive_read_support_format_raw(a);
	if (lv->lv_parent == NULL) {
		/* Peek at the first bytes; read_cb serves them again. */
		const char *why = NULL;
		const void *first = NULL;
		gssize n = level_read(lv, &first, &why);

		if (n < 0)
			goto out;
		lv->lv_head = first;
		lv->lv_head_len = (gsize)n;
		lv->lv_head_done = FALSE;
	}
	if (needs_seek(lv->lv_head, lv->lv_head_len)) {
		if ((whole = level_slurp(w, lv)) == NULL)
			goto out;
		zip_central(w, whole->data, whole->len);
		r = archive_read_open_memory(a, whole->data, whole->len);
	} else
		r = archive_read_open2(a, lv, NULL, read_cb, NULL, NULL);
	if (r != ARCHIVE_OK) {
		if (!w->w_stop)
			w->w_f->af_bits |= MUGAI_ARC_BROKEN;
		goto out;
	}
	while (!w->w_stop) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			if (archive_read_has_encrypted_entries(a) > 0)
				w->w_f->af_bits |= MUGAI_ARC_ENCRYPTED;
			else if (!w->w_stop)
				w->w_f->af_bits |= MUGAI_ARC_BROKEN;
			break;
		}
		if (depth == 1 && w->w_f->af_format == NULL &&
		    archive_format_name(a) != NULL)
			w->w_f->af_format = g_strdup(archive_format_name(a));
		if (++w->w_f->af_entries > w->w_lim->al_max_entries) {
			hit_limit(w, "archive_max_entries");
			break;
		}
		if (mugai_deadline_passed(w->w_lim->al_deadline)) {
			hit_limit(w, "max_time");
			break;
		}
		if (!walk_entry(w, a, e, depth, prefix, lv->lv_in_doc))
			break;
	}
	if (archive_read_has_encrypted_entries(a) > 0)
		w->w_f->af_bits |= MUGAI_ARC_ENCRYPTED;
out:
	archive_read_free(a);
	if (whole != NULL)
		g_byte_array_unref(whole);
}

enum mugai_err
mugai_arcscan_inspect(mugai_pull_fn pull, void *ctx,
    const struct mugai_arcscan_limits *lim,
    struct mugai_arcscan_facts *facts)
{
	struct walk w = { .w_lim = lim, .w_f = facts };
	struct level *lv = g_new0(struct level, 1);

	lv->lv_w = &w;
	lv->lv_pull = pull;
	lv->lv_ctx = ctx;
	walk_level(&w, lv, 1, "");
	g_free(lv);
	return w.w_io_error ? MUGAI_E_IO : MUGAI_OK;
}
