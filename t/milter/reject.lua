-- reject.lua - with on_error = reject, a message that cannot be
-- sanitized is refused with 550 5.7.1 and the configured text, and a
-- message past max_message_size is refused at end of message.
dofile(libdir .. "/lib.lua")

local conn = open_conn()

-- An encrypted S/MIME message cannot be sanitized with certainty.
start_msg(conn, "ENC1", {
	"From", " sender@example.jp",
	"Subject", " encrypted",
	"MIME-Version", " 1.0",
	"Content-Type", " multipart/encrypted; " ..
	    "protocol=\"application/pgp-encrypted\"; boundary=\"e1\"",
})
send_body(conn, "--e1\r\nContent-Type: application/pgp-encrypted\r\n\r\n" ..
    "Version: 1\r\n--e1\r\nContent-Type: application/octet-stream\r\n\r\n" ..
    "-----BEGIN PGP MESSAGE-----\r\nhQEMA\r\n" ..
    "-----END PGP MESSAGE-----\r\n--e1--\r\n", 40)
ok(mt.eom(conn), "eom encrypted")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "encrypted: reply code set")
check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
    "Refused by test policy"), "encrypted: 550 5.7.1 with reject_text")

-- MIME nesting past max_depth (20): a limit, refused with 550 5.7.1 (the
-- runner checks the log line names it: limit=max_depth).
start_msg(conn, "DEEP1", {
	"From", " sender@example.jp",
	"Subject", " too deep",
	"MIME-Version", " 1.0",
	"Content-Type", " multipart/mixed; boundary=\"n1\"",
})
local deep = "--n1\r\n"
for i = 2, 21 do
	deep = deep .. "Content-Type: multipart/mixed; boundary=\"n" .. i ..
	    "\"\r\n\r\n--n" .. i .. "\r\n"
end
deep = deep .. "Content-Type: text/plain\r\n\r\nDeep text.\r\n"
for i = 21, 1, -1 do
	deep = deep .. "--n" .. i .. "--\r\n"
end
send_body(conn, deep, 100)
ok(mt.eom(conn), "eom deep")
check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
    "Refused by test policy"), "too deep: 550 5.7.1 with reject_text")

-- Past max_message_size (runner sets 64K): refused at end of message.
-- Body chunks get no reply (SMFIP_NR_BODY), so every one is taken; the
-- chunks after the cap are dropped unread.
start_msg(conn, "BIG1", {
	"From", " sender@example.jp",
	"Subject", " too big",
})
local chunk = string.rep("x", 1000) .. "\r\n"
for i = 1, 80 do
	ok(mt.bodystring(conn, chunk), "big body chunk")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "too big: chunk taken")
end
ok(mt.eom(conn), "eom too big")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "too big: with a reply code")
check(mt.eom_check(conn, MT_SMTPREPLY, "552", "5.3.4",
    "Message too big for the mail sanitization policy"),
    "too big: 552 5.3.4")
mt.disconnect(conn)
