import LetterboxMIME
import LetterboxNet
import LetterboxStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The text and JSON views of messages that the inspection API serves.
enum MessageRendering {
    // MARK: Plain text

    /// One line per message, oldest first, each ending in a line feed:
    /// `id⇥receivedAt⇥envelope sender⇥envelope recipients⇥subject`.
    static func list(_ messages: [Message]) -> String {
        var text = ""
        for message in messages {
            let fields = [
                String(message.id),
                receivedAt(message),
                message.envelope.sender,
                message.envelope.recipients.joined(separator: ","),
                message.subject,
            ]
            text += fields.map(\.singleLine).joined(separator: "\t") + "\n"
        }
        return text
    }

    /// Header lines a person reads (`From:`, `To:`, `Cc:`, `Subject:`, `Date:`, `Envelope-From:`,
    /// `Envelope-To:`), an empty line, then the readable text body.
    static func detail(_ message: Message) -> String {
        let headers = message.headers
        let lines = [
            ("From", addresses(headers.from)),
            ("To", addresses(headers.to)),
            ("Cc", addresses(headers.cc)),
            ("Subject", headers.subject),
            ("Date", headers.date ?? ""),
            ("Envelope-From", message.envelope.sender),
            ("Envelope-To", message.envelope.recipients.joined(separator: ", ")),
        ]
        var text = ""
        for (name, value) in lines { text += "\(name): \(value.singleLine)\n" }
        return text + "\n" + message.text
    }

    // MARK: JSON

    /// The summary object of `GET /messages.json`; with `detailed`, also `text` and `html`
    /// (`GET /messages/{id}.json`).
    static func json(_ message: Message, detailed: Bool) -> JSONValue {
        let headers = message.headers
        let envelope = message.envelope
        var members: [(key: String, value: JSONValue)] = [
            ("id", .int(Int(clamping: message.id))),
            ("receivedAt", .string(receivedAt(message))),
            (
                "envelope",
                .object([
                    ("from", .string(envelope.sender)),
                    ("recipients", .array(envelope.recipients.map(JSONValue.string))),
                    ("helo", .string(envelope.helo)),
                    ("auth", .stringOrNull(envelope.authenticatedAs)),
                    ("peer", .string(envelope.peer)),
                ])
            ),
            ("from", json(headers.from)),
            ("to", json(headers.to)),
            ("cc", json(headers.cc)),
            ("subject", .string(headers.subject)),
            ("date", .stringOrNull(headers.date)),
            ("size", .int(message.size)),
        ]
        if detailed {
            members.append(("text", .string(message.text)))
            members.append(("html", .stringOrNull(MessageBody.html(of: message.raw))))
        }
        return .object(members)
    }

    private static func json(_ addresses: [MailAddress]) -> JSONValue {
        .array(addresses.map { .object([("name", .stringOrNull($0.name)), ("address", .string($0.address))]) })
    }

    // MARK: Fields

    /// Arrival time as RFC 3339 UTC with whole seconds, e.g. `2026-11-27T06:12:13Z`.
    static func receivedAt(_ message: Message) -> String {
        Timestamp.rfc3339(seconds: Int(message.envelope.receivedAt.timeIntervalSince1970.rounded(.down)))
    }

    private static func addresses(_ list: [MailAddress]) -> String {
        list.map(\.description).joined(separator: ", ")
    }
}
