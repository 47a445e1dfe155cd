import Foundation
import LetterboxMIME
import LetterboxStore
import Testing

@testable import LetterboxHTTP

/// JSON objects name each member once: with a name twice, parsers disagree on which wins
/// (schemathesis found the detailed message with `attachments` as a count and as a list).
@Suite struct MessageJSONKeysTests {
    /// Member names that occur more than once in any object of `value`.
    private func repeatedNames(_ value: JSONValue, at path: String = "$") -> [String] {
        switch value {
        case .object(let members):
            var seen: Set<String> = []
            var repeated: [String] = []
            for member in members {
                if !seen.insert(member.key).inserted { repeated.append("\(path).\(member.key)") }
                repeated += repeatedNames(member.value, at: "\(path).\(member.key)")
            }
            return repeated
        case .array(let elements):
            return elements.enumerated().flatMap { repeatedNames($1, at: "\(path)[\($0)]") }
        default:
            return []
        }
    }

    @Test func summaryAndDetailNameEachMemberOnce() throws {
        let raw = Array(
            ("From: a@example.com\r\nTo: b@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--x\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n"
                + "%PDF\r\n--x--\r\n").utf8)
        let message = Message(
            id: 1, raw: raw, envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
        let views = Result<MessageViews, StoreError>.success(try message.loadViews())
        for detailed in [false, true] {
            let value = MessageRendering.json(
                message, views: views, detailed: detailed, location: nil, flags: MessageFlags())
            #expect(repeatedNames(value).isEmpty, "detailed: \(detailed): \(repeatedNames(value))")
        }
    }
}
