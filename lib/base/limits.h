/*
 * mugai limits - the fixed sizes that several modules share
 *
 * Not configuration (mugai.conf's [limits] is in core/config.h): the sizes
 * the code itself is built around. One name each, so that a change is one
 * line and a reader sees that two buffers are the same size on purpose.
 */
#ifndef MUGAI_LIMITS_H
#define MUGAI_LIMITS_H

/*
 * Bytes read or written at once when copying, hashing or decoding a
 * stream: large enough that a system call or a libxml2 push costs little
 * per byte, small enough for the stack of a milter thread.
 */
#define MUGAI_IO_CHUNK	65536

/* RFC 5322 2.1.1: a line is at most 998 characters, CRLF excluded. */
#define MUGAI_LINE_MAX	998

/*
 * The longest header name mugai writes: ": " and one encoded-word of the
 * value (72 octets, the longest mugai_headers_fix_for() makes) still fit
 * in a line. Longer names are removed (sanitize.c: header_deleted()).
 */
#define MUGAI_HEADER_NAME_MAX	(MUGAI_LINE_MAX - 2 - 72)

/*
 * The longest folded header field read, in any header block, whatever
 * [limits] max_header_size says: GMime's address parser recurses for each
 * word (about 200 bytes of stack per 50 bytes of field), and 2 MB
 * overflowed a thread's 8 MiB stack. 256 KiB is an eighth of that.
 */
#define MUGAI_FIELD_MAX	(256 * 1024)

/*
 * Lines that begin "Name:" in a whole message, and lines that begin "--"
 * per max_parts: GMime builds its whole tree before the walk counts
 * parts, some 630 bytes a header field and 2 KB a part, so 10 MB of
 * either took 800 MB to 950 MB of memory (t/hostile-big). Counted on
 * the raw message (lib/core/sanitize.c), any line: 50,000 fields are
 * some 32 MB in GMime, 10 x 1,000 boundaries some 20 MB.
 */
#define MUGAI_FIELD_LINES_MAX		50000
#define MUGAI_DASH_LINES_PER_PART	10

#endif
