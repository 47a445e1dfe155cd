import LetterboxNet

/// A parsed POP3 command (RFC 1939 §5–7, RFC 2449 CAPA, RFC 5034 AUTH).
package enum POP3Command: Sendable, Equatable {
    case capa
    case user(String)
    /// The rest of the line: a password may contain spaces (RFC 1939 §7).
    case pass(String)
    case apop(user: String, digest: String)
    /// `AUTH` alone asks for the mechanism list (a widespread pre-RFC 5034 convention).
    case auth(mechanism: String?, initialResponse: String?)
    case stls
    case quit
    case stat
    case list(Int?)
    case retr(Int)
    case dele(Int)
    case noop
    case rset
    case top(Int, lines: Int)
    case uidl(Int?)

    /// A command that could not be parsed; `reason` follows `-ERR `.
    package struct Invalid: Error, Sendable, Equatable {
        package let reason: String
    }

    /// Parses one line without its CRLF. Keywords are case-insensitive (RFC 1939 §3).
    package static func parse(_ line: [UInt8]) -> Result<POP3Command, Invalid> {
        if line.contains(0) { return .failure(Invalid(reason: "NUL character in command")) }
        let text = String(decoding: line, as: UTF8.self)
        let keywordEnd = text.firstIndex(of: " ") ?? text.endIndex
        let keyword = text[..<keywordEnd].uppercased()
        let rest = keywordEnd == text.endIndex ? "" : String(text[text.index(after: keywordEnd)...])
        let words = rest.split(separator: " ").map(String.init)

        func none(_ command: POP3Command) -> Result<POP3Command, Invalid> {
            words.isEmpty ? .success(command) : .failure(Invalid(reason: "\(keyword) takes no argument"))
        }
        func number(_ word: String) -> Result<Int, Invalid> {
            guard let value = Int(word), value > 0, word.allSatisfy(\.isASCII) else {
                return .failure(Invalid(reason: "invalid message number '\(PeerText.quoted(word, limit: 20))'"))
            }
            return .success(value)
        }
        func optionalNumber(_ make: (Int?) -> POP3Command) -> Result<POP3Command, Invalid> {
            switch words.count {
            case 0: return .success(make(nil))
            case 1: return number(words[0]).map { make($0) }
            default: return .failure(Invalid(reason: "\(keyword) takes at most one message number"))
            }
        }
        func oneNumber(_ make: (Int) -> POP3Command) -> Result<POP3Command, Invalid> {
            guard words.count == 1 else { return .failure(Invalid(reason: "\(keyword) needs a message number")) }
            return number(words[0]).map(make)
        }

        switch keyword {
        case "CAPA": return none(.capa)
        case "USER":
            guard !rest.isEmpty else { return .failure(Invalid(reason: "USER needs a name")) }
            return .success(.user(rest))
        case "PASS": return .success(.pass(rest))
        case "APOP":
            guard words.count == 2 else { return .failure(Invalid(reason: "APOP needs a name and a digest")) }
            return .success(.apop(user: words[0], digest: words[1]))
        case "AUTH":
            guard words.count <= 2 else {
                return .failure(Invalid(reason: "AUTH takes a mechanism and an initial response"))
            }
            return .success(
                .auth(mechanism: words.first?.uppercased(), initialResponse: words.count == 2 ? words[1] : nil))
        case "STLS": return none(.stls)
        case "QUIT": return none(.quit)
        case "STAT": return none(.stat)
        case "LIST": return optionalNumber { .list($0) }
        case "RETR": return oneNumber { .retr($0) }
        case "DELE": return oneNumber { .dele($0) }
        case "NOOP": return none(.noop)
        case "RSET": return none(.rset)
        case "UIDL": return optionalNumber { .uidl($0) }
        case "TOP":
            guard words.count == 2, let lines = Int(words[1]), lines >= 0 else {
                return .failure(Invalid(reason: "TOP needs a message number and a line count"))
            }
            return number(words[0]).map { .top($0, lines: lines) }
        default:
            return .failure(Invalid(reason: "unknown command '\(PeerText.quoted(keyword, limit: 40))'"))
        }
    }
}
