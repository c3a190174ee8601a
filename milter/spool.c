/*
 * mugai_spool - memory first, then an unlinked temp file
 *
 * The switch happens in the add() that would take the message past
 * mem_max: what memory holds is written to the new file, then the new
 * data, so the file always holds the whole message from byte 0. Writes use
 * pwrite() at the spool's own size, so a stream reading the same file
 * (which shares the descriptor's offset) never moves where data goes.
 *
 * With a quarantine store set, the file is a new quarantine item's
 * original.eml (under the store's tmp/): a message that must be kept is
 * then already on the store's file system, and keeping it costs a
 * commit (fsync, meta.json, rename), not a copy. When the store refuses
 * (full, unwritable), the spool goes on in an unlinked file in its
 * directory as without a store, and keep() fails as a copy would have.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "base/limits.h"
#include "spool.h"

struct mugai_spool {
	char *sp_dir;
	guint64 sp_mem_max;
	guint64 sp_max;
	guint64 sp_size;
	GByteArray *sp_mem;	/* while in memory */
	int sp_fd;		/* -1 while in memory; sp_item's when set */
	struct mugai_quarantine *sp_q;	/* lent; NULL: no store */
	struct mugai_qitem *sp_item;	/* the file, when it is an item */
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

/* Copies len bytes at the start of from into to. */
static enum mugai_err
copy_file(int from, int to, guint64 len)
{
	guint8 buf[MUGAI_IO_CHUNK];
	guint64 off = 0;
	enum mugai_err err;

	while (off < len) {
		ssize_t n = pread(from, buf, (gsize)MIN(sizeof buf, len - off),
		    (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? mugai_err_from_errno(errno) : MUGAI_E_IO;
		if ((err = write_at(to, buf, (gsize)n, off)) != MUGAI_OK)
			return err;
		off += (guint64)n;
	}
	return MUGAI_OK;
}

/*
 * Moves the message (from memory, or from the item the store stopped
 * taking) to a new unlinked file in sp_dir.
 */
static enum mugai_err
to_plain_file(struct mugai_spool *sp)
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
	if (sp->sp_item != NULL)
		err = copy_file(sp->sp_fd, fd, sp->sp_size);
	else
		err = write_at(fd, sp->sp_mem->data, sp->sp_mem->len, 0);
	if (err != MUGAI_OK) {
		close(fd);
		return err;
	}
	g_clear_pointer(&sp->sp_item, mugai_quarantine_item_free);
	sp->sp_fd = fd;
	return MUGAI_OK;
}

/* Moves the message from memory to a file: an item if the store takes it. */
static enum mugai_err
to_file(struct mugai_spool *sp)
{
	enum mugai_err err = MUGAI_E_IO;

	if (sp->sp_q != NULL &&
	    (sp->sp_item = mugai_quarantine_begin(sp->sp_q, &err)) != NULL) {
		if (mugai_quarantine_write(sp->sp_item, sp->sp_mem->data,
		    sp->sp_mem->len) == MUGAI_OK)
			sp->sp_fd = mugai_quarantine_item_fd(sp->sp_item);
		else
			g_clear_pointer(&sp->sp_item,
			    mugai_quarantine_item_free);
	}
	if (sp->sp_item == NULL && (err = to_plain_file(sp)) != MUGAI_OK)
		return err;
	g_byte_array_free(sp->sp_mem, TRUE);
	sp->sp_mem = NULL;
	return MUGAI_OK;
}

/* Appends to the file: through the item while the store takes it. */
static enum mugai_err
file_add(struct mugai_spool *sp, const void *data, gsize len)
{
	enum mugai_err err;

	if (sp->sp_item != NULL) {
		if (mugai_quarantine_write(sp->sp_item, data, len) == MUGAI_OK)
			return MUGAI_OK;
		/* The store is full or gone: on without it, as before. */
		if ((err = to_plain_file(sp)) != MUGAI_OK)
			return err;
	}
	return write_at(sp->sp_fd, data, len, sp->sp_size);
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
	else if ((err = file_add(sp, data, len)) != MUGAI_OK)
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
mugai_spool_set_store(struct mugai_spool *sp, struct mugai_quarantine *q)
{
	g_return_if_fail(sp->sp_size == 0);
	sp->sp_q = q;
}

enum mugai_err
mugai_spool_keep(struct mugai_spool *sp, struct mugai_quarantine *q,
    const char *id, const struct mugai_envelope *env,
    const struct mugai_report *report, const char *sha256, const char *actor)
{
	struct mugai_qitem *it;
	enum mugai_err err;

	if (sp->sp_item != NULL)
		return mugai_quarantine_commit(sp->sp_item, id, env, report,
		    sha256, actor);
	if (q == NULL)
		return MUGAI_E_IO;
	if ((it = mugai_quarantine_begin(q, &err)) == NULL)
		return err;
	/* Small message: one write. Else the spool's own file, copied. */
	if (sp->sp_fd < 0)
		err = mugai_quarantine_write(it, sp->sp_mem->data,
		    sp->sp_mem->len);
	else {
		guint8 buf[MUGAI_IO_CHUNK];

		for (guint64 off = 0; err == MUGAI_OK && off < sp->sp_size; ) {
			ssize_t n = pread(sp->sp_fd, buf, (gsize)MIN(sizeof buf,
			    sp->sp_size - off), (off_t)off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				err = MUGAI_E_IO;
			else
				err = mugai_quarantine_write(it, buf, (gsize)n);
			off += n > 0 ? (guint64)n : 0;
		}
	}
	if (err == MUGAI_OK)
		err = mugai_quarantine_commit(it, id, env, report, sha256,
		    actor);
	mugai_quarantine_item_free(it);
	return err;
}

void
mugai_spool_free(struct mugai_spool *sp)
{
	if (sp == NULL)
		return;
	/* An item not committed is removed with its descriptor. */
	if (sp->sp_item != NULL)
		mugai_quarantine_item_free(sp->sp_item);
	else if (sp->sp_fd >= 0)
		close(sp->sp_fd);
	if (sp->sp_mem != NULL)
		g_byte_array_free(sp->sp_mem, TRUE);
	g_free(sp->sp_dir);
	g_free(sp);
}
