/*
 * ics - iCalendar (text/calendar, .ics) invitations read as text
 *
 * libical parses the calendar (RFC 5545: folding, escapes, parameters);
 * this file writes what a recipient needs of each event, to-do or
 * journal entry: the method (an invitation, a cancellation, a reply),
 * summary, start and end with their time zone, place, organizer,
 * attendees, description and the recurrence in words, each line in
 * Japanese and English. Times are shown as written with their TZID (or
 * UTC): converting them would need the zoneinfo files, which the
 * confined helper cannot open, and the sender's own wall clock is what
 * the invitation says. libical's errors are made non-fatal first (its
 * default aborts), and a calendar it cannot read is damaged ("ics").
 */
#include "autoconfig.h"

#include <string.h>

#include <libical/ical.h>

#include "parsers.h"

#define ICS_MAX_ATTENDEES	50	/* listed; the rest counted */

static void
put_line(struct xjob *job, const char *label, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	x_put(job, label, -1);
	x_put(job, value, -1);
	x_newline(job);
}

/* "2026-04-01 10:00 (Asia/Tokyo)", "2026-04-01 (終日 / all day)". */
static char *
format_time(icalproperty *p)
{
	struct icaltimetype t;
	icalparameter *tz;
	GString *s;

	if (p == NULL)
		return NULL;
	t = icalvalue_get_datetime(icalproperty_get_value(p));
	if (icaltime_is_null_time(t))
		return NULL;
	s = g_string_new(NULL);
	g_string_append_printf(s, "%04d-%02d-%02d", t.year, t.month, t.day);
	if (t.is_date) {
		g_string_append(s, " (終日 / all day)");
		return g_string_free(s, FALSE);
	}
	g_string_append_printf(s, " %02d:%02d", t.hour, t.minute);
	if ((tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER))
	    != NULL && icalparameter_get_tzid(tz) != NULL)
		g_string_append_printf(s, " (%s)", icalparameter_get_tzid(tz));
	else if (icaltime_is_utc(t))
		g_string_append(s, " (UTC)");
	return g_string_free(s, FALSE);
}

