import LetterboxPOP3
import LetterboxStore
import Testing

/// Peer text quoted in POP3 replies stays one short line (RFC 2449 §4: 512 octets).
@Suite struct POP3HostileInputTests {
    @Test func quotedPeerTextIsCutAndHasNoControlCharacters() {
        var script = POP3Script()
        let unknown = script.send("X\u{1B}[2J" + String(repeating: "Y", count: 5000)).first ?? ""
        #expect(unknown.hasPrefix("-ERR unknown command 'X?[2JYYY") && unknown.utf8.count < 80)
        #expect(script.send("AUTH " + String(repeating: "M", count: 5000)).first.map { $0.utf8.count < 120 } == true)
        _ = script.send("USER a\rb")
        #expect(script.send("PASS x") == ["+OK a?b has 0 messages (0 octets)"])
        let number = script.send("RETR " + String(repeating: "9", count: 5000)).first ?? ""
        #expect(number.hasPrefix("-ERR invalid message number '999") && number.utf8.count < 80)
    }

    @Test func numbersBeyondAnIntegerAreInvalidNotTraps() {
        var script = POP3Script([message(1, "Subject: a\r\n\r\nx\r\n")])
        _ = script.send("USER a")
        _ = script.send("PASS b")
        for line in [
            "RETR 99999999999999999999", "TOP 1 99999999999999999999", "LIST 9223372036854775807", "DELE -1",
            "TOP 9223372036854775807 9223372036854775807",
        ] {
            #expect(script.send(line).first?.hasPrefix("-ERR") == true, "\(line)")
        }
        #expect(script.send("TOP 1 9223372036854775807") == ["+OK top of message follows", "<message 1>"])
    }
}
