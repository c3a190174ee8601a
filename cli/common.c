/*
 * mugai CLI common - configuration, printing and meta.json helpers
 * (see common.h)
 */
#include "autoconfig.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/config.h"
#include "text/oneline.h"
#include "cli/common.h"

#define DEFAULT_CONF MUGAI_SYSCONFDIR "/mugai.conf"

struct mugai_config *
mugai_cli_load_config(const char *path, char **why)
{
	GError *err = NULL;
	struct mugai_config *cf;

	if (path == NULL) {
		if (!g_file_test(DEFAULT_CONF, G_FILE_TEST_EXISTS))
			return mugai_config_new_default();
		path = DEFAULT_CONF;
	}
	if ((cf = mugai_config_load(path, &err)) == NULL) {
		if (why != NULL)
			*why = g_strdup(err->message);
		else
			fprintf(stderr, "mugai: %s\n", err->message);
		g_error_free(err);
	}
	return cf;
}

void
mugai_cli_put_text(FILE *f, const char *s, int width)
{
	/* One mechanism with the notice: escapes, never the raw character. */
	g_autofree char *line = mugai_oneline(s, -1, 0);
	int used = 0;

	for (const char *p = line; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		int w = g_unichar_iswide(c) ? 2 : 1;
		const char *next = g_utf8_next_char(p);

		/* Keep room for ".." unless this is the last character. */
		if (width > 0 && used + w + (*next != '\0' ? 2 : 0) > width) {
			fputs("..", f);
			used += 2;
			break;
		}
		fwrite(p, 1, (size_t)(next - p), f);
		used += w;
	}
	for (; width > 0 && used < width; used++)
		fputc(' ', f);
}

/* Returns (transfer full) who runs us, for the audit log. */
char *
mugai_cli_actor(void)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	const char *sudo = g_getenv("SUDO_USER");
	const char *name = "unknown";

	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 &&
	    res != NULL)
		name = pw.pw_name;
	if (getuid() == 0 && sudo != NULL && *sudo != '\0')
		return g_strdup_printf("%s (sudo by %s)", name, sudo);
	return g_strdup(name);
}

const char *
mugai_cli_jstr(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

JsonObject *
mugai_cli_jobj(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(n))
		return NULL;
	return json_node_get_object(n);
}

JsonArray *
mugai_cli_jarr(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(n))
		return NULL;
	return json_node_get_array(n);
}
