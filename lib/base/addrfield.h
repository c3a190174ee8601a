/*
 * mugai addrfield - the header fields GMime parses as address lists, and
 * what in them costs GMime stack and time
 *
 * GMime parses the address fields of every header block it reads, those
 * of attached messages too, as it builds the message: recursively, one
 * stack frame of some 200 bytes for each group ("g:" opens one, and a
 * group may hold another), and in time that grows with the entries times
 * the words after them. t/hostile-big found both: 80,000 nested groups
 * (160 KB, under the 256K field bound) overflowed an 8 MiB stack, and
 * 20,000 entries of words without an address took 4 s. Both are counted
 * here on raw lines, before any parser reads them: the raw scan of
 * lib/core/sanitize.c over the whole message and the streaming scanner
 * over its header blocks (lib/mime/scan.c) count the same characters.
 */
#ifndef MUGAI_ADDRFIELD_H
#define MUGAI_ADDRFIELD_H

#include <glib.h>

/*
 * The most group openings and list separators (':' and ',') read in one
 * address field: 2,000 groups are 400 KB of GMime's stack, 2,000 entries
 * half a second at most within the 256K field bound.
 */
#define MUGAI_ADDR_SEPS_MAX	2000

/* The bytes of a line's beginning both scans give mugai_addr_field(). */
#define MUGAI_ADDR_LEAD		80

/*
 * TRUE when the line at p (len bytes, its first) begins a field GMime
 * parses as addresses: From, Sender, Reply-To, To, Cc, Bcc or their
 * Resent- forms, any case, blanks allowed before the colon. A line cut
 * before its colon counts when what there is could begin such a name.
 */
gboolean mugai_addr_field(const char *p, gsize len);

/* The ':' and ',' in len bytes at p. */
gsize mugai_addr_seps(const char *p, gsize len);

#endif
