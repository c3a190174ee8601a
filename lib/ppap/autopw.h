/*
 * mugai_autopw - the password of a "password mail" (PPAP, part two)
 *
 * A sender who mails a password-protected ZIP usually mails its password
 * a minute later, to the same recipients, in a short message:
 * "パスワード：Abc123xyz", "【PW】 k7#pQ2m", "解凍パスワードは「x9Lq」です",
 * or a body that is nothing but the token. mugai_autopw_pick() reads the
 * text of such a mail (UTF-8, decoded, LF line ends) and returns the
 * token, or NULL when the text is not a password mail: too long to be
 * one, no label and more than one line, or two different labelled
 * tokens (trying the wrong one costs the item one of its tries). Quoted
 * lines, what follows "-- " or a reply header, and lines made of rule
 * characters are not read. Full-width and half-width forms are read as
 * their NFKC forms ("ﾊﾟｽﾜｰﾄﾞ：", "ＰＷ＝"); the token itself must be
 * 4 to 64 printable ASCII characters, and an unlabelled one must mix
 * letters and digits and look like neither a URL, a mail address, a
 * phone number nor a date.
 *
 * Pure: no I/O, no state. The token returned is the caller's to wipe
 * (mugai_autopw_free()) and never to log or store.
 */
#ifndef MUGAI_AUTOPW_H
#define MUGAI_AUTOPW_H

#include <glib.h>

/* Texts longer than this (bytes) are not password mails. */
#define MUGAI_AUTOPW_TEXT_MAX	4096

/* Returns (transfer full) the password text (len bytes) carries, or NULL. */
char *mugai_autopw_pick(const char *text, gsize len);

/* Wipes and frees a password from mugai_autopw_pick() (NULL is fine). */
void mugai_autopw_free(char *pw);

#endif
