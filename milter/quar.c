/*
 * mugai_mquar - quarantine integration (fail-closed stub)
 *
 * lib/quarantine.h is not on main yet. When it lands, each function below
 * becomes one call: mugai_quarantine_open(cf->cf_quarantine_dir,
 * cf->cf_quarantine_group, &err), mugai_quarantine_new_id(),
 * mugai_quarantine_store(q, id, original, env, report, "mugai-milter"),
 * mugai_release_check(q, cf, value, id). Until then nothing is stored, so
 * a message whose original must be kept is tempfailed: nothing is lost.
 */
#include "autoconfig.h"

#include "log.h"
#include "quar.h"

struct mugai_mquar {
	int mq_unused;
};

enum mugai_err
mugai_mquar_open(const struct mugai_config *cf, struct mugai_mquar **out,
    char **message)
{
	*message = NULL;
	*out = g_new0(struct mugai_mquar, 1);
	if (cf->cf_keep_original != MUGAI_KEEP_NEVER)
		mugai_log(LOG_WARNING, "quarantine store not built in: "
		    "messages whose original must be kept are tempfailed "
		    "(keep_original = %s)",
		    mugai_config_keep_original_name(cf->cf_keep_original));
	return MUGAI_OK;
}

void
mugai_mquar_close(struct mugai_mquar *q)
{
	g_free(q);
}

char *
mugai_mquar_new_id(struct mugai_mquar *q)
{
	return NULL;
}

enum mugai_err
mugai_mquar_store(struct mugai_mquar *q, const char *id,
    GMimeStream *original, const struct mugai_envelope *env,
    const struct mugai_report *report)
{
	mugai_log(LOG_ERR, "cannot keep original: quarantine store not "
	    "built in");
	return MUGAI_E_IO;
}

enum mugai_mrelease
mugai_mquar_release_check(struct mugai_mquar *q,
    const struct mugai_config *cf, const char *value, char **id)
{
	*id = NULL;
	return MUGAI_MREL_UNKNOWN_ID;
}

const char *
mugai_mquar_release_name(enum mugai_mrelease r)
{
	switch (r) {
	case MUGAI_MREL_VALID:
		return "valid";
	case MUGAI_MREL_FORGED:
		return "forged";
	case MUGAI_MREL_EXPIRED:
		return "expired";
	case MUGAI_MREL_REPLAYED:
		return "replayed";
	case MUGAI_MREL_UNKNOWN_ID:
		return "unknown-id";
	}
	return "unknown";
}
