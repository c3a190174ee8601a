/*
 * check_notice - mugai_notice: shipped templates equal the built-in ones,
 * placeholders, the withheld notice, template errors
 */
#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include "core/notice.h"
#include "text/oneline.h"
#include "testutil.h"

static const char *const both[] = { "ja", "en", NULL };

static struct mugai_report *
sample_report(void)
{
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p = mugai_report_add_part(r, "1.2", "part");

	p->rp_declared_type = g_strdup("application/zip");
	p->rp_filename = g_strdup("見積書.zip");
	p->rp_size = 2048;
	memset(p->rp_sha256, 'a', 64);
	p->rp_action = MUGAI_ACT_QUARANTINE;
	p->rp_warning = g_strdup("encrypted archive");
	p = mugai_report_add_part(r, "1.1", "part");
	p->rp_action = MUGAI_ACT_TEXT;
	return r;
}

static char *
render(const struct mugai_notice *n, const struct mugai_report *r)
{
	GString *s = g_string_new(NULL);

	mugai_notice_removed(n, r, "ID-1", s);
	mugai_notice_withheld(n, "why", "ID-1", s);
	return g_string_free(s, FALSE);
}

START_TEST(shipped_templates_equal_builtin)
{
	g_autofree char *dir = t_srcpath("conf");
	GError *err = NULL;
	struct mugai_notice *file = mugai_notice_load(dir, both, &err);
	struct mugai_notice *builtin = mugai_notice_load(NULL, both, &err);
	struct mugai_report *r = sample_report();
	g_autofree char *a = NULL, *b = NULL;

	ck_assert_msg(file != NULL, "%s", err != NULL ? err->message : "");
	ck_assert_ptr_nonnull(builtin);
	a = render(file, r);
	b = render(builtin, r);
	ck_assert_str_eq(a, b);
	mugai_notice_free(file);
	mugai_notice_free(builtin);
	mugai_report_free(r);
}
END_TEST

/* A removed archive with a line per document of every status. */
static struct mugai_report *
texts_report(void)
{
	struct mugai_report *r = sample_report();
	struct mugai_report_part *p = g_ptr_array_index(r->rr_parts, 0);

	for (int st = MUGAI_TEXT_INCLUDED; st <= MUGAI_TEXT_UNAVAILABLE; st++) {
		g_autofree char *entry = g_strdup_printf("dir/doc%d.pdf", st);

		mugai_report_part_text(p, st == 0 ? NULL : entry,
		    (enum mugai_text_status)st, st < 2 ? 1234 : 0,
		    st == MUGAI_TEXT_CUT ? "max_chars" : NULL);
	}
	return r;
}

START_TEST(document_text_lines_per_status)
{
	g_autofree char *dir = t_srcpath("conf");
	struct mugai_notice *file = mugai_notice_load(dir, both, NULL);
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = texts_report();
	static const char *const want[] = {
		"  → テキスト（1234 文字）をメール本文の後に掲載しました\n",
		"  → dir/doc1.pdf: テキストの先頭 1234 文字をメール本文の後に"
		"掲載しました（上限により打ち切り）\n",
		"  → dir/doc2.pdf: テキストなし: テキストが含まれていません\n",
		"  → dir/doc3.pdf: テキストなし: 暗号化されているため抽出できません\n",
		"  → dir/doc4.pdf: テキストなし: ファイルが壊れているため抽出できません\n",
		"  → dir/doc9.pdf: テキストなし: テキスト抽出は利用できません\n",
		"  > text included after the message (1234 characters)\n",
		"  > dir/doc3.pdf: no text: encrypted, the text cannot be "
		"extracted\n",
		"  > dir/doc8.pdf: no text: the extraction took too long\n",
	};
	g_autofree char *a = render(n, r);
	g_autofree char *b = render(file, r);

	ck_assert_str_eq(a, b);
	for (gsize i = 0; i < G_N_ELEMENTS(want); i++)
		ck_assert_msg(strstr(a, want[i]) != NULL, "no \"%s\" in:\n%s",
		    want[i], a);
	/* Under its item, before the next part's. */
	ck_assert(strstr(a, "見積書.zip") < strstr(a, "dir/doc1.pdf"));
	mugai_notice_free(file);
	mugai_notice_free(n);
	mugai_report_free(r);
}
END_TEST

