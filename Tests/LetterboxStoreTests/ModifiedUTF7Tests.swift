import LetterboxStore
import Testing

@Suite("Modified UTF-7 mailbox names (RFC 3501 §5.1.3)")
struct ModifiedUTF7Tests {
    @Test("names round-trip, the RFC's own example included")
    func roundTrip() {
        let pairs = [
            ("Entwürfe", "Entw&APw-rfe"), ("A&B", "A&-B"), ("Tom & Jerry", "Tom &- Jerry"), ("INBOX", "INBOX"),
            ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"), ("😀", "&2D3eAA-"),
        ]
        for (utf8, wire) in pairs {
            #expect(ModifiedUTF7.encode(utf8) == wire)
            #expect(ModifiedUTF7.decode(wire) == utf8)
        }
    }

    @Test("what is not modified UTF-7 decodes to nil")
    func invalid() {
        for wire in ["&", "&Jjo", "&Jjo!-", "&2D0-", "a&b", "&AGE-", "&Jjo!", "&U,BTFw"] {
            #expect(ModifiedUTF7.decode(wire) == nil, "\(wire)")
        }
    }
}
