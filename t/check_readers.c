/*
 * check_readers - the text-in-disguise readers of mugai-extract through
 * the pool, confined as in the milter: iCalendar invitations (extract/
 * ics.c, libical), vCards (extract/vcard.c: 2.1 from Japanese phones with
 * Shift_JIS quoted-printable, 3.0 and 4.0 with escapes and folding), CSV
 * as aligned columns (extract/csv.c), the type hints of
 * mugai_extract_hint() and the damaged cases. Documents are written here,
 * in code.
 */
#include "autoconfig.h"

#include <string.h>

#include "extract/client.h"
#include "text/charset.h"
#include "testutil.h"

static struct mugai_extract_pool *pool;

static void
setup(void)
{
	struct mugai_extract_opts o;
	enum mugai_err err;

	mugai_extract_opts_init(&o);
	o.eo_helper = MUGAI_TEST_EXTRACT;
	o.eo_pool_size = 1;
	pool = mugai_extract_pool_new(&o, &err);
	ck_assert_msg(pool != NULL, "pool: %s", mugai_err_str(err));
}

static void
teardown(void)
{
	mugai_extract_pool_free(pool);
	pool = NULL;
}

/* Runs doc (len bytes, -1: a string) with hint; checks status and kind. */
static void
run(const char *doc, gssize len, const char *hint,
    enum mugai_extract_status want, const char *kind,
    struct mugai_extract_result *r)
{
	gsize n = len < 0 ? strlen(doc) : (gsize)len;

	setup();
	mugai_extract_run(pool, doc, n, hint, 0, r);
	teardown();
	ck_assert_msg(r->er_status == want, "status %s (%s), wanted %s",
	    mugai_extract_status_name(r->er_status), r->er_reason,
	    mugai_extract_status_name(want));
	if (kind != NULL)
		ck_assert_str_eq(r->er_kind, kind);
}

#define has(r, s) ck_assert_msg(strstr((r)->er_text, (s)) != NULL, \
	"no \"%s\" in:\n%s", (s), (r)->er_text)

/* An Outlook-style invitation: VTIMEZONE, folded lines, escapes. */
static const char invitation[] =
    "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\n"
    "VERSION:2.0\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Tokyo Standard Time\r\nBEGIN:STANDARD\r\n"
    "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"
    "END:STANDARD\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "ORGANIZER;CN=\"総務課 山田\":mailto:yamada@city.example.lg.jp\r\n"
    "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;\r\n"
    " CN=佐藤花子:mailto:sato@city.example.lg.jp\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED;CN=Tanaka:mailto:tanaka@example.jp\r\n"
    "DESCRIPTION:議題: 来年度予算\\n資料は当日配布します\\, よろしくお願いしま\r\n"
    " す。\r\n"
    "RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261231T000000Z\r\n"
    "SUMMARY;LANGUAGE=ja:定例部会\r\n"
    "DTSTART;TZID=Tokyo Standard Time:20260414T140000\r\n"
    "DTEND;TZID=Tokyo Standard Time:20260414T153000\r\n"
    "LOCATION:本庁舎 5階 第2会議室\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

