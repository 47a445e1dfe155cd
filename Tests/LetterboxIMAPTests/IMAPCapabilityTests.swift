import LetterboxIMAP
import LetterboxStore
import Testing

/// CAPABILITY, the greeting, LOGIN's `[CAPABILITY …]` and ENABLE all come from one table
/// (``IMAPCapability/all``), and every capability in it is served.
@Suite struct IMAPCapabilityTests {
    /// For each capability, commands that use it, run in a session that has a message selected
    /// (pre-login ones in a fresh session): the last one must not be refused.
    static let probes: [String: [String]] = [
        "IMAP4rev1": ["FETCH 1 (FLAGS UID)"], "IMAP4rev2": ["ENABLE IMAP4rev2", "SEARCH ALL"],
        "LITERAL+": ["APPEND INBOX {3+}\r\nabc"], "SASL-IR": ["AUTHENTICATE PLAIN AGFuYQB4"],
        "LOGINDISABLED": ["STARTTLS"], "AUTH=PLAIN": ["AUTHENTICATE PLAIN AGFuYQB4"], "STARTTLS": ["STARTTLS"],
        "IDLE": ["IDLE"], "ID": ["ID (\"name\" \"probe\")"], "ENABLE": ["ENABLE CONDSTORE"],
        "NAMESPACE": ["NAMESPACE"], "UNSELECT": ["UNSELECT"], "UIDPLUS": ["UID EXPUNGE 1"],
        "MOVE": ["UID MOVE 1 Archive"], "CHILDREN": ["LIST \"\" * RETURN (CHILDREN)"],
        "SPECIAL-USE": ["LIST (SPECIAL-USE) \"\" *"], "ESEARCH": ["SEARCH RETURN (MIN MAX COUNT) ALL"],
        "SORT": ["SORT (DATE) UTF-8 ALL"], "ESORT": ["SORT RETURN (MIN) (DATE) UTF-8 ALL"],
        "SEARCHRES": ["SEARCH RETURN (SAVE) ALL", "FETCH $ FLAGS"],
        "LIST-EXTENDED": ["LIST (SUBSCRIBED) \"\" *"], "LIST-STATUS": ["LIST \"\" * RETURN (STATUS (MESSAGES))"],
        "STATUS=SIZE": ["STATUS INBOX (SIZE)"], "MULTIAPPEND": ["APPEND INBOX {1+}\r\na {1+}\r\nb"],
        "UTF8=ACCEPT": ["ENABLE UTF8=ACCEPT", "SELECT INBOX"], "SORT=DISPLAY": ["SORT (DISPLAYFROM) UTF-8 ALL"],
        "THREAD=ORDEREDSUBJECT": ["THREAD ORDEREDSUBJECT UTF-8 ALL"], "BINARY": ["FETCH 1 BINARY.PEEK[1]"],
        "THREAD=REFERENCES": ["THREAD REFERENCES UTF-8 ALL"], "CONTEXT=SEARCH": ["SEARCH RETURN (UPDATE) ALL"],
        "CONTEXT=SORT": ["SORT RETURN (UPDATE) (DATE) UTF-8 ALL"],
        "CATENATE": ["APPEND INBOX CATENATE (TEXT {3+}\r\nabc)"],
        "CONDSTORE": ["FETCH 1 (FLAGS) (CHANGEDSINCE 1)"],
        "QRESYNC": ["ENABLE QRESYNC", "SELECT INBOX (QRESYNC (1 1))"],
    ]

    @Test("every advertised capability has a probe, and every probe a capability")
    func tableAndProbesAgree() {
        #expect(Set(IMAPCapability.all.map(\.name)) == Set(Self.probes.keys))
        #expect(IMAPCapability.all.count == Set(IMAPCapability.all.map(\.name)).count, "no name twice")
    }

    @Test("every capability's commands parse and run", arguments: IMAPCapability.all.map(\.name))
    func capabilityIsServed(_ name: String) async throws {
        let preLogin = ["LOGINDISABLED", "STARTTLS", "SASL-IR", "AUTH=PLAIN"].contains(name)
        var script = IMAPScript(requireTLS: name == "LOGINDISABLED", canStartTLS: true)
        try await script.deliver("Subject: one\r\nDate: Fri, 21 Nov 1997 09:55:06 -0600\r\n\r\nbody\r\n")
        if !preLogin {
            _ = await script.send("l LOGIN ana x")
            _ = await script.send("s SELECT INBOX")
        }
        var answer = ""
        for (number, line) in (Self.probes[name] ?? []).enumerated() {
            guard case .success(let parsed) = IMAPParser.parse(Array("t\(number) \(line)".utf8)) else {
                Issue.record("\(name): \(line) does not parse")
                return
            }
            if case .unsupported = parsed.command { Issue.record("\(name): \(line) is not served") }
            answer = await script.send("t\(number) \(line)").last ?? ""
        }
        #expect(answer.hasPrefix("t") && answer.contains(" OK ") || answer == "+ idling", "\(name): \(answer)")
    }

    @Test("the greeting, CAPABILITY and LOGIN's code list the same, and STARTTLS only before login")
    func listsAgree() async {
        var script = IMAPScript(canStartTLS: true)
        let greeting = String(decoding: script.session.greeting, as: UTF8.self)
        let before = IMAPCapability.list(authenticated: false, startTLSAvailable: true, loginDisabled: false)
        let after = IMAPCapability.list(authenticated: true, startTLSAvailable: true, loginDisabled: false)
        #expect(greeting == "* OK [CAPABILITY \(before)] Letterbox IMAP ready\r\n")
        #expect(await script.send("a CAPABILITY") == ["* CAPABILITY \(before)", "a OK CAPABILITY completed"])
        #expect(before.hasPrefix("IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR AUTH=PLAIN STARTTLS IDLE"))
        #expect(await script.send("b LOGIN ana x") == ["b OK [CAPABILITY \(after)] logged in"])
        #expect(await script.send("c CAPABILITY") == ["* CAPABILITY \(after)", "c OK CAPABILITY completed"])
        #expect(!after.split(separator: " ").contains("STARTTLS") && after.contains("AUTH=PLAIN"))
    }

    @Test("ENABLE enables exactly the capabilities the table marks, in the client's order")
    func enableFollowsTheTable() async {
        var script = IMAPScript()
        _ = await script.send("a LOGIN ana x")
        let enableable = IMAPCapability.all.filter(\.enableable).map(\.name)
        #expect(enableable == ["IMAP4rev2", "UTF8=ACCEPT", "CONDSTORE", "QRESYNC"])
        let others = IMAPCapability.all.filter { !$0.enableable }.map(\.name)
        #expect(await script.send("b ENABLE \(others.joined(separator: " ")) X-UNKNOWN").first == "* ENABLED")
        #expect(
            await script.send("c ENABLE qresync utf8=accept IMAP4REV2 CONDSTORE qresync").first
                == "* ENABLED QRESYNC UTF8=ACCEPT IMAP4rev2 CONDSTORE")
    }
}
