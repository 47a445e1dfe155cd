import LetterboxPOP3
import LetterboxStore
import Testing

/// Plays POP3 transcripts against the session state machine; the maildrop is supplied inline.
struct POP3Script {
    var session: POP3Session
    var maildrop: [Message]
    private(set) var committed: [UInt64]?
    /// Set once the session asked to close the connection.
    private(set) var closed = false
    /// Every delay the session asked for, in order.
    private(set) var delays: [Duration] = []

    init(
        _ maildrop: [Message] = [], credentials: Credentials = .anyone, requireTLS: Bool = false,
        canStartTLS: Bool = false
    ) {
        var configuration = POP3Configuration(hostname: "test.local", credentials: credentials)
        configuration.requireTLS = requireTLS
        session = POP3Session(configuration: configuration, timestamp: "<1.2@test.local>", canStartTLS: canStartTLS)
        self.maildrop = maildrop
    }

    /// Sends a line; returns the status line and, for multi-line replies, the lines (unstuffed).
    mutating func send(_ line: String) -> [String] {
        var action = session.receive(Array(line.utf8))
        while case .delayed(let duration, let next) = action {
            delays.append(duration)
            action = next
        }
        if case .openMaildrop = action { action = session.maildropOpened(maildrop, uidValidity: 7) }
        switch action {
        case .reply(let status): return [status]
        case .close(let status):
            closed = true
            return [status]
        case .multiline(let status, let lines): return [status] + lines
        case .retrieve(let status, let message, _, _): return [status, "<message \(message.id)>"]
        case .commit(let ids, let reply):
            committed = ids
            return [reply]
        case .openMaildrop: return ["<maildrop not opened>"]
        case .delayed: return ["<delay not unwrapped>"]
        case .startTLS(let reply):
            session.tlsStarted()  // as if the handshake succeeded
            return [reply]
        }
    }
}

func message(_ id: UInt64, _ raw: String, to recipients: [String] = ["ana@example.com"]) -> Message {
    Message(id: id, raw: Array(raw.utf8), envelope: Envelope(sender: "s@example.com", recipients: recipients))
}

@Suite struct POP3SessionTests {
    let drop = [
        message(10, "Subject: a\r\n\r\none\r\n"), message(11, "Subject: b\n\nbare LF\n"),
        message(12, "Subject: c\r\n\r\nthree\r\n"),
    ]

    @Test func greetingCarriesTheAPOPTimestamp() {
        #expect(POP3Script().session.greeting == "+OK Letterbox POP3 ready <1.2@test.local>")
    }

    @Test func capaListsTheExtensions() {
        var script = POP3Script()
        let lines = script.send("CAPA")
        #expect(lines.first == "+OK Capability list follows")
        for capability in [
            "TOP", "UIDL", "USER", "SASL PLAIN", "RESP-CODES", "PIPELINING", "EXPIRE NEVER", "IMPLEMENTATION Letterbox",
        ] {
            #expect(lines.contains(capability), "missing \(capability)")
        }
    }

    @Test func userPassThenStatListUidl() {
        var script = POP3Script(drop)
        #expect(script.send("USER ana") == ["+OK send PASS"])
        #expect(script.send("PASS any thing") == ["+OK ana has 3 messages (63 octets)"])
        #expect(script.send("STAT") == ["+OK 3 63"])
        // The bare-LF message counts in its CRLF form: 20 raw octets + 3 CRs.
        #expect(script.send("LIST") == ["+OK 3 messages (63 octets)", "1 19", "2 23", "3 21"])
        #expect(script.send("LIST 2") == ["+OK 2 23"])
        #expect(script.send("UIDL") == ["+OK unique-id listing follows", "1 7-10", "2 7-11", "3 7-12"])
        #expect(script.send("UIDL 3") == ["+OK 3 7-12"])
    }

    @Test func retrAndTopHandMessagesToTheDriver() {
        var script = POP3Script(drop)
        _ = script.send("USER ana")
        _ = script.send("PASS x")
        #expect(script.send("RETR 2") == ["+OK 23 octets", "<message 11>"])
        #expect(script.send("TOP 1 0") == ["+OK top of message follows", "<message 10>"])
    }

