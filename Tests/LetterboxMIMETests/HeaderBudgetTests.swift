import LetterboxMIME
import Testing

/// One message of very many header lines costs a bounded amount in every parsed view.
@Suite("header budget")
struct HeaderBudgetTests {
    /// `count` lines `X-H: v`, then Subject and Content-Type, a blank line and a body.
    static func message(headerLines count: Int) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(count * 8 + 100)
        let line = Array("X-H: v\r\n".utf8)
        for _ in 0..<count { raw += line }
        raw += Array("Subject: late\r\nContent-Type: text/plain\r\n\r\nthe body\r\n".utf8)
        return raw
    }

    @Test("fields beyond the budget are counted, not parsed; the section's extent stays exact")
    func manyFields() {
        let raw = Self.message(headerLines: 200_000)
        let headers = MessageHeaders(parsing: raw)
        #expect(headers.fields.count == HeaderBudget.maximumFields)
        #expect(headers.omittedFields == 200_002 - HeaderBudget.maximumFields)
        let tree = MIMEPart(parsing: raw)
        #expect(tree.headers.fields.count == HeaderBudget.maximumFields)
        #expect(tree.headers.omittedFields == headers.omittedFields)
        #expect(Array(tree.body(in: raw)) == Array("the body\r\n".utf8))
        #expect(
            MessageBody.text(of: raw, root: tree) == "the body\n"
                || MessageBody.text(of: raw, root: tree) == "the body\r\n")
    }

    @Test("a value larger than the byte budget is left out, and the fields after it still count")
    func hugeValue() {
        let big = String(repeating: "a", count: HeaderBudget.maximumBytes + 10)
        let raw = Array("X-Big: \(big)\r\nSubject: after\r\n\r\nbody\r\n".utf8)
        let headers = MessageHeaders(parsing: raw)
        #expect(headers.fields.map(\.name) == ["Subject"])
        #expect(headers.subject == "after")
        #expect(headers.omittedFields == 1)
        // Folded over many lines, the same.
        let folded = Array(
            ("X-Big: a\r\n" + String(repeating: " \(String(repeating: "b", count: 997))\r\n", count: 1100)
                + "Subject: after\r\n\r\nbody\r\n").utf8)
        let unfolded = MessageHeaders(parsing: folded)
        #expect(unfolded.fields.map(\.name) == ["Subject"])
        #expect(unfolded.omittedFields == 1)
    }

    @Test("the budget is shared by every part of a message")
    func sharedAcrossParts() {
        var text = "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        for _ in 0..<30 {
            text +=
                "--b\r\n" + String(repeating: "X-P: v\r\n", count: 1_000) + "Content-Type: text/plain\r\n\r\npart\r\n"
        }
        text += "--b--\r\n"
        let tree = MIMEPart(parsing: Array(text.utf8))
        let parsed = tree.children.reduce(0) { $0 + $1.headers.fields.count }
        #expect(tree.children.count == 30)
        #expect(parsed + tree.headers.fields.count == HeaderBudget.maximumFields)
    }
}
