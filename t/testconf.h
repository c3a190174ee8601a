/*
 * testconf - a configuration from text, for the suites that try settings
 */
#ifndef MUGAI_TESTCONF_H
#define MUGAI_TESTCONF_H

#include <unistd.h>

#include <check.h>
#include <glib.h>

#include "core/config.h"

/* Returns (transfer full) text loaded as a mugai.conf; fails the test
 * when it does not load. */
static inline struct mugai_config *
t_config(const char *text)
{
	char *path = NULL;
	int fd = g_file_open_tmp("mugai-t-XXXXXX", &path, NULL);
	GError *err = NULL;
	struct mugai_config *cf;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	cf = mugai_config_load(path, &err);
	ck_assert_msg(cf != NULL, "%s", err != NULL ? err->message : "");
	unlink(path);
	g_free(path);
	return cf;
}

#endif
