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

/*
 * The cost of an address field to GMime's parser, in all the address
 * fields of a message: for each byte, the separators before it in its
 * field (GMime reads on past each entry: 40 fields of 1,990 entries of
 * words took 26 s). 250,000,000 is some 0.7 s at worst, and 2,000 real
 * addresses in one field.
 */
#define MUGAI_ADDR_COST_MAX	250000000

/*
 * The most parameters (';' in Content-Type and Content-Disposition fields)
 * in a message: GMime keeps each, some 350 bytes, in its tree before the
 * walk (80 attached messages of 240 KB of "filename*=" took 305 MB).
 * 50,000 are some 17 MB.
 */
#define MUGAI_PARAMS_MAX	50000

/* As mugai_addr_field(), for Content-Type and Content-Disposition. */
gboolean mugai_param_field(const char *p, gsize len);

/*
 * Counts len bytes at p of an address field: its ':' and ',' into *seps
 * (so far in the field) and, per byte, *seps into *cost.
 */
void mugai_addr_count(const char *p, gsize len, gsize *seps, guint64 *cost);

#endif
