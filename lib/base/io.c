/*
 * mugai_io - the loop around write() that every writer of a whole buffer
 * wants: short writes go on from where they stopped, EINTR is retried.
 */
#include "autoconfig.h"

#include <errno.h>
#include <unistd.h>

#include "base/io.h"

gboolean
mugai_write_all(int fd, const void *buf, gsize len)
{
	const guint8 *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FALSE;
		if (n == 0) {
			/* No progress and no error: do not spin. */
			errno = EIO;
			return FALSE;
		}
		p += n;
		len -= (gsize)n;
	}
	return TRUE;
}
