import Testing

@testable import LetterboxIMAP

/// Modified UTF-7 (RFC 3501 §5.1.3), which a UTF8=ACCEPT session converts mailbox names from and to.
@Suite struct ModifiedUTF7Tests {
    @Test(arguments: [
        ("INBOX", "INBOX"), ("Entwürfe", "Entw&APw-rfe"), ("Tom & Jerry", "Tom &- Jerry"),
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"), ("😀", "&2D3eAA-"),
    ])
    func encodesAndDecodes(_ text: String, _ encoded: String) {
        #expect(ModifiedUTF7.encode(text) == encoded)
        #expect(ModifiedUTF7.decode(encoded) == text)
    }

    @Test(arguments: ["a&b", "&AGE-", "&Jjo!", "&U,BTFw"])
    func invalidEncodingsStayAsTheyAre(_ name: String) {
        #expect(ModifiedUTF7.decode(name) == name, "not modified UTF-7: kept")
    }
}
