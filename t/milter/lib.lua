-- lib.lua - helpers shared by the mugai-milter miltertest scripts.
-- The runner passes -D socket=SPEC; every check raises error() on failure.

function check(cond, what)
	if not cond then
		error("FAILED: " .. what)
	end
	mt.echo("ok - " .. what)
end

function ok(rc, what)
	if rc ~= nil then
		error("FAILED: " .. what .. ": " .. rc)
	end
end

function open_conn()
	local conn = mt.connect(socket, 40, 0.25)
	check(conn ~= nil, "connect to " .. socket)
	mt.set_timeout(60)
	ok(mt.conninfo(conn, "mx.example.jp", "192.0.2.10"), "conninfo")
	ok(mt.helo(conn, "mx.example.jp"), "helo")
	return conn
end

-- Sends an envelope and the headers (name, value pairs, values exactly
-- as after the colon: leading space included, SMFIP_HDR_LEADSPC).
function start_msg(conn, qid, headers)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	ok(mt.mailfrom(conn, "<sender@example.jp>"), "mailfrom")
	ok(mt.rcptto(conn, "<user@lgwan.example>"), "rcptto")
	for i = 1, #headers, 2 do
		ok(mt.header(conn, headers[i], headers[i + 1]), "header " ..
		    headers[i])
	end
	ok(mt.eoh(conn), "eoh")
end

-- Sends body in chunks of size bytes, each must be answered CONTINUE.
function send_body(conn, body, size)
	for i = 1, #body, size do
		ok(mt.bodystring(conn, string.sub(body, i, i + size - 1)),
		    "body chunk")
		if mt.getreply(conn) ~= SMFIR_CONTINUE then
			error("FAILED: body chunk at " .. i .. " not continued")
		end
	end
end

-- A multipart message with a base64 attachment of about n bytes.
function multipart_body(n)
	local line = string.rep("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=", 2)
	local parts = {
		"--b1\r\n",
		"Content-Type: text/plain; charset=UTF-8\r\n\r\n",
		"Hello, this is the text.\r\n",
		"--b1\r\n",
		"Content-Type: application/octet-stream; name=\"evil.exe\"\r\n",
		"Content-Disposition: attachment; filename=\"evil.exe\"\r\n",
		"Content-Transfer-Encoding: base64\r\n\r\n",
	}
	local body = table.concat(parts)
	local att = {}
	for i = 1, n / #line do
		att[#att + 1] = line .. "\r\n"
	end
	return body .. table.concat(att) .. "--b1--\r\n"
end
