/*
 * mugai_policy - one pass over a removed part: facts, then a rule
 *
 * A source reads the decoded stream in chunks; every chunk is hashed,
 * counted and given to the document scanner as it passes. The first
 * sniff_size bytes are read first (libmagic and the scanners decide on
 * them); an archive walk then pulls the rest through the same source, and
 * whatever it did not need is drained at the end so the size and hash
 * always cover the whole part.
 *
 * A feed (mugai_policy_feed_*) takes the same bytes pushed as they are
 * decoded, for the streaming engine: hash, size, head and document scan
 * as they pass, nothing stored. Only an archive (known from its head) is
 * kept, in memory and then an unlinked temp file, because libarchive
 * pulls; at the end it goes through mugai_policy_examine() like a stream.
 */
#include "autoconfig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "base/limits.h"
#include "policy/arcscan.h"
#include "base/deadline.h"
#include "base/digest.h"
#include "base/io.h"
#include "policy/docscan.h"
#include "policy/filename.h"
#include "policy/filetype.h"
#include "policy/sniff.h"
#include "policy/policy.h"
#include "base/report.h"
#include "policy/rules.h"

#define CHUNK MUGAI_IO_CHUNK

struct source {
	GMimeStream *sr_stream;
	struct mugai_digest *sr_digest;
	struct mugai_docscan *sr_doc;
	guint64 sr_size;
	unsigned char *sr_head;
	gsize sr_head_len;
	gboolean sr_head_served;
	gboolean sr_failed;
	gint64 sr_deadline;	/* lib/base/deadline.h, 0: none */
	gboolean sr_late;	/* the deadline passed: reading stopped */
	unsigned char sr_buf[CHUNK];
};

static const enum mugai_action default_actions[] = {
	MUGAI_ACT_DROP, MUGAI_ACT_QUARANTINE, MUGAI_ACT_REJECT,
	MUGAI_ACT_TEMPFAIL
};

enum mugai_action
mugai_policy_default_action(const struct mugai_config *cf)
{
	if (cf->cf_default_action < 0 ||
	    cf->cf_default_action >= (gint)G_N_ELEMENTS(default_actions))
		return MUGAI_ACT_QUARANTINE;
	return default_actions[cf->cf_default_action];
}

/* Reads once from the stream into buf; every byte read is accounted. */
static gssize
source_read(struct source *sr, unsigned char *buf, gsize len)
{
	gssize n;

	/* GMime's bounded streams answer -1, not 0, when read past the end. */
	if (g_mime_stream_eos(sr->sr_stream) || sr->sr_late)
		return 0;
	if (mugai_deadline_passed(sr->sr_deadline)) {
		sr->sr_late = TRUE;
		return 0;
	}
	n = g_mime_stream_read(sr->sr_stream, (char *)buf, len);
	if (n < 0) {
		sr->sr_failed = TRUE;
		return -1;
	}
	mugai_digest_update(sr->sr_digest, buf, (gsize)n);
	sr->sr_size += (guint64)n;
	if (sr->sr_doc != NULL)
		mugai_docscan_feed(sr->sr_doc, buf, (gsize)n);
	return n;
}

/* mugai_pull_fn: the head first (already accounted), then the stream. */
static gssize
source_pull(void *ctx, const void **buf)
{
	struct source *sr = ctx;

	if (!sr->sr_head_served) {
		sr->sr_head_served = TRUE;
		if (sr->sr_head_len > 0) {
			*buf = sr->sr_head;
			return (gssize)sr->sr_head_len;
		}
	}
	*buf = sr->sr_buf;
	return source_read(sr, sr->sr_buf, sizeof sr->sr_buf);
}

/* Fills the head with up to max bytes; FALSE on a read error. */
static gboolean
source_head(struct source *sr, gsize max)
{
	sr->sr_head = g_malloc(max);
	while (sr->sr_head_len < max) {
		gssize n = source_read(sr, sr->sr_head + sr->sr_head_len,
		    max - sr->sr_head_len);

		if (n < 0)
			return FALSE;
		if (n == 0)
			break;
		sr->sr_head_len += (gsize)n;
	}
	return TRUE;
}

