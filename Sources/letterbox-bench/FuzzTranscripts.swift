/// Valid client transcripts of the four protocols, the network fuzzer's starting points, and the
/// tokens its mutations insert. Each transcript is what one client sends over one connection,
/// pipelined (the fuzzer does not wait for replies, so the server's PIPELINING and literal
/// handling are exercised too). Letterbox accepts any login without `--users`.
enum FuzzTranscripts {
    enum ProtocolName: String, CaseIterable, Sendable {
        case smtp, pop3, imap, http
    }

    static func all(_ name: ProtocolName) -> [[UInt8]] {
        switch name {
        case .smtp: smtp
        case .pop3: pop3
        case .imap: imap
        case .http: http
        }
    }

    private static func lines(_ lines: [String]) -> [UInt8] { Array(lines.map { $0 + "\r\n" }.joined().utf8) }

    private static let message =
        "From: Fuzz <fuzz@example.com>\r\nTo: sink@example.com\r\nSubject: =?utf-8?q?fuzz?=\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
        + "Content-Type: text/plain\r\n\r\nhello\r\n..stuffed\r\n--b\r\nContent-Type: text/html\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\nPGI+aGk8L2I+\r\n--b--\r\n"

    static let smtp: [[UInt8]] = [
        lines([
            "EHLO fuzz.example", "MAIL FROM:<a@example.com> SIZE=300 BODY=8BITMIME", "RCPT TO:<b@example.com>",
            "RCPT TO:<c@example.org> NOTIFY=NEVER", "DATA",
        ]) + Array(message.utf8) + lines([".", "QUIT"]),
        lines(["EHLO fuzz", "MAIL FROM:<> BODY=BINARYMIME", "RCPT TO:<b@example.com>", "BDAT 25"])
            + Array("Subject: bdat\r\n\r\nchunk1\r\n".utf8) + lines(["BDAT 8 LAST"]) + Array("chunk2\r\n".utf8)
            + lines(["QUIT"]),
        lines([
            "HELO fuzz", "AUTH PLAIN AGEAYg==", "EHLO again", "AUTH LOGIN", "YQ==", "Yg==", "MAIL FROM:<x@y> SMTPUTF8",
            "RCPT TO:<ü@example.com>", "RSET", "NOOP", "VRFY a", "HELP", "STARTTLS", "QUIT",
        ]),
        lines([
            "EHLO fuzz", "AUTH CRAM-MD5", "YSBmMjA0M2E1NmI1NGQ3NjE0ZmI5ZGY5NzZhNmQ3ZmUyYw==", "MAIL FROM:<a@b>",
            "RCPT TO:<c@d>", "DATA",
        ])
            + Array("Subject: x\r\n\r\n.\r\n".utf8) + lines(["MAIL FROM:<a@b>", "RCPT TO:<e@f>", "DATA"])
            + Array("\r\n".utf8) + lines([".", "QUIT"]),
    ]

    static let pop3: [[UInt8]] = [
        lines([
            "CAPA", "USER fuzz", "PASS fuzz", "STAT", "LIST", "UIDL", "RETR 1", "TOP 1 3", "DELE 1", "RSET", "NOOP",
            "QUIT",
        ]),
        lines(["AUTH PLAIN AGZ1enoAZnV6eg==", "LIST 1", "UIDL 2", "TOP 2 0", "DELE 2", "QUIT"]),
        lines(["AUTH PLAIN", "AGEAYg==", "STAT", "RETR 3", "LAST", "APOP a b", "QUIT"]),
        lines(["USER a", "STLS", "PASS b", "LIST", "DELE 1", "DELE 1", "QUIT"]),
    ]

