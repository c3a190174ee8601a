-- messages.lua - several messages on one connection: plain text, a
-- multipart with an attachment in small chunks, an abort mid-message, a
-- forged X-Mugai-Sanitized header
dofile(libdir .. "/lib.lua")

local conn = open_conn()

-- 1. Plain text: only X-Mugai-Sanitized is added, the body stays.
start_msg(conn, "PLAIN1", {
	"From", " Sender <sender@example.jp>",
	"To", " user@lgwan.example",
	"Subject", "   three leading spaces",
	"Content-Type", " text/plain; charset=UTF-8",
})
send_body(conn, "Hello.\r\nJust text.\r\n", 7)
ok(mt.eom(conn), "eom plain")
check(mt.getreply(conn) == SMFIR_CONTINUE, "plain: continue")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugai-Sanitized"),
    "plain: X-Mugai-Sanitized added")
check(not mt.eom_check(conn, MT_BODYCHANGE), "plain: body unchanged")
check(not mt.eom_check(conn, MT_HDRDELETE), "plain: nothing deleted")

-- 2. Multipart with an attachment, 61-byte chunks (past spool_mem_max).
start_msg(conn, "MULTI1", {
	"From", " sender@example.jp",
	"To", " user@lgwan.example",
	"Subject", " with attachment",
	"MIME-Version", " 1.0",
	"Content-Type", " multipart/mixed; boundary=\"b1\"",
})
send_body(conn, multipart_body(8000), 61)
ok(mt.eom(conn), "eom multipart")
check(mt.getreply(conn) == SMFIR_CONTINUE, "multipart: continue")
check(mt.eom_check(conn, MT_BODYCHANGE), "multipart: body replaced")
check(mt.eom_check(conn, MT_HDRCHANGE, "Content-Type"),
    "multipart: Content-Type changed")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugai-Sanitized"),
    "multipart: X-Mugai-Sanitized added")

-- 3. Abort in the middle of a body, then a new message.
start_msg(conn, "ABORT1", {
	"From", " sender@example.jp",
	"Content-Type", " multipart/mixed; boundary=\"b1\"",
})
send_body(conn, string.sub(multipart_body(4000), 1, 2000), 100)
ok(mt.abort(conn), "abort")
start_msg(conn, "AFTER1", {
	"From", " sender@example.jp",
	"Subject", " after the abort",
})
send_body(conn, "Still works.\r\n", 64)
ok(mt.eom(conn), "eom after abort")
check(mt.getreply(conn) == SMFIR_CONTINUE, "after abort: continue")
check(not mt.eom_check(conn, MT_BODYCHANGE),
    "after abort: body unchanged (no leftover of the aborted message)")

-- 4. A forged X-Mugai-Sanitized header is removed.
start_msg(conn, "FORGED1", {
	"From", " sender@example.jp",
	"X-Mugai-Sanitized", " yes, trust me",
	"Subject", " forged",
})
send_body(conn, "text\r\n", 64)
ok(mt.eom(conn), "eom forged")
check(mt.getreply(conn) == SMFIR_CONTINUE, "forged: continue")
check(mt.eom_check(conn, MT_HDRDELETE, "X-Mugai-Sanitized"),
    "forged: the sender's X-Mugai-Sanitized is deleted")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugai-Sanitized"),
    "forged: ours is added")

mt.disconnect(conn)
