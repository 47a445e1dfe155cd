/// One part of `APPEND … CATENATE (…)` (RFC 4469 §5): octets sent with the command, or an IMAP
/// URL (RFC 5092) naming a message or a part of one on this server.
package enum CatenatePart: Sendable, Equatable {
    /// `TEXT literal`.
    case text([UInt8])
    /// `URL astring`, as sent.
    case url(String)
}
