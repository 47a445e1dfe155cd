import LetterboxText

/// A parsed SMTP command line (RFC 5321 §4.1.1, plus the extensions Letterbox advertises).
package enum SMTPCommand: Sendable, Equatable {
    case helo(String)
    case ehlo(String)
    /// `MAIL FROM:<path> [params]`; `path` is empty for the null sender.
    case mail(from: String, parameters: [String: String])
    case rcpt(to: String, parameters: [String: String])
    case data
    /// `BDAT size [LAST]` (RFC 3030 §2).
    case bdat(size: Int, last: Bool)
    case rset
    case noop
    case quit
    case vrfy(String)
    case expn(String)
    case help
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    case auth(mechanism: String, initialResponse: String?)
    case starttls

    /// Parses one command line (without CRLF); the error is the reply to send.
    package static func parse(_ line: [UInt8]) -> Result<SMTPCommand, SMTPReply> {
        if line.contains(0) { return .failure(SMTPReply(500, "5.5.2", "Error: NUL character in command")) }
        let text = String(decoding: line, as: UTF8.self)
        let verbEnd = text.firstIndex(of: " ") ?? text.endIndex
        let verb = text[..<verbEnd].uppercased()
        let argument = text[verbEnd...].trimmingWhitespace()

        switch verb {
        case "HELO", "EHLO":
            guard !argument.isEmpty else { return .failure(SMTPReply(501, "5.5.4", "Syntax: \(verb) hostname")) }
            return .success(verb == "HELO" ? .helo(argument) : .ehlo(argument))
        case "MAIL":
            return parsePath(argument, keyword: "FROM", syntax: "MAIL FROM:<address>").map {
                .mail(from: $0.path, parameters: $0.parameters)
            }
        case "RCPT":
            return parsePath(argument, keyword: "TO", syntax: "RCPT TO:<address>").flatMap { parsed in
                parsed.path.isEmpty
                    ? .failure(SMTPReply(501, "5.1.3", "Bad recipient address syntax"))
                    : .success(.rcpt(to: parsed.path, parameters: parsed.parameters))
            }
        case "DATA": return argument.isEmpty ? .success(.data) : .failure(SMTPReply(501, "5.5.4", "Syntax: DATA"))
        case "BDAT":
            let words = argument.split(separator: " ")
            // RFC 3030 §2: chunk-size = 1*DIGIT; Int() alone would take "+5", and fails past Int.max.
            guard (1...2).contains(words.count), words[0].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let size = Int(words[0]),
                words.count == 1 || words[1].uppercased() == "LAST"
            else { return .failure(SMTPReply(501, "5.5.4", "Syntax: BDAT size [LAST]")) }
            return .success(.bdat(size: size, last: words.count == 2))
        case "RSET": return .success(.rset)
        case "NOOP": return .success(.noop)
        case "QUIT": return .success(.quit)
        case "VRFY": return .success(.vrfy(argument))
        case "EXPN": return .success(.expn(argument))
        case "HELP": return .success(.help)
        case "STARTTLS": return .success(.starttls)
        case "AUTH":
            let words = argument.split(separator: " ", omittingEmptySubsequences: true)
            guard (1...2).contains(words.count) else {
                return .failure(SMTPReply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"))
            }
            return .success(
                .auth(mechanism: words[0].uppercased(), initialResponse: words.count == 2 ? String(words[1]) : nil))
        default:
            return .failure(.syntaxError)
        }
    }

    /// Parses `FROM:<path> params` leniently: a space after the colon and a path without angle
    /// brackets are accepted (common in the wild); a source route (`<@a,@b:user@c>`) is dropped
    /// (RFC 5321 §4.1.2, §C).
    private static func parsePath(
        _ argument: String, keyword: String, syntax: String
    ) -> Result<(path: String, parameters: [String: String]), SMTPReply> {
        let syntaxError = SMTPReply(501, "5.5.4", "Syntax: \(syntax)")
        guard argument.count > keyword.count, argument.prefix(keyword.count).uppercased() == keyword else {
            return .failure(syntaxError)
        }
        var rest = argument.dropFirst(keyword.count).drop { $0 == " " }
        guard rest.first == ":" else { return .failure(syntaxError) }
        rest = rest.dropFirst().drop { $0 == " " }

        var path: Substring
        if rest.first == "<" {
            guard let close = rest.firstIndex(of: ">") else { return .failure(syntaxError) }
            path = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            path = rest[..<end]
            rest = rest[end...]
        }
        if path.hasPrefix("@"), let colon = path.firstIndex(of: ":") { path = path[path.index(after: colon)...] }
        if path.utf8.count > 256 { return .failure(SMTPReply(501, "5.1.3", "Path too long (RFC 5321 §4.5.3.1.3)")) }
        if path.contains(Character(" ")) { return .failure(syntaxError) }

        var parameters: [String: String] = [:]
        for word in rest.split(separator: " ") {
            let equals = word.firstIndex(of: "=") ?? word.endIndex
            let keyword = word[..<equals]
            guard isKeyword(keyword) else {
                return .failure(SMTPReply(501, "5.5.4", "Syntax: bad parameter (RFC 5321 §4.1.2: keyword[=value])"))
            }
            parameters[keyword.uppercased()] = equals == word.endIndex ? "" : String(word[word.index(after: equals)...])
        }
        return .success((String(path), parameters))
    }

    /// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.2).
    private static func isKeyword(_ word: Substring) -> Bool {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = word.utf8.first, isAlphanumeric(first) else { return false }
        return word.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
