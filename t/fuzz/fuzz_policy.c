/*
 * fuzz_policy - the attachment inspector on hostile bytes
 *
 * The first byte picks the declared type and filename the part arrives
 * with (so the archive, document and name paths all run), the rest are
 * the decoded bytes of the removed part. mugai_policy_examine() walks
 * archives (libarchive) within the [policy] bounds, scans documents and
 * sniffs with libmagic; whatever the bytes, it must return MUGAI_OK from a
 * memory stream, count every byte, give a SHA-256 and a valid action.
 * The archive limits are lowered so bombs and deep nesting are reached.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "policy/policy.h"
#include "core/sanitize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static const struct {
	const char *type, *name;
} kinds[] = {
	{ "application/octet-stream", NULL },
	{ "application/zip", "a.zip" },
	{ "application/x-tar", "a.tar" },
	{ "application/gzip", "a.tar.gz" },
	{ "application/x-7z-compressed", "a.7z" },
	{ "application/x-rar-compressed", "a.rar" },
	{ "application/pdf", "a.pdf" },
	{ "application/vnd.openxmlformats-officedocument."
	  "wordprocessingml.document", "a.docx" },
	{ "application/msword", "a.doc" },
	{ "application/vnd.ms-excel", "a.xls" },
	{ "text/plain", "readme.txt.exe" },
	{ "image/jpeg", "photo.jpg" },
	{ "application/x-msdownload", "a.exe" },
	{ "application/rtf", "a.rtf" },
	{ "text/html", "a.htm" },
	{ "application/octet-stream", "\xe8\xab\x8b\xe6\xb1\x82.zip" },
};

static struct mugai_config *cf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mugai_sanitize_init();
	cf = mugai_config_new_default();
	cf->cf_archive_max_entries = 64;
	cf->cf_archive_max_bytes = 4 << 20;
	cf->cf_archive_max_depth = 3;
	cf->cf_scan_max_bytes = 1 << 20;
	return 0;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	struct mugai_report *r;
	struct mugai_report_part *p;
	GMimeStream *s;
	JsonNode *json;
	guint k;

	if (size == 0)
		return 0;
	k = data[0] % G_N_ELEMENTS(kinds);
	r = mugai_report_new();
	p = mugai_report_add_part(r, "2", "part");
	p->rp_declared_type = g_strdup(kinds[k].type);
	p->rp_filename = g_strdup(kinds[k].name);
	s = g_mime_stream_mem_new_with_buffer((const char *)data + 1,
	    size - 1);
	if (mugai_policy_examine(cf, NULL, s, p) != MUGAI_OK)
		abort();
	if (p->rp_size != size - 1 || strlen(p->rp_sha256) != 64 ||
	    p->rp_reason == NULL)
		abort();
	switch (p->rp_action) {
	case MUGAI_ACT_DROP:
	case MUGAI_ACT_QUARANTINE:
	case MUGAI_ACT_REJECT:
	case MUGAI_ACT_TEMPFAIL:
		break;
	default:
		abort();	/* a removed part is never text or skipped */
	}
	(void)mugai_policy_warning(cf, p);
	/* What meta.json and --json print must survive whatever was found. */
	json = mugai_report_to_json(r);
	json_node_unref(json);
	g_object_unref(s);
	mugai_report_free(r);
	return 0;
}
