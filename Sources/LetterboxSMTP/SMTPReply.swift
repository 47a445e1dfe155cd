/// One SMTP reply: a three-digit code, an RFC 3463 enhanced status code, and one or more text lines.
package struct SMTPReply: Error, Sendable, Equatable, CustomStringConvertible {
    package var code: Int
    /// e.g. `2.0.0`; omitted on the greeting and on EHLO lines (RFC 2034 §3).
    package var enhanced: String?
    package var lines: [String]

    package init(_ code: Int, _ enhanced: String?, _ lines: String...) {
        self.code = code
        self.enhanced = enhanced
        self.lines = lines
    }

    package init(_ code: Int, _ enhanced: String?, lines: [String]) {
        self.code = code
        self.enhanced = enhanced
        self.lines = lines
    }

    /// The reply on the wire: `250-first`, …, `250 last`, each ending in CRLF (RFC 5321 §4.2.1).
    package var wire: String {
        var text = ""
        for (index, line) in lines.enumerated() {
            let separator = index == lines.count - 1 ? " " : "-"
            text += "\(code)\(separator)"
            if let enhanced { text += "\(enhanced) " }
            text += line + "\r\n"
        }
        return text
    }

    package var description: String { wire.replacing("\r\n", with: "\\r\\n") }

    /// Whether this reply reports a client mistake (syntax or sequence), counted in metrics.
    package var isProtocolError: Bool { [500, 501, 503, 504, 555].contains(code) }
}

extension SMTPReply {
    static let ok = SMTPReply(250, "2.0.0", "Ok")
    static let syntaxError = SMTPReply(500, "5.5.2", "Syntax error, command unrecognized")
    static let badSequenceNeedMail = SMTPReply(503, "5.5.1", "Error: need MAIL command")
    static let badSequenceNeedRcpt = SMTPReply(503, "5.5.1", "Error: need RCPT command")
    static let badSequenceNeedHelo = SMTPReply(503, "5.5.1", "Error: send HELO/EHLO first")
    static let lineTooLong = SMTPReply(500, "5.5.2", "Error: line too long")
    static let idleTimeout = SMTPReply(421, "4.4.2", "Error: timeout exceeded, closing connection")
    static let shuttingDown = SMTPReply(421, "4.3.2", "Service shutting down, closing connection")
    static let tooManyErrors = SMTPReply(421, "4.7.0", "Too many errors, closing connection")
    static let tooManyConnections = SMTPReply(421, "4.3.2", "Too many connections, try again later")
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