static void
archive_facts(const struct mugai_config *cf, struct source *sr,
    struct mugai_report_part *part, struct mugai_policy_docs *docs)
{
	struct mugai_arcscan_limits lim = {
		.al_max_depth = (guint64)cf->cf_archive_max_depth,
		.al_max_entries = (guint64)cf->cf_archive_max_entries,
		.al_max_bytes = (guint64)cf->cf_archive_max_bytes,
		.al_max_ratio = (guint64)cf->cf_archive_max_ratio,
		.al_max_list = (guint)cf->cf_archive_list_max,
		.al_deadline = sr->sr_deadline,
	};
	struct mugai_arcscan_facts f;
	g_autofree char *entries = NULL;

	if (docs != NULL) {
		lim.al_doc = docs->pd_hint;
		lim.al_doc_ctx = docs->pd_ctx;
		lim.al_doc_max = docs->pd_max;
	}
	mugai_arcscan_facts_init(&f);
	mugai_report_part_flags(part, MUGAI_FLAG_BY_POLICY, MUGAI_POL_ARCHIVE);
	/* An I/O failure shows as sr_failed; the facts so far still count. */
	(void)mugai_arcscan_inspect(source_pull, sr, &lim, &f);
	mugai_report_part_flags(part, MUGAI_FLAG_BY_ARCSCAN, f.af_bits);
	entries = g_strdup_printf("%" G_GUINT64_FORMAT, f.af_entries);
	mugai_report_part_flag_value(part, MUGAI_FLAG_BY_POLICY,
	    MUGAI_POL_ENTRIES, entries);
	if (f.af_limit != NULL)
		mugai_report_part_flag_value(part, MUGAI_FLAG_BY_POLICY,
		    MUGAI_POL_LIMIT, f.af_limit);
	for (guint i = 0; i < f.af_names->len; i++)
		mugai_report_part_flag_value(part, MUGAI_FLAG_BY_POLICY,
		    MUGAI_POL_ENTRY, g_ptr_array_index(f.af_names, i));
	for (guint i = 0; docs != NULL && i < f.af_docs->len; i++)
		g_ptr_array_add(docs->pd_found,
		    g_ptr_array_steal_index(f.af_docs, i--));
	mugai_arcscan_facts_clear(&f);
}

/* Facts from the name and the types; sets *ext (transfer full). */
static void
name_facts(const struct mugai_config *cf, const struct source *sr,
    struct mugai_report_part *part, char **ext)
{
	guint fn;
	gboolean head_exec = mugai_filetype_head_is_executable(sr->sr_head,
	    sr->sr_head_len);
	const char *detected = part->rp_detected_type;

	*ext = mugai_filename_extension(part->rp_filename);
	fn = mugai_filename_check(part->rp_filename,
	    (gsize)cf->cf_max_filename_length);
	mugai_report_part_flags(part, MUGAI_FLAG_BY_FILENAME, fn);
	if (fn & MUGAI_FN_DANGEROUS)
		mugai_report_part_flags(part, MUGAI_FLAG_BY_POLICY,
		    MUGAI_POL_DANGEROUS);
	if (head_exec && mugai_filetype_kind_of_type(detected) !=
	    MUGAI_KIND_EXEC)
		detected = "application/x-executable";
	if (head_exec || (fn & MUGAI_FN_EXEC_EXT) ||
	    mugai_filetype_kind_of_type(detected) == MUGAI_KIND_EXEC ||
	    mugai_filetype_kind_of_type(part->rp_declared_type) ==
	    MUGAI_KIND_EXEC)
		mugai_report_part_flags(part, MUGAI_FLAG_BY_POLICY,
		    MUGAI_POL_EXECUTABLE);
	if (mugai_filetype_mismatch(detected, part->rp_declared_type, *ext))
		mugai_report_part_flags(part, MUGAI_FLAG_BY_POLICY,
		    MUGAI_POL_MISMATCH);
}