    @Test func deleMarksRsetUnmarksQuitCommits() {
        var script = POP3Script(drop)
        _ = script.send("USER ana")
        _ = script.send("PASS x")
        #expect(script.send("DELE 1") == ["+OK message 1 deleted"])
        #expect(script.send("DELE 1") == ["-ERR message 1 already deleted"])
        #expect(script.send("RETR 1") == ["-ERR message 1 already deleted"])
        #expect(script.send("STAT") == ["+OK 2 44"])
        #expect(script.send("LIST") == ["+OK 2 messages (44 octets)", "2 23", "3 21"])
        #expect(script.send("RSET") == ["+OK maildrop has 3 messages (63 octets)"])
        _ = script.send("DELE 3")
        _ = script.send("DELE 2")
        #expect(script.send("QUIT") == ["+OK Letterbox POP3 signing off (2 messages deleted)"])
        #expect(script.committed == [11, 12])
    }

    @Test func quitBeforeLoginDeletesNothing() {
        var script = POP3Script(drop)
        #expect(script.send("QUIT") == ["+OK Letterbox POP3 signing off"])
        #expect(script.committed == nil)
    }

    @Test func badNumbersAndWrongStatesAreClearErrors() {
        var script = POP3Script(drop)
        #expect(script.send("STAT") == ["-ERR command not valid before login (AUTHORIZATION state)"])
        #expect(script.send("PASS x") == ["-ERR send USER first"])
        #expect(script.send("FROB") == ["-ERR unknown command 'FROB'"])
        _ = script.send("USER ana")
        _ = script.send("PASS x")
        #expect(script.send("RETR 4") == ["-ERR no such message 4, only 3 messages in maildrop"])
        #expect(script.send("RETR 0") == ["-ERR invalid message number '0'"])
        #expect(script.send("RETR two") == ["-ERR invalid message number 'two'"])
        #expect(script.send("RETR") == ["-ERR RETR needs a message number"])
        #expect(script.send("TOP 1 -1") == ["-ERR TOP needs a message number and a line count"])
        #expect(script.send("USER bo") == ["-ERR command not valid after login (TRANSACTION state)"])
        #expect(script.send("NOOP") == ["+OK"])
    }

    @Test func authPlainWithAndWithoutInitialResponse() {
        var script = POP3Script(drop)
        #expect(script.send("AUTH") == ["+OK SASL mechanisms follow", "PLAIN"])
        #expect(script.send("AUTH PLAIN AGFuYQBzZWNyZXQ=") == ["+OK ana has 3 messages (63 octets)"])
        var second = POP3Script(drop)
        #expect(second.send("AUTH PLAIN") == ["+ "])
        #expect(second.send("AGFuYQBzZWNyZXQ=") == ["+OK ana has 3 messages (63 octets)"])
    }

    @Test func authGarbageAndCancellation() {
        var script = POP3Script()
        _ = script.send("AUTH PLAIN")
        #expect(script.send("%%%") == ["-ERR Cannot decode base64 response"])
        _ = script.send("AUTH PLAIN")
        #expect(script.send("*") == ["-ERR AUTH cancelled"])
        #expect(script.send("AUTH CRAM-MD5") == ["-ERR unsupported SASL mechanism CRAM-MD5"])
        #expect(
            script.send("AUTH PLAIN YWJj") == [
                "-ERR Malformed PLAIN response (expected authzid NUL authcid NUL password)"
            ])
    }

    @Test func configuredUsersAreStrict() {
        var script = POP3Script(drop, credentials: Credentials(users: ["ana": "secret"]))
        _ = script.send("USER ana")
        #expect(script.send("PASS wrong") == ["-ERR [AUTH] invalid user name or password"])
        #expect(script.send("APOP ana 0123456789abcdef0123456789abcdef").first?.hasPrefix("-ERR [AUTH]") == true)
        _ = script.send("USER ana")
        #expect(script.send("PASS secret").first?.hasPrefix("+OK") == true)
    }

    @Test func apopIsAcceptedWhenAnyoneMayLogIn() {
        var script = POP3Script(drop)
        #expect(script.send("APOP ana 0123456789abcdef0123456789abcdef") == ["+OK ana has 3 messages (63 octets)"])
    }

    @Test func twentyErrorsCloseTheSession() {
        var script = POP3Script()
        for _ in 0..<19 { _ = script.send("BOGUS") }
        #expect(script.send("BOGUS") == ["-ERR too many errors, closing connection"])
    }
}
