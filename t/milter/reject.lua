-- reject.lua - with on_error = reject, a message that cannot be
-- sanitized is refused with 550 5.7.1 and the configured text, and a
-- message past max_message_size is refused during the body.
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

-- Past max_message_size (runner sets 64K): refused while the body comes.
start_msg(conn, "BIG1", {
	"From", " sender@example.jp",
	"Subject", " too big",
})
local chunk = string.rep("x", 1000) .. "\r\n"
local refused = false
for i = 1, 80 do
	ok(mt.bodystring(conn, chunk), "big body chunk")
	if mt.getreply(conn) ~= SMFIR_CONTINUE then
		refused = true
		break
	end
end
check(refused, "too big: refused during the body")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "too big: with a reply code")
mt.disconnect(conn)
