/// Takes the part of a response built so far, while a long one is still being built (a FETCH of
/// many messages), and returns once the connection has taken it (``Connection/writePiece(_:)``:
/// sent, or queued below the connection's limit), so a response is never held whole and a slow
/// reader slows the command down. Returns false when the connection has failed: the command stops.
package typealias IMAPResponseSink = ([UInt8]) async -> Bool

/// Builds IMAP response data (RFC 3501 §9): atoms, quoted strings, literals, NIL, lists.
struct IMAPWriter {
    /// What a writer with a ``sink`` holds before ``handOffIfFull()`` passes it on: a few socket
    /// buffers' worth (one message's response may take it past this once).
    static let handOffSize = 256 * 1024

    private(set) var bytes: [UInt8] = []
    /// Where ``handOff()`` passes what is built; nil keeps the whole response in ``bytes``.
    var sink: IMAPResponseSink?

    /// Passes what has been built so far to ``sink`` and starts again empty; false when the sink
    /// could not take it (the connection failed), and the command should stop.
    mutating func handOff() async -> Bool {
        guard let sink, !bytes.isEmpty else { return true }
        let built = bytes
        bytes = []
        return await sink(built)
    }

    /// ``handOff()`` once ``handOffSize`` octets or more are built.
    mutating func handOffIfFull() async -> Bool {
        guard bytes.count >= Self.handOffSize else { return true }
        return await handOff()
    }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func raw(_ data: some Collection<UInt8>) { bytes.append(contentsOf: data) }

    /// A string as a quoted string when that is possible, else as a literal.
    mutating func string(_ text: String) { octets(Array(text.utf8)) }

    /// An atom when the text is one (a mailbox name such as `INBOX` or `Sent`), else ``string(_:)``.
    mutating func astring(_ text: String) {
        let atom = !text.isEmpty && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"(){ %*\"\\]".utf8.contains($0) }
        guard atom, text.uppercased() != "NIL" else { return string(text) }
        raw(text)
    }

    /// `NIL` for nil, else ``string(_:)``.
    mutating func nstring(_ text: String?) {
        guard let text else { return raw("NIL") }
        string(text)
    }

    /// Octets as a quoted string if they are short 7-bit text without CR/LF, else as a literal.
    mutating func octets(_ data: some Collection<UInt8>) {
        let quotable = data.count < 1024 && data.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        guard quotable else {
            raw("{\(data.count)}\r\n")
            bytes.append(contentsOf: data)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in data {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Octets as a literal, always: message data (BODY[…], RFC822…) is sent this way, as every
    /// widespread server does, since some clients expect it.
    mutating func literal(_ data: some Collection<UInt8>) {
        raw("{\(data.count)}\r\n")
        bytes.append(contentsOf: data)
    }

    /// `(a b c)` with `element` writing each item.
    mutating func list<T>(_ items: [T], _ element: (inout IMAPWriter, T) -> Void) {
        raw("(")
        for (index, item) in items.enumerated() {
            if index > 0 { raw(" ") }
            element(&self, item)
        }
        raw(")")
    }

    /// A flag list: `(\Seen $Label)`.
    mutating func flags(_ names: [String]) {
        raw("(" + names.joined(separator: " ") + ")")
    }
}