static void
decide(const struct mugai_config *cf, const struct mugai_envelope *env,
    const char *ext, struct mugai_report_part *part)
{
	struct mugai_rule_facts rf = {
		.rf_detected = part->rp_detected_type,
		.rf_declared = part->rp_declared_type,
		.rf_ext = ext,
		.rf_size = part->rp_size,
		.rf_flags = part->rp_flags,
		.rf_env = env,
	};
	const struct mugai_rule *r = mugai_rules_match(cf->cf_rules, &rf);

	g_clear_pointer(&part->rp_rule, g_free);
	g_clear_pointer(&part->rp_reason, g_free);
	if (r != NULL) {
		part->rp_action = mugai_rule_action(r);
		part->rp_rule = g_strdup(mugai_rule_name(r));
		part->rp_reason = g_strdup_printf("matched rule %s",
		    mugai_rule_name(r));
	} else {
		part->rp_action = mugai_policy_default_action(cf);
		part->rp_reason = g_strdup("no rule matched: default_action");
	}
}

/* The detected type (transfer full) and its charset flag into part. */
static void
apply_sniff(struct mugai_report_part *part, char *detected, char *enc)
{
	g_free(part->rp_detected_type);
	part->rp_detected_type = detected;
	if (enc != NULL) {
		mugai_report_part_flag_value(part, MUGAI_FLAG_BY_POLICY,
		    MUGAI_POL_CHARSET, enc);
		g_free(enc);
	}
}

/*
 * The facts every byte has passed for (sr_doc ended and cleared here, the
 * digest finished and cleared), then the name facts and the rule.
 */
static void
conclude(const struct mugai_config *cf, const struct mugai_envelope *env,
    struct source *sr, struct mugai_report_part *part)
{
	g_autofree char *ext = NULL;
	guint bits = mugai_docscan_finish(sr->sr_doc);

	sr->sr_doc = NULL;
	mugai_report_part_flags(part, MUGAI_FLAG_BY_DOCSCAN, bits);
	part->rp_size = sr->sr_size;
	mugai_digest_finish(sr->sr_digest, part->rp_sha256);
	sr->sr_digest = NULL;
	name_facts(cf, sr, part, &ext);
	decide(cf, env, ext, part);
}

/* A read or write failure: the part is deferred, never passed. */
static void
io_failed(const struct source *sr, struct mugai_report_part *part)
{
	part->rp_size = sr->sr_size;
	part->rp_sha256[0] = '\0';
	part->rp_action = MUGAI_ACT_TEMPFAIL;
	g_free(part->rp_reason);
	part->rp_reason = g_strdup("read error on the decoded part");
}

static void
source_clear(struct source *sr)
{
	mugai_docscan_finish(sr->sr_doc);
	sr->sr_doc = NULL;
	mugai_digest_free(sr->sr_digest);
	sr->sr_digest = NULL;
	g_clear_pointer(&sr->sr_head, g_free);
}

enum mugai_err
mugai_policy_examine(const struct mugai_config *cf,
    const struct mugai_envelope *env, GMimeStream *decoded,
    struct mugai_report_part *part)
{
	return mugai_policy_examine_until(cf, env, decoded, part, 0);
}

enum mugai_err
mugai_policy_examine_until(const struct mugai_config *cf,
    const struct mugai_envelope *env, GMimeStream *decoded,
    struct mugai_report_part *part, gint64 deadline)
{
	return mugai_policy_examine_docs(cf, env, decoded, part, deadline,
	    NULL);
}

enum mugai_err
mugai_policy_examine_docs(const struct mugai_config *cf,
    const struct mugai_envelope *env, GMimeStream *decoded,
    struct mugai_report_part *part, gint64 deadline,
    struct mugai_policy_docs *docs)
{
	struct source *sr = g_new0(struct source, 1);
	char *enc = NULL, *detected;
	const void *p;
	enum mugai_err err = MUGAI_OK;