START_TEST(ics_invitation_in_words)
{
	struct mugai_extract_result r;

	run(invitation, -1, "ics", MUGAI_EXTRACT_OK, "ics", &r);
	has(&r, "会議への招待 / Invitation");
	has(&r, "件名 / Summary: 定例部会\n");
	has(&r, "開始 / Start: 2026-04-14 14:00 (Tokyo Standard Time)\n");
	has(&r, "終了 / End: 2026-04-14 15:30 (Tokyo Standard Time)\n");
	has(&r, "場所 / Location: 本庁舎 5階 第2会議室\n");
	has(&r, "主催者 / Organizer: 総務課 山田 "
	    "<yamada@city.example.lg.jp>\n");
	has(&r, "参加者 / Attendee: 佐藤花子 <sato@city.example.lg.jp> "
	    "(未回答 / needs action)\n");
	has(&r, "参加者 / Attendee: Tanaka <tanaka@example.jp> "
	    "(承諾 / accepted)\n");
	has(&r, "繰り返し / Repeats: 毎月 第2火曜日 (2026-12-31まで) / "
	    "monthly on the 2. Tuesday (until 2026-12-31)\n");
	has(&r, "議題: 来年度予算\n資料は当日配布します, よろしくお願いします。");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(ics_all_day_utc_and_cancel)
{
	struct mugai_extract_result r;

	run("BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:CANCEL\nBEGIN:VEVENT\n"
	    "SUMMARY:Holiday\nDTSTART;VALUE=DATE:20260505\n"
	    "END:VEVENT\nBEGIN:VEVENT\nSUMMARY:Call\n"
	    "DTSTART:20260506T010000Z\nRRULE:FREQ=DAILY;INTERVAL=2;COUNT=3\n"
	    "END:VEVENT\nEND:VCALENDAR\n", -1, "auto", MUGAI_EXTRACT_OK,
	    "ics", &r);
	has(&r, "取り消し / Cancellation");
	has(&r, "開始 / Start: 2026-05-05 (終日 / all day)\n");
	has(&r, "開始 / Start: 2026-05-06 01:00 (UTC)\n");
	has(&r, "2日ごと (3回) / every 2 days (3 times)");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(ics_damaged)
{
	struct mugai_extract_result r;

	run("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", -1, "ics",
	    MUGAI_EXTRACT_DAMAGED, "ics", &r);
	mugai_extract_result_clear(&r);
	run("\x01\x02 not a calendar", -1, "ics", MUGAI_EXTRACT_DAMAGED, "ics",
	    &r);
	mugai_extract_result_clear(&r);
}
END_TEST

/* vCard 2.1 as Japanese feature phones send it: Shift_JIS in
 * quoted-printable, a soft line break, bare types. */
START_TEST(vcard_21_shift_jis_quoted_printable)
{
	struct mugai_extract_result r;

	run("BEGIN:VCARD\r\nVERSION:2.1\r\n"
	    "N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:=8E=52=93=63;=91=BE"
	    "=98=59\r\n"
	    "SOUND;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:=D4=CF=C0=DE;="
	    "\r\n=C0=DB=B3\r\n"
	    "TEL;CELL:090-1234-5678\r\nTEL;HOME;VOICE:03-1111-2222\r\n"
	    "EMAIL;INTERNET:yamada@example.ne.jp\r\nEND:VCARD\r\n", -1, "vcf",
	    MUGAI_EXTRACT_OK, "vcf", &r);
	has(&r, "=== 連絡先 / Contact ===\n");
	has(&r, "名前 / Name: 山田 太郎\n");
	has(&r, "よみ / Reading: ﾔﾏﾀﾞ ﾀﾛｳ\n");
	has(&r, "電話 / Phone: 090-1234-5678 (cell)\n");
	has(&r, "電話 / Phone: 03-1111-2222 (home, voice)\n");
	has(&r, "メール / Mail: yamada@example.ne.jp (internet)\n");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(vcard_30_and_40_escapes_and_folding)
{
	struct mugai_extract_result r;

	run("BEGIN:VCARD\nVERSION:3.0\nFN:鈴木 一郎\nN:鈴木;一郎;;;\n"
	    "ORG:株式会社サンプル;営業部\nTITLE:課長\n"
	    "TEL;TYPE=WORK,VOICE:+81-3-1234-5678\n"
	    "EMAIL;TYPE=INTERNET:suzuki@example.co.jp\n"
	    "ADR;TYPE=WORK:;;千代田区霞が関1-1;東京都;;100-0013;日本\n"
	    "NOTE:一行目\\n二行目\\, 続き\n"
	    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\n"
	    "END:VCARD\n"
	    "BEGIN:VCARD\nVERSION:4.0\nFN:Jane\n  Doe\n"
	    "item1.EMAIL;TYPE=work:jane@example.org\nEND:VCARD\n", -1, "auto",
	    MUGAI_EXTRACT_OK, "vcf", &r);
	has(&r, "名前 / Name: 鈴木 一郎\n");
	has(&r, "組織 / Organization: 株式会社サンプル 営業部\n");
	has(&r, "役職 / Title: 課長\n");
	has(&r, "電話 / Phone: +81-3-1234-5678 (work, voice)\n");
	has(&r, "住所 / Address: 千代田区霞が関1-1 東京都  100-0013 日本 "
	    "(work)\n");
	has(&r, "メモ / Note: 一行目\n二行目, 続き\n");
	has(&r, "名前 / Name: Jane Doe\n");
	has(&r, "メール / Mail: jane@example.org (work)\n");
	ck_assert_ptr_null(strstr(r.er_text, "/9j/"));
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(vcard_damaged)
{
	struct mugai_extract_result r;

	run("FN:no card here\n", -1, "vcf", MUGAI_EXTRACT_DAMAGED, "vcf", &r);
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(csv_aligned_columns)
{
	struct mugai_extract_result r;

	run("\xef\xbb\xbf" "会場,日時,定員\r\n市民会館,\"4月1日, 10時\",50\r\n"
	    "第二庁舎,\"4月2日\n午後\",\"\"\"満席\"\"\"\r\n", -1, "csv",
	    MUGAI_EXTRACT_OK, "csv", &r);
	has(&r, "会場      日時          定員\n");
	has(&r, "市民会館  4月1日, 10時  50\n");
	has(&r, "第二庁舎  4月2日 午後   \"満席\"\n");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(csv_cp932_and_tabs)
{
	struct mugai_extract_result r;
	/* "氏名\t所属\n山田\t総務課\n" in CP932 */
	static const char doc[] = "\x8e\x81\x96\xbc\t\x8f\x8a\x91\xae\n"
	    "\x8e\x52\x93\x63\t\x91\x8d\x96\xb1\x89\xdb\n";

	run(doc, sizeof doc - 1, "csv", MUGAI_EXTRACT_OK, "csv", &r);
	has(&r, "氏名  所属\n");
	has(&r, "山田  総務課\n");
	mugai_extract_result_clear(&r);
}
END_TEST

/*
 * What the readers write reaches the body in either output charset: the
 * labels and the text of a Japanese invitation, card and CSV survive
 * ISO-2022-JP (JIS X 0208) unchanged, as they do UTF-8.
 */
static const char *const jis_docs[][2] = {
	{ invitation, "ics" },
	{ "BEGIN:VCARD\nVERSION:3.0\nFN:鈴木 一郎\nORG:株式会社サンプル\n"
	  "TEL;TYPE=WORK:03-1234-5678\nEMAIL:suzuki@example.co.jp\n"
	  "END:VCARD\n", "vcf" },
	{ "会場,日時,定員\n市民会館,4月1日,50\n", "csv" },
};

START_TEST(readers_text_survives_iso2022jp)
{
	struct mugai_extract_result r;
	g_autofree char *jis = NULL, *back = NULL;
	gsize jl = 0, bl = 0;

	run(jis_docs[_i][0], -1, jis_docs[_i][1], MUGAI_EXTRACT_OK,
	    jis_docs[_i][1], &r);
	jis = mugai_charset_from_utf8(r.er_text, r.er_len, "iso-2022-jp",
	    &jl);
	ck_assert_ptr_nonnull(jis);
	for (gsize i = 0; i < jl; i++)
		ck_assert_int_lt((unsigned char)jis[i], 0x80);
	back = mugai_charset_to_utf8(jis, jl, "iso-2022-jp", &bl, NULL, NULL);
	ck_assert_msg(bl == r.er_len && memcmp(back, r.er_text, bl) == 0,
	    "changed by ISO-2022-JP:\n%s\n----\n%s", r.er_text, back);
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(hints_for_calendars_cards_and_csv)
{
	ck_assert_str_eq(mugai_extract_hint("text/calendar; method=REQUEST",
	    NULL), "ics");
	ck_assert_str_eq(mugai_extract_hint("application/ics", NULL), "ics");
	ck_assert_str_eq(mugai_extract_hint("application/octet-stream",
	    "invite.ics"), "ics");
	ck_assert_str_eq(mugai_extract_hint("text/vcard", NULL), "vcf");
	ck_assert_str_eq(mugai_extract_hint("text/x-vcard", NULL), "vcf");
	ck_assert_str_eq(mugai_extract_hint(NULL, "山田.VCF"), "vcf");
	ck_assert_str_eq(mugai_extract_hint("text/csv", NULL), "csv");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("readers");

	t_test(s, ics_invitation_in_words);
	t_test(s, ics_all_day_utc_and_cancel);
	t_test(s, ics_damaged);
	t_test(s, vcard_21_shift_jis_quoted_printable);
	t_test(s, vcard_30_and_40_escapes_and_folding);
	t_test(s, vcard_damaged);
	t_test(s, csv_aligned_columns);
	t_test(s, csv_cp932_and_tabs);
	t_loop_test(s, readers_text_survives_iso2022jp, 0,
	    G_N_ELEMENTS(jis_docs));
	t_test(s, hints_for_calendars_cards_and_csv);
	return t_run(s);
}
