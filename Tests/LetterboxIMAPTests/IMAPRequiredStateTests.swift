import LetterboxIMAP
import LetterboxStore
import Testing

/// Every command, sent in every state, gets the answer RFC 3501 §6 / RFC 9051 §6 give it: run,
/// or refused with the exact tagged `BAD` clients and the Dovecot differentials expect.
@Suite struct IMAPRequiredStateTests {
    /// One command of each kind, with the state it needs.
    static let commands: [(line: String, state: IMAPRequiredState)] = [
        ("CAPABILITY", .any), ("NOOP", .any), ("ID NIL", .any), ("LOGOUT", .any),
        ("LOGIN ana x", .notAuthenticated), ("AUTHENTICATE PLAIN AGFuYQB4", .notAuthenticated),
        ("STARTTLS", .notAuthenticated),
        ("SELECT INBOX", .authenticated), ("EXAMINE INBOX", .authenticated), ("CREATE Box", .authenticated),
        ("DELETE Box", .authenticated), ("RENAME Box Other", .authenticated), ("SUBSCRIBE Box", .authenticated),
        ("UNSUBSCRIBE Box", .authenticated), ("LIST \"\" *", .authenticated),
        ("LIST (SUBSCRIBED) \"\" *", .authenticated), ("LSUB \"\" *", .authenticated),
        ("STATUS INBOX (MESSAGES)", .authenticated), ("APPEND INBOX {3+}\r\nabc", .authenticated),
        ("APPEND INBOX {1+}\r\na {1+}\r\nb", .authenticated), ("ENABLE CONDSTORE", .authenticated),
        ("NAMESPACE", .authenticated), ("IDLE", .authenticated), ("CANCELUPDATE \"t\"", .authenticated),
        ("UID FROB", .authenticated),
        ("CHECK", .selected), ("CLOSE", .selected), ("UNSELECT", .selected), ("EXPUNGE", .selected),
        ("UID EXPUNGE 1", .selected), ("SEARCH ALL", .selected), ("SEARCH RETURN (MIN) ALL", .selected),
        ("SEARCH CHARSET X-UNKNOWN ALL", .selected), ("SORT (DATE) UTF-8 ALL", .selected),
        ("SORT RETURN (MIN) (DATE) UTF-8 ALL", .selected), ("THREAD REFERENCES UTF-8 ALL", .selected),
        ("FETCH 1 FLAGS", .selected), ("UID FETCH 1 FLAGS", .selected), ("STORE 1 +FLAGS (\\Seen)", .selected),
        ("COPY 1 Archive", .selected), ("MOVE 1 Archive", .selected),
    ]

    enum SessionState: CaseIterable { case notAuthenticated, authenticated, selected }

    /// The tagged answer a command that needs `required` gets in `state`, or nil when it runs.
    static func refusal(_ line: String, needs required: IMAPRequiredState, in state: SessionState) -> String? {
        switch (required, state) {
        case (.any, _), (.notAuthenticated, .notAuthenticated), (.authenticated, .authenticated),
            (.authenticated, .selected), (.selected, .selected):
            return nil
        case (.notAuthenticated, _):
            return line == "STARTTLS" ? "t BAD STARTTLS is only valid before login" : "t BAD already authenticated"
        case (_, .notAuthenticated): return "t BAD command not valid before login (not authenticated state)"
        case (.selected, .authenticated):
            return "t BAD command not valid without a selected mailbox (SELECT INBOX first)"
        }
    }

    func script(in state: SessionState) async throws -> IMAPScript {
        var script = IMAPScript(canStartTLS: true)
        try await script.deliver("Subject: one\r\n\r\nbody\r\n")
        if state != .notAuthenticated { _ = await script.send("l LOGIN ana x") }
        if state == .selected { _ = await script.send("s SELECT INBOX") }
        return script
    }

    @Test("each command declares the state RFC 3501 §6 gives it")
    func declaredStates() {
        for (line, state) in Self.commands {
            guard case .success(let parsed) = IMAPParser.parse(Array("t \(line)".utf8)) else {
                Issue.record("\(line) does not parse")
                continue
            }
            #expect(parsed.command.requiredState == state, "\(line)")
        }
    }

    @Test("each command in each state runs or gets its refusal", arguments: SessionState.allCases)
    func commandsInEachState(_ state: SessionState) async throws {
        for (line, required) in Self.commands {
            var script = try await script(in: state)
            let answer = await script.send("t \(line)").last ?? ""
            if let refusal = Self.refusal(line, needs: required, in: state) {
                #expect(answer == refusal, "\(line) in \(state)")
            } else {
                #expect(
                    !answer.contains("not valid") && answer != "t BAD already authenticated",
                    "\(line) in \(state): \(answer)")
            }
        }
    }
}
