/*
 * mugai_spool - memory first, then an unlinked temp file
 *
 * The switch happens in the add() that would take the message past
 * mem_max: what memory holds is written to the new file, then the new
 * data, so the file always holds the whole message from byte 0. Writes use
 * pwrite() at the spool's own size, so a stream reading the same file
 * (which shares the descriptor's offset) never moves where data goes.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "spool.h"

struct mugai_spool {
	char *sp_dir;
	guint64 sp_mem_max;
	guint64 sp_max;
	guint64 sp_size;
	GByteArray *sp_mem;	/* while in memory */
	int sp_fd;		/* -1 while in memory */
};

struct mugai_spool *
mugai_spool_new(const char *dir, guint64 mem_max, guint64 max)
{
	struct mugai_spool *sp = g_new0(struct mugai_spool, 1);

	sp->sp_dir = g_strdup(dir != NULL && *dir != '\0' ? dir :
	    g_get_tmp_dir());
	sp->sp_mem_max = mem_max;
	sp->sp_max = max;
	sp->sp_mem = g_byte_array_new();
	sp->sp_fd = -1;
	return sp;
}

/* Writes all of data at offset; returns MUGAI_OK or the errno's error. */
static enum mugai_err
write_at(int fd, const guint8 *data, gsize len, guint64 offset)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, data, len, (off_t)offset);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mugai_err_from_errno(errno);
		}
		data += n;
		len -= (gsize)n;
		offset += (guint64)n;
	}
	return MUGAI_OK;
}

/* Moves the message from memory to a new unlinked file in sp_dir. */
static enum mugai_err
to_file(struct mugai_spool *sp)
{
	char *path = g_build_filename(sp->sp_dir, "mugai-spool-XXXXXX", NULL);
	enum mugai_err err;
	int fd;

	if ((fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600)) < 0) {
		err = mugai_err_from_errno(errno);
		g_free(path);
		return err;
	}
	/* Unlinked at once: the data dies with the descriptor, even on crash. */
	(void)g_unlink(path);
	g_free(path);
	if ((err = write_at(fd, sp->sp_mem->data, sp->sp_mem->len, 0))
	    != MUGAI_OK) {
		close(fd);
		return err;
	}
	sp->sp_fd = fd;
	g_byte_array_free(sp->sp_mem, TRUE);
	sp->sp_mem = NULL;
	return MUGAI_OK;
}

enum mugai_err
mugai_spool_add(struct mugai_spool *sp, const void *data, gsize len)
{
	enum mugai_err err;

	if (len > sp->sp_max || sp->sp_size > sp->sp_max - len)
		return MUGAI_E_LIMIT;
	if (sp->sp_fd < 0 && sp->sp_size + len > sp->sp_mem_max &&
	    (err = to_file(sp)) != MUGAI_OK)
		return err;
	if (sp->sp_fd < 0)
		g_byte_array_append(sp->sp_mem, data, (guint)len);
	else if ((err = write_at(sp->sp_fd, data, len, sp->sp_size))
	    != MUGAI_OK)
		return err;
	sp->sp_size += len;
	return MUGAI_OK;
}

guint64
mugai_spool_size(const struct mugai_spool *sp)
{
	return sp->sp_size;
}

gboolean
mugai_spool_in_memory(const struct mugai_spool *sp)
{
	return sp->sp_fd < 0;
}

GMimeStream *
mugai_spool_stream(struct mugai_spool *sp, enum mugai_err *err)
{
	GMimeStream *s;
	int fd;

	*err = MUGAI_OK;
	if (sp->sp_fd < 0) {
		s = g_mime_stream_mem_new();
		g_mime_stream_mem_set_byte_array(GMIME_STREAM_MEM(s),
		    sp->sp_mem);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
		return s;
	}
	if ((fd = dup(sp->sp_fd)) < 0) {
		*err = mugai_err_from_errno(errno);
		return NULL;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		*err = mugai_err_from_errno(errno);
		close(fd);
		return NULL;
	}
	/*
	 * No end bound: the file holds exactly the message, and a bounded fs
	 * stream answers -1 (not 0) at its end, which readers take as error.
	 */
	s = g_mime_stream_fs_new(fd);
	g_mime_stream_fs_set_owner(GMIME_STREAM_FS(s), TRUE);
	return s;
}

void
mugai_spool_free(struct mugai_spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->sp_fd >= 0)
		close(sp->sp_fd);
	if (sp->sp_mem != NULL)
		g_byte_array_free(sp->sp_mem, TRUE);
	g_free(sp->sp_dir);
	g_free(sp);
}
