/*
 * check_pwwait - the table of encrypted archives waiting for their
 * password mail: who matches, the window, forgetting, the size bound.
 */
#include "autoconfig.h"

#include "t/testutil.h"
#include "ppap/pwwait.h"

static const char *const to_ab[] = { "a@city.example.jp",
    "B@city.example.jp", NULL };
static const char *const to_b[] = { "b@CITY.example.jp", NULL };
static const char *const to_c[] = { "c@city.example.jp", NULL };

START_TEST(same_sender_and_recipient_in_window)
{
	struct mugai_pwwait *t = mugai_pwwait_new();
	GPtrArray *m;
	struct mugai_pwwait_item *it;

	mugai_pwwait_add(t, "Sales@Partner.example.co.jp", to_ab, "ID1", "2",
	    1000);
	m = mugai_pwwait_match(t, "sales@partner.example.co.jp", to_b, 1060,
	    600);
	ck_assert_uint_eq(m->len, 1);
	it = g_ptr_array_index(m, 0);
	ck_assert_str_eq(it->pi_id, "ID1");
	ck_assert_str_eq(it->pi_part, "2");
	ck_assert_str_eq(it->pi_rcpt, "b@city.example.jp");
	g_ptr_array_unref(m);
	/* Another recipient, another sender, before the archive. */
	m = mugai_pwwait_match(t, "sales@partner.example.co.jp", to_c, 1060,
	    600);
	ck_assert_uint_eq(m->len, 0);
	g_ptr_array_unref(m);
	m = mugai_pwwait_match(t, "other@partner.example.co.jp", to_b, 1060,
	    600);
	ck_assert_uint_eq(m->len, 0);
	g_ptr_array_unref(m);
	m = mugai_pwwait_match(t, "sales@partner.example.co.jp", to_b, 999,
	    600);
	ck_assert_uint_eq(m->len, 0);
	g_ptr_array_unref(m);
	/* Past the window: gone. */
	m = mugai_pwwait_match(t, "sales@partner.example.co.jp", to_b, 1600,
	    600);
	ck_assert_uint_eq(m->len, 0);
	g_ptr_array_unref(m);
	mugai_pwwait_free(t);
}
END_TEST

START_TEST(newest_first_once_each_and_forget)
{
	struct mugai_pwwait *t = mugai_pwwait_new();
	GPtrArray *m;

	mugai_pwwait_add(t, "s@x.jp", to_ab, "OLD", "2", 100);
	mugai_pwwait_add(t, "s@x.jp", to_ab, "NEW", "1.2", 200);
	m = mugai_pwwait_match(t, "s@x.jp", to_ab, 250, 600);
	ck_assert_uint_eq(m->len, 2);
	ck_assert_str_eq(((struct mugai_pwwait_item *)
	    g_ptr_array_index(m, 0))->pi_id, "NEW");
	ck_assert_str_eq(((struct mugai_pwwait_item *)
	    g_ptr_array_index(m, 1))->pi_id, "OLD");
	g_ptr_array_unref(m);
	mugai_pwwait_forget(t, "NEW");
	m = mugai_pwwait_match(t, "s@x.jp", to_b, 250, 600);
	ck_assert_uint_eq(m->len, 1);
	ck_assert_str_eq(((struct mugai_pwwait_item *)
	    g_ptr_array_index(m, 0))->pi_id, "OLD");
	g_ptr_array_unref(m);
	mugai_pwwait_free(t);
}
END_TEST

START_TEST(bounded)
{
	struct mugai_pwwait *t = mugai_pwwait_new();
	GPtrArray *m;
	char last[32];

	for (guint i = 0; i < MUGAI_PWWAIT_MAX + 5; i++) {
		char id[16], from[32];

		g_snprintf(id, sizeof id, "ID%u", i);
		g_snprintf(from, sizeof from, "s%u@x.jp", i);
		mugai_pwwait_add(t, from, to_c, id, "2", 100);
	}
	/* The oldest went first. */
	m = mugai_pwwait_match(t, "s4@x.jp", to_c, 100, 600);
	ck_assert_uint_eq(m->len, 0);
	g_ptr_array_unref(m);
	m = mugai_pwwait_match(t, "s5@x.jp", to_c, 100, 600);
	ck_assert_uint_eq(m->len, 1);
	g_ptr_array_unref(m);
	g_snprintf(last, sizeof last, "s%u@x.jp", MUGAI_PWWAIT_MAX + 4);
	m = mugai_pwwait_match(t, last, to_c, 100, 600);
	ck_assert_uint_eq(m->len, 1);
	g_ptr_array_unref(m);
	mugai_pwwait_free(t);
}
END_TEST

/* A burst from one sender to one recipient keeps only its newest. */
START_TEST(bounded_per_sender_and_recipient)
{
	struct mugai_pwwait *t = mugai_pwwait_new();
	GPtrArray *m;

	mugai_pwwait_add(t, "s@x.jp", to_b, "OTHER", "2", 100);
	for (guint i = 0; i < MUGAI_PWWAIT_PAIR_MAX + 4; i++) {
		char id[16];

		g_snprintf(id, sizeof id, "ID%u", i);
		mugai_pwwait_add(t, "S@x.jp", to_c, id, "2", 100 + i);
	}
	m = mugai_pwwait_match(t, "s@x.jp", to_c, 200, 600);
	ck_assert_uint_eq(m->len, MUGAI_PWWAIT_PAIR_MAX);
	ck_assert_str_eq(((struct mugai_pwwait_item *)
	    g_ptr_array_index(m, 0))->pi_id, "ID19");
	ck_assert_str_eq(((struct mugai_pwwait_item *)g_ptr_array_index(m,
	    MUGAI_PWWAIT_PAIR_MAX - 1))->pi_id, "ID4");
	g_ptr_array_unref(m);
	/* Another recipient of the same sender is not pushed out. */
	m = mugai_pwwait_match(t, "s@x.jp", to_b, 200, 600);
	ck_assert_uint_eq(m->len, 1);
	g_ptr_array_unref(m);
	mugai_pwwait_free(t);
}
END_TEST

START_TEST(encrypted_part_of_a_report)
{
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p;

	ck_assert_ptr_null(mugai_pwwait_encrypted_part(r));
	p = mugai_report_add_part(r, "1", "part");
	p->rp_action = MUGAI_ACT_TEXT;
	p = mugai_report_add_part(r, "2", "part");
	p->rp_action = MUGAI_ACT_QUARANTINE;
	mugai_report_part_flag(p, "zip");
	ck_assert_ptr_null(mugai_pwwait_encrypted_part(r));
	p = mugai_report_add_part(r, "3", "part");
	p->rp_action = MUGAI_ACT_QUARANTINE;
	mugai_report_part_flag(p, "encrypted");
	ck_assert_str_eq(mugai_pwwait_encrypted_part(r), "3");
	mugai_report_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pwwait");

	t_test(s, same_sender_and_recipient_in_window);
	t_test(s, newest_first_once_each_and_forget);
	t_test(s, bounded);
	t_test(s, bounded_per_sender_and_recipient);
	t_test(s, encrypted_part_of_a_report);
	return t_run(s);
}
