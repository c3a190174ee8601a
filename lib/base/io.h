/*
 * mugai_io - writing a whole buffer to a descriptor
 *
 * mugai_write_all() writes every byte of buf to fd, going on after a
 * short write and after EINTR. It returns TRUE when all went; FALSE with
 * errno set otherwise (EIO when write() returned 0, which a pipe or a
 * full disk can do). The descriptor stays the caller's.
 */
#ifndef MUGAI_IO_H
#define MUGAI_IO_H

#include <glib.h>

/* Writes all of buf (len bytes) to fd (lent); FALSE with errno on error. */
gboolean mugai_write_all(int fd, const void *buf, gsize len);

#endif