/* "山田太郎 <yamada@example.jp>" from CN and a mailto: value. */
static char *
format_person(icalproperty *p)
{
	icalparameter *cn = icalproperty_get_first_parameter(p,
	    ICAL_CN_PARAMETER);
	const char *v = icalproperty_get_value_as_string(p);
	const char *name = cn != NULL ? icalparameter_get_cn(cn) : NULL;

	if (v != NULL && g_ascii_strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	if (name != NULL && name[0] != '\0' && v != NULL && v[0] != '\0')
		return g_strdup_printf("%s <%s>", name, v);
	return g_strdup(name != NULL && name[0] != '\0' ? name : v);
}

static const char *
partstat_words(icalproperty *p)
{
	icalparameter *ps = icalproperty_get_first_parameter(p,
	    ICAL_PARTSTAT_PARAMETER);

	if (ps == NULL)
		return NULL;
	switch (icalparameter_get_partstat(ps)) {
	case ICAL_PARTSTAT_ACCEPTED:
		return "承諾 / accepted";
	case ICAL_PARTSTAT_DECLINED:
		return "辞退 / declined";
	case ICAL_PARTSTAT_TENTATIVE:
		return "仮承諾 / tentative";
	case ICAL_PARTSTAT_NEEDSACTION:
		return "未回答 / needs action";
	default:
		return NULL;
	}
}

static const char *const day_ja[] = { "日", "月", "火", "水", "木", "金",
	"土" };
static const char *const day_en[] = { "Sunday", "Monday", "Tuesday",
	"Wednesday", "Thursday", "Friday", "Saturday" };

/* The recurrence rule in words: "毎週 月・水曜日 (10回) / weekly on
 * Monday, Wednesday (10 times)". */
static char *
rrule_words(struct icalrecurrencetype r)
{
	static const char *const ja[] = { "毎秒", "毎分", "毎時", "毎日",
	    "毎週", "毎月", "毎年" };
	static const char *const en[] = { "every second", "every minute",
	    "hourly", "daily", "weekly", "monthly", "yearly" };
	static const char *const unit_ja[] = { "秒", "分", "時間", "日", "週",
	    "か月", "年" };
	static const char *const unit_en[] = { "seconds", "minutes", "hours",
	    "days", "weeks", "months", "years" };
	GString *j = g_string_new(NULL), *e = g_string_new(NULL);
	int f = (int)r.freq;

	if (f < ICAL_SECONDLY_RECURRENCE || f > ICAL_YEARLY_RECURRENCE) {
		g_string_free(j, TRUE);
		g_string_free(e, TRUE);
		return NULL;
	}
	if (r.interval > 1) {
		g_string_append_printf(j, "%d%sごと", r.interval, unit_ja[f]);
		g_string_append_printf(e, "every %d %s", r.interval,
		    unit_en[f]);
	} else {
		g_string_append(j, ja[f]);
		g_string_append(e, en[f]);
	}
	if (r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		g_string_append_c(j, ' ');
		g_string_append(e, " on ");
		for (int i = 0; i < ICAL_BY_DAY_SIZE &&
		    r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
			int d = (int)icalrecurrencetype_day_day_of_week(
			    r.by_day[i]) - 1;
			int pos = icalrecurrencetype_day_position(r.by_day[i]);

			if (d < 0 || d > 6)
				continue;
			if (i > 0) {
				g_string_append(j, "・");
				g_string_append(e, ", ");
			}
			if (pos > 0) {
				g_string_append_printf(j, "第%d", pos);
				g_string_append_printf(e, "the %d. ", pos);
			} else if (pos < 0) {
				g_string_append(j, "最終");
				g_string_append(e, "the last ");
			}
			g_string_append(j, day_ja[d]);
			g_string_append(e, day_en[d]);
		}
		g_string_append(j, "曜日");
	}
	if (r.by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    r.by_month_day[0] > 0) {
		g_string_append_printf(j, " %d日", r.by_month_day[0]);
		g_string_append_printf(e, " on day %d", r.by_month_day[0]);
	}
	if (r.count > 0) {
		g_string_append_printf(j, " (%d回)", r.count);
		g_string_append_printf(e, " (%d times)", r.count);
	} else if (!icaltime_is_null_time(r.until)) {
		g_string_append_printf(j, " (%04d-%02d-%02dまで)", r.until.year,
		    r.until.month, r.until.day);
		g_string_append_printf(e, " (until %04d-%02d-%02d)",
		    r.until.year, r.until.month, r.until.day);
	}
	g_string_append(j, " / ");
	g_string_append(j, e->str);
	g_string_free(e, TRUE);
	return g_string_free(j, FALSE);
}

static const char *
kind_words(icalcomponent_kind k)
{
	switch (k) {
	case ICAL_VTODO_COMPONENT:
		return "=== 予定表: タスク / Calendar: to-do ===";
	case ICAL_VJOURNAL_COMPONENT:
		return "=== 予定表: メモ / Calendar: journal ===";
	default:
		return "=== 予定表: 予定 / Calendar: event ===";
	}
}

static void
put_component(struct xjob *job, icalcomponent *c)
{
	icalproperty *p;
	guint attendees = 0;
	char *s;

	x_paragraph(job);
	x_put(job, kind_words(icalcomponent_isa(c)), -1);
	x_newline(job);
	if ((p = icalcomponent_get_first_property(c, ICAL_SUMMARY_PROPERTY)))
		put_line(job, "件名 / Summary: ", icalproperty_get_summary(p));
	s = format_time(icalcomponent_get_first_property(c,
	    ICAL_DTSTART_PROPERTY));
	put_line(job, "開始 / Start: ", s);
	g_free(s);
	s = format_time(icalcomponent_get_first_property(c,
	    icalcomponent_isa(c) == ICAL_VTODO_COMPONENT ?
	    ICAL_DUE_PROPERTY : ICAL_DTEND_PROPERTY));
	put_line(job, icalcomponent_isa(c) == ICAL_VTODO_COMPONENT ?
	    "期限 / Due: " : "終了 / End: ", s);
	g_free(s);
	if ((p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY))) {
		s = rrule_words(icalproperty_get_rrule(p));
		put_line(job, "繰り返し / Repeats: ", s);
		g_free(s);
	}
	if ((p = icalcomponent_get_first_property(c,
	    ICAL_LOCATION_PROPERTY)))
		put_line(job, "場所 / Location: ",
		    icalproperty_get_location(p));
	if ((p = icalcomponent_get_first_property(c,
	    ICAL_ORGANIZER_PROPERTY))) {
		s = format_person(p);
		put_line(job, "主催者 / Organizer: ", s);
		g_free(s);
	}
	for (p = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY);
	    p != NULL && !x_done(job);
	    p = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
		const char *st = partstat_words(p);
		char *line;

		if (++attendees > ICS_MAX_ATTENDEES)
			continue;
		s = format_person(p);
		line = st != NULL ? g_strdup_printf("%s (%s)", s, st) :
		    g_strdup(s);
		put_line(job, "参加者 / Attendee: ", line);
		g_free(line);
		g_free(s);
	}
	if (attendees > ICS_MAX_ATTENDEES) {
		s = g_strdup_printf("ほか%u名 / %u more",
		    attendees - ICS_MAX_ATTENDEES,
		    attendees - ICS_MAX_ATTENDEES);
		put_line(job, "参加者 / Attendee: ", s);
		g_free(s);
	}
	if ((p = icalcomponent_get_first_property(c,
	    ICAL_DESCRIPTION_PROPERTY)) != NULL &&
	    icalproperty_get_description(p) != NULL) {
		x_put(job, "内容 / Description:", -1);
		x_newline(job);
		x_put(job, icalproperty_get_description(p), -1);
		x_newline(job);
	}
}