	sr->sr_stream = decoded;
	sr->sr_deadline = deadline;
	sr->sr_digest = mugai_digest_new();
	if (!source_head(sr, (gsize)cf->cf_sniff_size))
		goto io;
	detected = mugai_sniff_type(sr->sr_head, sr->sr_head_len, &enc);
	apply_sniff(part, detected, enc);
	sr->sr_doc = mugai_docscan_new(sr->sr_head, sr->sr_head_len,
	    part->rp_detected_type, (guint64)cf->cf_scan_max_bytes);
	if (sr->sr_doc != NULL)
		mugai_docscan_feed(sr->sr_doc, sr->sr_head, sr->sr_head_len);
	if (mugai_arcscan_sniff(sr->sr_head, sr->sr_head_len))
		archive_facts(cf, sr, part, docs);
	/* Whatever the walk left (or all of it) still counts. */
	sr->sr_head_served = TRUE;
	while (!sr->sr_failed && source_pull(sr, &p) > 0)
		;
	if (sr->sr_failed)
		goto io;
	if (sr->sr_late)
		goto late;
	conclude(cf, env, sr, part);
	goto out;
late:
	err = MUGAI_E_LIMIT;
	part->rp_size = sr->sr_size;
	part->rp_sha256[0] = '\0';
	part->rp_action = MUGAI_ACT_TEMPFAIL;
	g_free(part->rp_reason);
	part->rp_reason = g_strdup("time limit (max_time) reached");
	goto out;
io:
	err = MUGAI_E_IO;
	io_failed(sr, part);
out:
	source_clear(sr);
	g_free(sr);
	return err;
}

/* ---- fed as the part passes ---- */

/* An archive's bytes stay in memory up to this, then in a temp file. */
#define KEEP_MEM (256 * 1024)

struct mugai_policy_feed {
	const struct mugai_config *pf_cf;
	struct source pf_src;		/* digest, size, head, docscan */
	gsize pf_head_max;
	gboolean pf_head_done;
	char *pf_detected;		/* sniffed at head_done */
	char *pf_enc;
	/* An archive: every byte kept for libarchive's pull. */
	gboolean pf_archive;
	GByteArray *pf_keep;
	int pf_fd;
	gboolean pf_failed;
};

struct mugai_policy_feed *
mugai_policy_feed_new(const struct mugai_config *cf)
{
	struct mugai_policy_feed *pf = g_new0(struct mugai_policy_feed, 1);

	pf->pf_cf = cf;
	pf->pf_head_max = (gsize)cf->cf_sniff_size;
	pf->pf_src.sr_digest = mugai_digest_new();
	pf->pf_src.sr_head = g_malloc(MAX(pf->pf_head_max, 1));
	pf->pf_fd = -1;
	return pf;
}

/* The head is complete (or the part ended): sniff, then scan or keep. */
static void
head_done(struct mugai_policy_feed *pf)
{
	struct source *sr = &pf->pf_src;

	pf->pf_head_done = TRUE;
	if (mugai_arcscan_sniff(sr->sr_head, sr->sr_head_len)) {
		/* mugai_policy_examine() over the kept bytes does it all. */
		pf->pf_archive = TRUE;
		pf->pf_keep = g_byte_array_new();
		g_byte_array_append(pf->pf_keep, sr->sr_head,
		    (guint)sr->sr_head_len);
		return;
	}
	mugai_digest_update(sr->sr_digest, sr->sr_head, sr->sr_head_len);
	pf->pf_detected = mugai_sniff_type(sr->sr_head, sr->sr_head_len,
	    &pf->pf_enc);
	sr->sr_doc = mugai_docscan_new(sr->sr_head, sr->sr_head_len,
	    pf->pf_detected, (guint64)pf->pf_cf->cf_scan_max_bytes);
	if (sr->sr_doc != NULL)
		mugai_docscan_feed(sr->sr_doc, sr->sr_head, sr->sr_head_len);
}

/* Opens an unlinked temp file in spool_dir (else $TMPDIR). */
static int
keep_file(const struct mugai_config *cf)
{
	const char *dir = cf->cf_spool_dir;
	g_autofree char *name = NULL;
	int fd = -1;

	if (dir != NULL && g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		name = g_build_filename(dir, "mugai-part-XXXXXX", NULL);
		fd = g_mkstemp(name);
	}
	if (fd < 0) {
		g_clear_pointer(&name, g_free);
		fd = g_file_open_tmp("mugai-part-XXXXXX", &name, NULL);
	}
	if (fd >= 0)
		(void)g_unlink(name);
	return fd;
}

/* Keeps an archive's bytes: memory first, then the temp file. */
static gboolean
keep(struct mugai_policy_feed *pf, const guint8 *buf, gsize len)
{
	if (pf->pf_fd < 0 && pf->pf_keep->len + len <= KEEP_MEM) {
		g_byte_array_append(pf->pf_keep, buf, (guint)len);
		return TRUE;
	}
	if (pf->pf_fd < 0) {
		if ((pf->pf_fd = keep_file(pf->pf_cf)) < 0 ||
		    !mugai_write_all(pf->pf_fd, pf->pf_keep->data, pf->pf_keep->len))
			return FALSE;
		g_byte_array_set_size(pf->pf_keep, 0);
	}
	return mugai_write_all(pf->pf_fd, buf, len);
}