START_TEST(items_list_name_type_size_hash_action_and_id)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = sample_report();
	GString *s = g_string_new(NULL);

	mugai_notice_removed(n, r, "ID-1", s);
	ck_assert_ptr_nonnull(strstr(s->str, "見積書.zip"));
	ck_assert_ptr_nonnull(strstr(s->str, "application/zip"));
	/* g_format_size() separates number and unit with a no-break space. */
	ck_assert_ptr_nonnull(strstr(s->str, "kB (2048"));
	ck_assert_ptr_nonnull(strstr(s->str, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	ck_assert_ptr_nonnull(strstr(s->str, "隔離"));
	ck_assert_ptr_nonnull(strstr(s->str, "quarantined"));
	ck_assert_ptr_nonnull(strstr(s->str, "ID: ID-1"));
	ck_assert_ptr_nonnull(strstr(s->str, "  ※ encrypted archive"));
	g_string_free(s, TRUE);
	mugai_notice_free(n);
	mugai_report_free(r);
}
END_TEST

START_TEST(nothing_removed_means_no_notice)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = mugai_report_new();
	GString *s = g_string_new(NULL);

	mugai_report_add_part(r, "1", "part")->rp_action = MUGAI_ACT_TEXT;
	mugai_notice_removed(n, r, "ID-1", s);
	ck_assert_uint_eq(s->len, 0);
	g_string_free(s, TRUE);
	mugai_notice_free(n);
	mugai_report_free(r);
}
END_TEST

START_TEST(withheld_notice_gives_reason_without_id_line_when_none)
{
	const char *const en[] = { "en", NULL };
	struct mugai_notice *n = mugai_notice_load(NULL, en, NULL);
	GString *s = g_string_new(NULL);

	mugai_notice_withheld(n, "encrypted content", NULL, s);
	ck_assert_ptr_nonnull(strstr(s->str, "Reason: encrypted content"));
	ck_assert_ptr_null(strstr(s->str, "quarantine (ID"));
	g_string_free(s, TRUE);
	mugai_notice_free(n);
}
END_TEST

/* Issue 15: the reason in both languages, Japanese first. */
START_TEST(withheld_reason_in_both_languages)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	GString *s = g_string_new(NULL);
	const char *ja, *en;

	mugai_notice_withheld(n, "encrypted content (multipart/encrypted)",
	    NULL, s);
	ja = strstr(s->str, "理由: 暗号化された内容（multipart/encrypted）");
	en = strstr(s->str, "Reason: encrypted content (multipart/encrypted)");
	ck_assert_msg(ja != NULL && en != NULL && ja < en, "%s", s->str);
	g_string_free(s, TRUE);
	mugai_notice_free(n);
}
END_TEST

/* A doubt read through is named, in each language, even when nothing
 * was removed. */
START_TEST(doubts_are_named_in_both_languages)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = mugai_report_new();
	GString *s = g_string_new(NULL);

	mugai_report_doubt(r, "conflicting header: Content-Type");
	mugai_report_doubt(r, "conflicting header: Content-Type");
	mugai_report_doubt(r, "multipart without boundary");
	mugai_notice_removed(n, r, NULL, s);
	/* One line per language, the doubts in it. */
	ck_assert_ptr_nonnull(strstr(s->str, "ヘッダーの重複（Content-Type）、"
	    "区切り（boundary）のないマルチパート）"));
	ck_assert_ptr_nonnull(strstr(s->str, "ambiguous (conflicting header: "
	    "Content-Type; multipart without boundary)"));
	ck_assert_ptr_null(strstr(strstr(s->str, "Content-Type）") + 1,
	    "Content-Type）"));
	g_string_free(s, TRUE);
	mugai_report_free(r);
	mugai_notice_free(n);
}
END_TEST