static const char *
method_words(icalproperty_method m)
{
	switch (m) {
	case ICAL_METHOD_REQUEST:
		return "会議への招待 / Invitation";
	case ICAL_METHOD_CANCEL:
		return "取り消し / Cancellation";
	case ICAL_METHOD_REPLY:
		return "出欠の返信 / Reply";
	case ICAL_METHOD_PUBLISH:
		return "予定の公開 / Published calendar";
	case ICAL_METHOD_COUNTER:
		return "日時の変更案 / Counter-proposal";
	default:
		return NULL;
	}
}

void
x_ics(struct xjob *job)
{
	g_autofree char *text = g_strndup((const char *)job->xj_data,
	    job->xj_len);
	icalcomponent *root, *c;
	icalproperty *m;
	guint n = 0;

	job->xj_kind = "ics";
	icalerror_set_errors_are_fatal(0);
	if (!g_utf8_validate(text, -1, NULL)) {
		char *u = g_utf8_make_valid(text, -1);

		g_free(text);
		text = u;
	}
	root = icalparser_parse_string(text);
	if (root == NULL) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "ics");
		return;
	}
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT &&
	    (m = icalcomponent_get_first_property(root,
	    ICAL_METHOD_PROPERTY)) != NULL &&
	    method_words(icalproperty_get_method(m)) != NULL) {
		x_put(job, method_words(icalproperty_get_method(m)), -1);
		x_newline(job);
	}
	if (icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT ||
	    icalcomponent_isa(root) == ICAL_VTODO_COMPONENT) {
		put_component(job, root);
		n++;
	}
	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
	    c != NULL && !x_stop(job);
	    c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind k = icalcomponent_isa(c);

		if (k != ICAL_VEVENT_COMPONENT && k != ICAL_VTODO_COMPONENT &&
		    k != ICAL_VJOURNAL_COMPONENT)
			continue;
		put_component(job, c);
		n++;
	}
	icalcomponent_free(root);
	if (n == 0)
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "ics");
	if (job->xj_cut)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
}
