/*
 * mugai_policy - one pass over a removed part: facts, then a rule
 *
 * A source reads the decoded stream in chunks; every chunk is hashed,
 * counted and given to the document scanner as it passes. The first
 * sniff_size bytes are read first (libmagic and the scanners decide on
 * them); an archive walk then pulls the rest through the same source, and
 * whatever it did not need is drained at the end so the size and hash
 * always cover the whole part.
 */
#include "autoconfig.h"

#include <string.h>

#include "arcscan.h"
#include "deadline.h"
#include "digest.h"
#include "docscan.h"
#include "filename.h"
#include "filetype.h"
#include "sniff.h"
#include "policy.h"
#include "report.h"
#include "rules.h"

#define CHUNK 65536

struct source {
	GMimeStream *sr_stream;
	struct mugai_digest *sr_digest;
	struct mugai_docscan *sr_doc;
	guint64 sr_size;
	unsigned char *sr_head;
	gsize sr_head_len;
	gboolean sr_head_served;
	gboolean sr_failed;
	gint64 sr_deadline;	/* lib/deadline.h, 0: none */
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
    struct mugai_report_part *part)
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

	mugai_arcscan_facts_init(&f);
	mugai_report_part_flag(part, MUGAI_FLAG_ARCHIVE);
	/* An I/O failure shows as sr_failed; the facts so far still count. */
	(void)mugai_arcscan_inspect(source_pull, sr, &lim, &f);
	for (guint i = 0; i < MUGAI_ARC_NFLAGS; i++)
		if (f.af_bits & (1u << i))
			mugai_report_part_flag(part, mugai_arcscan_flag_name(1u << i));
	entries = g_strdup_printf("entries=%" G_GUINT64_FORMAT, f.af_entries);
	mugai_report_part_flag(part, entries);
	if (f.af_limit != NULL) {
		g_autofree char *l = g_strdup_printf("limit=%s", f.af_limit);

		mugai_report_part_flag(part, l);
	}
	for (guint i = 0; i < f.af_names->len; i++) {
		g_autofree char *e = g_strdup_printf("entry=%s",
		    (char *)g_ptr_array_index(f.af_names, i));

		mugai_report_part_flag(part, e);
	}
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
	for (guint i = 0; i < 7; i++)
		if (fn & (1u << i))
			mugai_report_part_flag(part, mugai_filename_flag_name(1u << i));
	if (fn & MUGAI_FN_DANGEROUS)
		mugai_report_part_flag(part, MUGAI_FLAG_DANGEROUS);
	if (head_exec && mugai_filetype_kind_of_type(detected) !=
	    MUGAI_KIND_EXEC)
		detected = "application/x-executable";
	if (head_exec || (fn & MUGAI_FN_EXEC_EXT) ||
	    mugai_filetype_kind_of_type(detected) == MUGAI_KIND_EXEC ||
	    mugai_filetype_kind_of_type(part->rp_declared_type) ==
	    MUGAI_KIND_EXEC)
		mugai_report_part_flag(part, MUGAI_FLAG_EXECUTABLE);
	if (mugai_filetype_mismatch(detected, part->rp_declared_type, *ext))
		mugai_report_part_flag(part, MUGAI_FLAG_MISMATCH);
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
	struct source *sr = g_new0(struct source, 1);
	g_autofree char *ext = NULL;
	char *enc = NULL;
	const void *p;
	enum mugai_err err = MUGAI_OK;

	sr->sr_stream = decoded;
	sr->sr_deadline = deadline;
	sr->sr_digest = mugai_digest_new();
	if (!source_head(sr, (gsize)cf->cf_sniff_size))
		goto io;
	g_free(part->rp_detected_type);
	part->rp_detected_type = mugai_sniff_type(sr->sr_head,
	    sr->sr_head_len, &enc);
	if (enc != NULL) {
		g_autofree char *c = g_strdup_printf("charset=%s", enc);

		mugai_report_part_flag(part, c);
		g_free(enc);
	}
	sr->sr_doc = mugai_docscan_new(sr->sr_head, sr->sr_head_len,
	    part->rp_detected_type, (guint64)cf->cf_scan_max_bytes);
	if (sr->sr_doc != NULL)
		mugai_docscan_feed(sr->sr_doc, sr->sr_head, sr->sr_head_len);
	if (mugai_arcscan_sniff(sr->sr_head, sr->sr_head_len))
		archive_facts(cf, sr, part);
	/* Whatever the walk left (or all of it) still counts. */
	sr->sr_head_served = TRUE;
	while (!sr->sr_failed && source_pull(sr, &p) > 0)
		;
	if (sr->sr_failed)
		goto io;
	if (sr->sr_late)
		goto late;
	{
		guint bits = mugai_docscan_finish(sr->sr_doc);

		sr->sr_doc = NULL;
		for (guint i = 0; i < MUGAI_DOC_NFLAGS; i++)
			if (bits & (1u << i))
				mugai_report_part_flag(part,
				    mugai_docscan_flag_name(1u << i));
	}
	part->rp_size = sr->sr_size;
	mugai_digest_finish(sr->sr_digest, part->rp_sha256);
	sr->sr_digest = NULL;
	name_facts(cf, sr, part, &ext);
	decide(cf, env, ext, part);
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
	part->rp_size = sr->sr_size;
	part->rp_sha256[0] = '\0';
	part->rp_action = MUGAI_ACT_TEMPFAIL;
	g_free(part->rp_reason);
	part->rp_reason = g_strdup("read error on the decoded part");
out:
	mugai_docscan_finish(sr->sr_doc);
	mugai_digest_free(sr->sr_digest);
	g_free(sr->sr_head);
	g_free(sr);
	return err;
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