    static let imap: [[UInt8]] = [
        lines([
            "a1 CAPABILITY", "a2 LOGIN fuzz fuzz", "a3 SELECT INBOX",
            "a4 FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])",
            "a5 UID FETCH 1:* (BODY[1.MIME] BODY.PEEK[TEXT]<0.100> BINARY.PEEK[1])",
            "a6 SEARCH CHARSET UTF-8 OR TEXT \"hello\" NOT FROM a SINCE 1-Jan-2020 LARGER 10 UID 1:*",
            "a7 UID SORT (REVERSE ARRIVAL) UTF-8 ALL", "a8 STORE 1:* +FLAGS.SILENT (\\Seen \\Deleted)", "a9 EXPUNGE",
            "a10 LOGOUT",
        ]),
        lines(["b1 LOGIN {4}"]) + Array("fuzz {4+}\r\nfuzz\r\n".utf8)
            + lines(["b2 APPEND INBOX (\\Seen) \"07-Dec-2026 01:02:03 +0000\" {27}"])
            + Array("Subject: appended\r\n\r\nbody\r\n".utf8) + lines(["", "b3 APPEND Sent {17+}"])
            + Array("Subject: s\r\n\r\nb\r\n".utf8) + lines(["", "b4 SELECT INBOX", "b5 IDLE", "DONE", "b6 LOGOUT"]),
        lines([
            "c1 AUTHENTICATE PLAIN AGZ1enoAZnV6eg==", "c2 LIST \"\" \"*\"", "c3 CREATE Fuzz/Sub",
            "c4 RENAME Fuzz Fuzzed",
            "c5 STATUS INBOX (MESSAGES UIDNEXT UNSEEN)", "c6 EXAMINE INBOX", "c7 UID COPY 1:* Fuzzed",
            "c8 UID MOVE 1 Fuzzed", "c9 DELETE Fuzzed/Sub", "c10 NAMESPACE", "c11 ENABLE UTF8=ACCEPT",
            "c12 ID (\"name\" \"fuzz\")", "c13 UNSELECT", "c14 LSUB \"\" %", "c15 LOGOUT",
        ]),
        lines([
            "d1 LOGIN \"fu\\\"zz\" fuzz", "d2 SELECT INBOX", "d3 ESEARCH",
            "d4 SEARCH RETURN (MIN MAX COUNT) HEADER Subject fuzz",
            "d5 FETCH *:1 (BODY[HEADER.FIELDS.NOT (To)] INTERNALDATE UID)", "d6 IDLE", "DONE", "d7 CHECK", "d8 CLOSE",
            "d9 LOGOUT",
        ]),
    ]

    static let http: [[UInt8]] = [
        Array(
            ("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /messages.json?to=b%40example.com&contains=hello HTTP/1.1\r\n"
                + "Host: localhost\r\nAccept: application/json\r\n\r\nGET /messages/1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /messages/1.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").utf8),
        Array(
            ("GET /messages/1/raw HTTP/1.1\r\nHost: localhost\r\n\r\nGET /messages/1/headers.json HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /messages/1/parts HTTP/1.1\r\nHost: localhost\r\n\r\nGET /messages/1/parts/1.2 HTTP/1.1\r\n\r\n"
                + "HEAD /messages/1/html HTTP/1.0\r\n\r\n").utf8),
        Array(
            ("GET /messages/wait?subject=never&timeout=0.5 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /messages/wait.json?to=nobody%40example.com&since=1&timeout=1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .utf8),
        Array(
            ("POST /faults HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n\r\n"
                + "rcpt=bounce@*:550 5.1.1 noDELETE /faults/1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\nPOST /faults HTTP/1.1\r\nHost: localhost\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nmail:\r\n0\r\n\r\nDELETE /messages?subject=zzz HTTP/1.1\r\n\r\n")
                .utf8),
    ]

    /// Tokens the mutations insert or substitute: syntax the parsers branch on, and numbers at the
    /// edges of integer types.
    static let dictionary: [[UInt8]] = [
        "=", " =", "==", ":", "<", ">", "<>", "@", "\"", "\\", "(", ")", "[", "]", "{", "}", "{0}", "{1}",
        "{4294967296}",
        "{99999999999999999999+}", "{-1}", "*", "%", ":*", "1:*", "*:*", "0", "-1", "4294967295", "4294967296",
        "18446744073709551616", "99999999999999999999", "1e9", "0x10", ".", "..", "\r\n.\r\n", "\n.\n", "\r\n", "\r",
        "\n",
        "\0", "\u{7F}", "\u{FF}", "%00", "%", "%ZZ", "/../", "?", "&", "#", "SIZE=", "BODY=", "AUTH=", "NOTIFY=",
        "<0.4294967295>",
        "BODY[", "BODY[]", "BODY[HEADER.FIELDS (", "BINARY[1.2.3.4.5.6.7.8.9]", "NOT NOT NOT NOT", "OR OR OR",
        "Content-Length: ", "Transfer-Encoding: chunked\r\n", "ffffffffffffffff\r\n", "timeout=", "?timeout=1e308",
        "DONE\r\n",
        "LAST", "BDAT 4294967296\r\n", "AUTH PLAIN =\r\n", "=?utf-8?b?=?=", "\u{1F4E8}",
    ].map { Array($0.utf8) }

    /// Numbers a digit run is replaced with.
    static let hugeNumbers: [[UInt8]] = [
        "0", "00000000000000000000001", "-1", "2147483647", "2147483648", "4294967295", "4294967296",
        "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999999999999999999",
        "1e9", "1.5", "+1",
    ].map { Array($0.utf8) }
}
