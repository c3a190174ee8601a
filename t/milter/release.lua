-- release.lua - X-Mugai-Release through the real daemon. The runner made
-- the token with `mugai quarantine release ID --to user@lgwan.example` for
-- an item whose original is the RELEASED message below, and passes it as
-- -D token=VALUE. The token passes that original, to that recipient, once
-- (behind the MTA's Received: trace); on other content or for another
-- recipient it is forged: removed, and the message sanitized like any mail.
dofile(libdir .. "/lib.lua")

local conn = open_conn()

local function send(qid, rcpt, headers, body)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	ok(mt.mailfrom(conn, "<sender@example.jp>"), "mailfrom")
	ok(mt.rcptto(conn, rcpt), "rcptto")
	for i = 1, #headers, 2 do
		ok(mt.header(conn, headers[i], headers[i + 1]), "header " ..
		    headers[i])
	end
	ok(mt.eoh(conn), "eoh")
	send_body(conn, body, 5)
	ok(mt.eom(conn), "eom " .. qid)
	check(mt.getreply(conn) == SMFIR_CONTINUE, qid .. ": continue")
end

local function sanitized(qid)
	check(mt.eom_check(conn, MT_HDRDELETE, "X-Mugai-Release"),
	    qid .. ": the token is removed")
	check(mt.eom_check(conn, MT_HDRADD, "X-Mugai-Sanitized"),
	    qid .. ": sanitized like any mail")
end

-- miltertest puts a space after the colon itself.
local headers = {
	"Received", "by mx.example.jp (Postfix, from userid 0) id REL1",
	"X-Mugai-Release", token,
	"From", "sender@example.jp",
	"Subject", "released",
}
-- Past spool_mem_max (1K): the spool is a file, read twice.
local original = string.rep("Released text.\r\n", 150)

-- The token on other content: an attacker's message under a copied token.
send("FORGEDC", "<user@lgwan.example>", headers,
    string.rep("<script>alert(1)</script>\r\n", 100))
sanitized("FORGEDC")

-- The token on the original, but for another recipient.
send("FORGEDR", "<other@lgwan.example>", headers, original)
sanitized("FORGEDR")

-- The release it was made for passes unchanged (the two tries above did
-- not use it up).
send("RELEASED", "<user@lgwan.example>", headers, original)
check(not mt.eom_check(conn, MT_HDRADD, "X-Mugai-Sanitized"),
    "released: nothing added")
check(not mt.eom_check(conn, MT_HDRDELETE), "released: nothing removed")
check(not mt.eom_check(conn, MT_BODYCHANGE), "released: body unchanged")

-- Once.
send("REPLAY", "<user@lgwan.example>", headers, original)
sanitized("REPLAY")

mt.disconnect(conn)
