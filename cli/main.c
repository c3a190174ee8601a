/*
 * mugai - the administrator's command: sanitize, check-config, quarantine
 *
 * Each subcommand is a function taking (argc, argv) after the subcommand
 * name. Exit status: 0 success, 1 the message was withheld (sanitize) or the
 * operation failed, 2 usage or configuration error.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli/quarantine-cli.h"
#include "config.h"

#define DEFAULT_CONF MUGAI_SYSCONFDIR "/mugai.conf"

/* Loads -c FILE, or the default file when it exists, else the defaults. */
static struct mugai_config *
load_config(const char *path)
{
	GError *err = NULL;
	struct mugai_config *cf;

	if (path == NULL) {
		if (!g_file_test(DEFAULT_CONF, G_FILE_TEST_EXISTS))
			return mugai_config_new_default();
		path = DEFAULT_CONF;
	}
	if ((cf = mugai_config_load(path, &err)) == NULL) {
		fprintf(stderr, "mugai: %s\n", err->message);
		g_error_free(err);
	}
	return cf;
}

static int
cmd_check_config(int argc, char **argv)
{
	const char *path = NULL;
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &path,
		  "configuration file", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "print nothing when the file is valid", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "- validate the configuration and print the effective values");
	GError *err = NULL;
	struct mugai_config *cf;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "mugai check-config: %s\n", err->message);
		g_error_free(err);
		return 2;
	}
	if ((cf = load_config(path)) == NULL)
		return 2;
	if (!quiet) {
		g_autofree char *dump = mugai_config_dump(cf);

		fputs(dump, stdout);
	}
	mugai_config_unref(cf);
	return 0;
}

static void
usage(FILE *f)
{
	fputs("usage: mugai COMMAND [OPTIONS]\n"
	    "\n"
	    "commands:\n"
	    "  sanitize      sanitize one message (stdin to stdout by default)\n"
	    "  check-config  validate the configuration, print effective values\n"
	    "  quarantine    list, show, extract, release, purge quarantined mail\n"
	    "\n"
	    "`mugai COMMAND --help` describes each command; see mugai(1).\n",
	    f);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "check-config") == 0)
		return cmd_check_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "quarantine") == 0)
		return mugai_cli_quarantine(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts(PACKAGE_STRING);
		return 0;
	}
	fprintf(stderr, "mugai: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
