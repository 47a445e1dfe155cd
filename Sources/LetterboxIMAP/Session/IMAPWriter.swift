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

    mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ data: some Collection<UInt8>) { bytes.append(contentsOf: data) }

    /// A number in decimal, written in place (a UID, a size: no string is made for it).
    mutating func number(_ value: UInt64) {
        guard value >= 10 else { return bytes.append(UInt8(ascii: "0") + UInt8(value)) }
        let start = bytes.count
        var rest = value
        while rest > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        bytes[start...].reverse()
    }

    mutating func number(_ value: Int) { number(UInt64(clamping: value)) }

    /// A string as a quoted string when that is possible, else as a literal.
    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { _ = put($0, refusingEightBit: false) }
    }

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

    /// Header text (an ENVELOPE or BODYSTRUCTURE value) as ``nstring(_:)``; with `downgrading`
    /// (a client that did not enable UTF8=ACCEPT), text that is not ASCII goes as encoded words
    /// (``HeaderDowngrade/text(_:)``). The octets are looked at once: ASCII text, nearly all of
    /// it, goes out as it is from the same pass.
    mutating func headerText(_ text: String?, downgrading: Bool) {
        guard let text else { return raw("NIL") }
        guard downgrading else { return string(text) }
        var original = text
        let written = original.withUTF8 { put($0, refusingEightBit: true) }
        if !written { string(HeaderDowngrade.text(text)) }
    }

    /// Octets as a quoted string if they are short 7-bit text without CR/LF, else as a literal.
    mutating func octets(_ data: some Collection<UInt8>) {
        if data.withContiguousStorageIfAvailable({ put($0, refusingEightBit: false) }) == nil {
            _ = Array(data).withUnsafeBufferPointer { put($0, refusingEightBit: false) }
        }
    }

    /// ``octets(_:)`` from a buffer, looking at each octet once to choose; with
    /// `refusingEightBit`, octets that are not all 7-bit are not written and the answer is false.
    private mutating func put(_ data: UnsafeBufferPointer<UInt8>, refusingEightBit: Bool) -> Bool {
        var lowest: UInt8 = 0xFF
        var highest: UInt8 = 0
        var escapes = 0
        for byte in data {
            lowest = min(lowest, byte)
            highest = max(highest, byte)
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { escapes += 1 }
        }
        if refusingEightBit && highest >= 0x80 { return false }
        guard data.count < 1024 && lowest >= 0x20 && highest < 0x7F else {
            literal(data)
            return true
        }
        bytes.append(UInt8(ascii: "\""))
        if escapes == 0 {
            bytes.append(contentsOf: data)
        } else {
            bytes.reserveCapacity(bytes.count + data.count + escapes + 1)
            for byte in data {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return true
    }

    /// Octets as a literal, always: message data (BODY[…], RFC822…) is sent this way, as every
    /// widespread server does, since some clients expect it.
    mutating func literal(_ data: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "{"))
        number(data.count)
        bytes.append(UInt8(ascii: "}"))
        bytes.append(13)
        bytes.append(10)
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
