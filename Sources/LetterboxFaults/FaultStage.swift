/// The point of an SMTP conversation where a fault rule applies.
public enum FaultStage: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The greeting, before the client says anything (RFC 5321 §3.1).
    case connect
    /// `HELO` or `EHLO`; a pattern matches the name the client gives.
    case helo
    /// The `AUTH` command (RFC 4954), before any SASL exchange.
    case auth
    /// `MAIL FROM`; a pattern matches the envelope sender.
    case mail
    /// `RCPT TO`; a pattern matches the recipient.
    case rcpt
    /// The end of a message (`.` after DATA, or the last BDAT chunk), before it is stored; a
    /// pattern matches when any envelope recipient matches.
    case data

    public var description: String { rawValue }

    /// Whether rules at this stage may name an address pattern.
    public var takesPattern: Bool { self != .connect && self != .auth }

    /// The stage for a name in rule text; `ehlo` and `bdat` are accepted as aliases.
    init?(name: String) {
        switch name.lowercased() {
        case "ehlo": self = .helo
        case "bdat": self = .data
        default: self.init(rawValue: name.lowercased())
        }
    }
}