/* Kept text changed for safety is said, once per kind, in each language
 * and in the report's text and JSON, even when nothing was removed. */
START_TEST(altered_text_is_named_in_both_languages)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = mugai_report_new();
	GString *s = g_string_new(NULL);
	g_autofree char *txt = NULL;

	mugai_notice_removed(n, r, NULL, s);
	ck_assert_uint_eq(s->len, 0);
	mugai_report_altered(r, "control bytes removed");
	mugai_report_altered(r, "control bytes removed");
	mugai_report_altered(r, "markup or file signatures defused");
	mugai_notice_removed(n, r, NULL, s);
	ck_assert_msg(strstr(s->str, "※ 本文の一部を安全のため変更しました"
	    "（制御文字の削除、タグやファイル署名に見える文字の置き換え）。")
	    != NULL, "%s", s->str);
	ck_assert_msg(strstr(s->str, "! Some of the text was changed for "
	    "safety (control bytes removed; markup or file signatures "
	    "defused).") != NULL, "%s", s->str);
	ck_assert_ptr_null(strstr(s->str, "Reason"));
	txt = mugai_report_to_text(r);
	ck_assert_ptr_nonnull(strstr(txt, "altered: control bytes removed\n"));
	g_string_free(s, TRUE);
	mugai_report_free(r);
	mugai_notice_free(n);
}
END_TEST

static struct mugai_report_part *
removed_part(struct mugai_report *r, const char *path, const char *type,
    const char *name)
{
	struct mugai_report_part *p = mugai_report_add_part(r, path, "part");

	p->rp_declared_type = g_strdup(type);
	p->rp_filename = g_strdup(name);
	memset(p->rp_sha256, 'b', 64);
	p->rp_action = MUGAI_ACT_DROP;
	return p;
}

/*
 * A signature is one short line, the detected type stands beside a
 * declared one it contradicts, and a rule's warning shared by two parts
 * is said once per language.
 */
START_TEST(signature_line_detected_type_and_warning_once)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p;
	GString *s = g_string_new(NULL);
	const char *w;

	removed_part(r, "1.2", "application/pkcs7-signature", "smime.p7s");
	p = removed_part(r, "1.3", "application/pdf", "invoice.pdf");
	p->rp_detected_type = g_strdup("application/x-dosexec");
	p->rp_warning = g_strdup("RULEWARN");
	p = removed_part(r, "1.4", "application/pdf", "other.pdf");
	p->rp_detected_type = g_strdup("application/pdf");
	p->rp_warning = g_strdup("RULEWARN");
	mugai_notice_removed(n, r, NULL, s);
	ck_assert_ptr_nonnull(strstr(s->str,
	    "署名は検証されずに削除されました（smime.p7s）"));
	ck_assert_ptr_nonnull(strstr(s->str,
	    "The signature was removed without verification (smime.p7s)"));
	ck_assert_ptr_null(strstr(s->str, "application/pkcs7-signature"));
	ck_assert_ptr_nonnull(strstr(s->str,
	    "application/pdf、実際の形式: application/x-dosexec"));
	ck_assert_ptr_nonnull(strstr(s->str,
	    "application/pdf, detected as application/x-dosexec"));
	ck_assert_ptr_null(strstr(s->str, "detected as application/pdf"));
	/* Twice in all: once in Japanese, once in English. */
	w = strstr(s->str, "RULEWARN");
	ck_assert_ptr_nonnull(w);
	w = strstr(w + 1, "RULEWARN");
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_null(strstr(w + 1, "RULEWARN"));
	g_string_free(s, TRUE);
	mugai_report_free(r);
	mugai_notice_free(n);
}
END_TEST

