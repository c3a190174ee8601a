/*
 * fake_mta - records what milter/ asked of the MTA, instead of libmilter
 *
 * Linked in place of milter/mta.c. Every call is appended to fake_mta_log
 * as one line ("chg Subject 1 value", "add Name value", "body 65536",
 * "reply 550 5.7.1 text"); replaced body bytes collect in fake_mta_body.
 * fake_mta_fail_at makes the Nth modifying call (1-based) fail.
 */
#ifndef MUGAI_FAKE_MTA_H
#define MUGAI_FAKE_MTA_H

#include <glib.h>

extern GPtrArray *fake_mta_log;		/* (char *) */
extern GByteArray *fake_mta_body;
extern guint fake_mta_fail_at;

/* Clears the records (creating them on first use). */
void fake_mta_reset(void);

#endif
