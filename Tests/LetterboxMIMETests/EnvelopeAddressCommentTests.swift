import LetterboxMIME
import Testing

/// IMAP's ENVELOPE names a bare address by its comment, `user@example.org (Real Name)`, as
/// Dovecot 2.3 does (each case below is what Dovecot answered for the same header).
@Suite("ENVELOPE names from comments")
struct EnvelopeAddressCommentTests {
    private func names(_ value: String) -> [String?] {
        EnvelopeAddress.parseList(value).map { address in
            if case .mailbox(let name, _, _) = address { return name }
            return "group"
        }
    }

    @Test("the comment after a bare address is its name")
    func commentAfterAddress() {
        #expect(
            EnvelopeAddress.parseList("user@example.org (Real Name)")
                == [.mailbox(name: "Real Name", mailbox: "user", host: "example.org")])
        #expect(names("a@example.org (A), b@example.org (B)") == ["A", "B"])
        #expect(names("user(Inside)@example.org") == ["Inside"])
    }

    @Test("the last comment counts; nested parentheses stay, quoted pairs lose their backslash")
    func lastAndNestedComments() {
        #expect(names("user@example.org (First) (Second)") == ["Second"])
        #expect(names(#"user@example.org (Nested (inner) \) text)"#) == ["Nested (inner) ) text"])
        #expect(names("user@example.org (=?utf-8?q?J=C3=B6rg?=)") == ["=?utf-8?q?J=C3=B6rg?="], "encoded words kept")
    }

    @Test("no name from a comment before the address, an empty one, or beside a name or angle address")
    func commentsThatNameNothing() {
        #expect(names("(Lead) user@example.org") == [nil])
        #expect(names("user@example.org ()") == [nil])
        #expect(names("<user@example.org> (Angle Comment)") == [nil])
        #expect(names("Phrase <user@example.org> (Comment)") == ["Phrase"])
        #expect(names("Team: a@example.org (A);") == ["group", "A", "group"])
    }

    @Test("address lists for HTTP keep ignoring comments (Python's email package, default policy)")
    func mailAddressesIgnoreComments() {
        #expect(MailAddress.parseList("ana@example.net (Ana)") == [MailAddress(address: "ana@example.net")])
    }
}