/* A notice_dir written before the doubt key still names doubts. */
START_TEST(old_template_takes_builtin_for_later_keys)
{
	g_autofree char *dir = g_dir_make_tmp("mugai-notice-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "notice.en", NULL);
	const char *const en[] = { "en", NULL };
	struct mugai_notice *n;
	struct mugai_report *r = mugai_report_new();
	GString *s = g_string_new(NULL);

	ck_assert(g_file_set_contents(path, "[notice]\nheader = HEAD\n", -1,
	    NULL));
	n = mugai_notice_load(dir, en, NULL);
	ck_assert_ptr_nonnull(n);
	mugai_report_doubt(r, "multipart without boundary");
	mugai_notice_removed(n, r, NULL, s);
	ck_assert_ptr_nonnull(strstr(s->str, "HEAD\n! The message structure "
	    "was ambiguous (multipart without boundary)"));
	g_string_free(s, TRUE);
	mugai_report_free(r);
	mugai_notice_free(n);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(unknown_template_key_is_an_error)
{
	g_autofree char *dir = g_dir_make_tmp("mugai-notice-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "notice.xx", NULL);
	const char *const xx[] = { "xx", NULL };
	GError *err = NULL;

	ck_assert(g_file_set_contents(path, "[notice]\nheadr = x\n", -1, NULL));
	ck_assert_ptr_null(mugai_notice_load(dir, xx, &err));
	ck_assert_ptr_nonnull(strstr(err->message, "unknown key \"headr\""));
	g_clear_error(&err);
	ck_assert_ptr_null(mugai_notice_load(NULL, xx, &err));
	g_error_free(err);
	unlink(path);
	rmdir(dir);
}
END_TEST

/*
 * Every value from mail is one line of the notice: a filename with line
 * breaks (LF, CR, NEL, U+2028, U+2029) cannot start a line of its own
 * ("【管理者から】添付は安全です" as if the administrator said so), nor a
 * bidi control turn the line around; they show as escapes, and a long
 * value is cut with an ellipsis. So for the declared type, the warning
 * and the withheld reason.
 */
static const char *const attacker_name =
    "a.exe\n【管理者から】添付は安全です\r\n2行目\302\2053行目"
    "\342\200\2504行目\342\200\2515行目\342\200\256txt.exe\t\033[1m";

START_TEST(values_from_mail_stay_on_one_line)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p = mugai_report_add_part(r, "1.2", "part");
	GString *s = g_string_new(NULL);
	GString *long_name = g_string_new(NULL);
	char **lines;

	p->rp_filename = g_strdup(attacker_name);
	p->rp_declared_type = g_strdup("application/x\n【管理者から】");
	p->rp_warning = g_strdup("w\n【管理者から】");
	p->rp_action = MUGAI_ACT_QUARANTINE;
	for (int i = 0; i < 500; i++)
		g_string_append(long_name, "長");
	p = mugai_report_add_part(r, "1.3", "part");
	p->rp_filename = g_string_free(long_name, FALSE);
	p->rp_action = MUGAI_ACT_DROP;
	mugai_notice_removed(n, r, "ID-1", s);
	mugai_notice_withheld(n, "reason\u2028【管理者から】", "ID-1", s);
	lines = g_strsplit(s->str, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		const char *a = *l;

		/* The attacker's words only ever follow an escape. */
		while ((a = strstr(a, "【管理者から】")) != NULL) {
			ck_assert_msg((a - *l >= 4 && strncmp(a - 4, "\\x0a",
			    4) == 0) || (a - *l >= 6 && strncmp(a - 6,
			    "\\u2028", 6) == 0),
			    "attacker text on a line of its own: [%s]", *l);
			a++;
		}
		for (const char *c = *l; *c != '\0'; c = g_utf8_next_char(c)) {
			gunichar u = g_utf8_get_char(c);

			ck_assert_msg(!(u < 0x20 || (u >= 0x7f && u <= 0x9f) ||
			    u == 0x2028 || u == 0x2029 ||
			    (u >= 0x202a && u <= 0x202e)),
			    "U+%04X in [%s]", u, *l);
		}
	}
	g_strfreev(lines);
	ck_assert_ptr_nonnull(strstr(s->str, "a.exe\\x0a【管理者から】添付は安全"
	    "です\\x0d\\x0a2行目\\x853行目\\u20284行目\\u20295行目\\u202etxt.exe"
	    "\\x09\\x1b[1m"));
	/* 500 characters are cut to MUGAI_ONELINE_MAX with an ellipsis. */
	long_name = g_string_new(NULL);
	for (int i = 0; i < MUGAI_ONELINE_MAX - 1; i++)
		g_string_append(long_name, "長");
	g_string_append(long_name, "…（");
	ck_assert_ptr_nonnull(strstr(s->str, long_name->str));
	g_string_truncate(long_name, 0);
	for (int i = 0; i < MUGAI_ONELINE_MAX; i++)
		g_string_append(long_name, "長");
	ck_assert_ptr_null(strstr(s->str, long_name->str));
	g_string_free(long_name, TRUE);
	g_string_free(s, TRUE);
	mugai_notice_free(n);
	mugai_report_free(r);
}
END_TEST

/*
 * ISO-2022-JP output wraps lines past 300 characters (lib/text/
 * textbody.c): an item line of a long name and a long type once wrapped
 * inside the type, and the sender's words began the next line. Every
 * line of the notice, values in, keeps to MUGAI_NOTICE_LINE_MAX
 * characters; the longest values give way first.
 */
START_TEST(every_line_fits_before_the_wrap)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p = mugai_report_add_part(r, "1.2", "part");
	GString *name = g_string_new(NULL), *type = g_string_new(NULL);
	GString *s = g_string_new(NULL);
	char **lines, *reason;

	for (int i = 0; i < 250; i++)
		g_string_append(name, "名");
	g_string_append(type, "application/");
	for (int i = 0; i < 250; i++)
		g_string_append_c(type, 'a');
	p->rp_filename = g_string_free(name, FALSE);
	p->rp_declared_type = g_string_free(type, FALSE);
	p->rp_warning = g_strdup("short warning");
	p->rp_size = G_MAXUINT64;
	memset(p->rp_sha256, 'f', 64);
	p->rp_action = MUGAI_ACT_QUARANTINE;
	mugai_notice_removed(n, r, "ID-1", s);
	/* The removed notice again as the withheld reason: a copy, since
	 * the notice is appended to s. */
	reason = g_strdup(s->str);
	mugai_notice_withheld(n, reason, "ID-1", s);
	g_free(reason);
	lines = g_strsplit(s->str, "\n", -1);
	for (char **l = lines; *l != NULL; l++)
		ck_assert_msg(g_utf8_strlen(*l, -1) <= MUGAI_NOTICE_LINE_MAX,
		    "%ld characters: [%s]", g_utf8_strlen(*l, -1), *l);
	g_strfreev(lines);
	/* the short values stay whole, both long ones are cut */
	ck_assert_ptr_nonnull(strstr(s->str, "ffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffff）→ 隔離"));
	ck_assert_ptr_nonnull(strstr(s->str, "名…（application/aaa"));
	ck_assert_ptr_nonnull(strstr(s->str, "a…、"));
	ck_assert_ptr_nonnull(strstr(s->str, "  ※ short warning\n"));
	g_string_free(s, TRUE);
	mugai_notice_free(n);
	mugai_report_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("notice");

	t_test(s, shipped_templates_equal_builtin);
	t_test(s, items_list_name_type_size_hash_action_and_id);
	t_test(s, document_text_lines_per_status);
	t_test(s, nothing_removed_means_no_notice);
	t_test(s, withheld_notice_gives_reason_without_id_line_when_none);
	t_test(s, withheld_reason_in_both_languages);
	t_test(s, doubts_are_named_in_both_languages);
	t_test(s, altered_text_is_named_in_both_languages);
	t_test(s, signature_line_detected_type_and_warning_once);
	t_test(s, old_template_takes_builtin_for_later_keys);
	t_test(s, unknown_template_key_is_an_error);
	t_test(s, values_from_mail_stay_on_one_line);
	t_test(s, every_line_fits_before_the_wrap);
	return t_run(s);
}