gboolean
mugai_policy_feed_add(struct mugai_policy_feed *pf, const guint8 *buf,
    gsize len)
{
	struct source *sr = &pf->pf_src;

	if (pf->pf_failed)
		return FALSE;
	if (!pf->pf_head_done) {
		gsize take = MIN(len, pf->pf_head_max - sr->sr_head_len);

		/* Hashed at head_done(): an archive is hashed by examine(). */
		memcpy(sr->sr_head + sr->sr_head_len, buf, take);
		sr->sr_head_len += take;
		sr->sr_size += take;
		buf += take;
		len -= take;
		if (sr->sr_head_len < pf->pf_head_max)
			return TRUE;
		head_done(pf);
	}
	if (len == 0)
		return TRUE;
	if (pf->pf_archive) {
		if (!keep(pf, buf, len))
			pf->pf_failed = TRUE;
		return !pf->pf_failed;
	}
	mugai_digest_update(sr->sr_digest, buf, len);
	sr->sr_size += (guint64)len;
	if (sr->sr_doc != NULL)
		mugai_docscan_feed(sr->sr_doc, buf, len);
	return TRUE;
}

/* Returns (transfer full) a stream over an archive's kept bytes. */
static GMimeStream *
kept_stream(struct mugai_policy_feed *pf)
{
	GMimeStream *s;

	if (pf->pf_fd < 0)
		return g_mime_stream_mem_new_with_byte_array(
		    g_steal_pointer(&pf->pf_keep));
	if (lseek(pf->pf_fd, 0, SEEK_SET) != 0)
		return NULL;
	s = g_mime_stream_fs_new(pf->pf_fd);
	pf->pf_fd = -1;
	return s;
}

enum mugai_err
mugai_policy_feed_finish(struct mugai_policy_feed *pf,
    const struct mugai_envelope *env, struct mugai_report_part *part,
    gint64 deadline)
{
	return mugai_policy_feed_finish_docs(pf, env, part, deadline, NULL);
}

enum mugai_err
mugai_policy_feed_finish_docs(struct mugai_policy_feed *pf,
    const struct mugai_envelope *env, struct mugai_report_part *part,
    gint64 deadline, struct mugai_policy_docs *docs)
{
	enum mugai_err err = MUGAI_OK;
	GMimeStream *s;

	if (!pf->pf_failed && !pf->pf_head_done)
		head_done(pf);
	if (pf->pf_failed) {
		err = MUGAI_E_IO;
		io_failed(&pf->pf_src, part);
	} else if (pf->pf_archive) {
		if ((s = kept_stream(pf)) == NULL) {
			err = MUGAI_E_IO;
			io_failed(&pf->pf_src, part);
		} else {
			err = mugai_policy_examine_docs(pf->pf_cf, env, s,
			    part, deadline, docs);
			g_object_unref(s);
		}
	} else {
		apply_sniff(part, g_steal_pointer(&pf->pf_detected),
		    g_steal_pointer(&pf->pf_enc));
		conclude(pf->pf_cf, env, &pf->pf_src, part);
	}
	mugai_policy_feed_free(pf);
	return err;
}

void
mugai_policy_feed_free(struct mugai_policy_feed *pf)
{
	if (pf == NULL)
		return;
	source_clear(&pf->pf_src);
	g_free(pf->pf_detected);
	g_free(pf->pf_enc);
	if (pf->pf_keep != NULL)
		g_byte_array_unref(pf->pf_keep);
	if (pf->pf_fd >= 0)
		close(pf->pf_fd);
	g_free(pf);
}

const char *
mugai_policy_warning(const struct mugai_config *cf,
    const struct mugai_report_part *part)
{
	const struct mugai_rule *r;

	if (part == NULL || part->rp_rule == NULL)
		return NULL;
	r = mugai_rules_find(cf->cf_rules, part->rp_rule);
	return r != NULL ? mugai_rule_warning(r) : NULL;
}
