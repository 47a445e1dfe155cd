extension StringProtocol {
    /// Whether `other` occurs in this text regardless of case, with full Unicode case mapping
    /// ("Straße" contains "STRASSE") and canonical equivalence; an empty `other` never occurs.
    /// What Foundation's `localizedCaseInsensitiveContains` answers in the POSIX locale, without
    /// ICU. ASCII text (most mail) takes a byte loop, as fast as Foundation or faster.
    package func containsIgnoringCase(_ other: some StringProtocol) -> Bool {
        guard !other.isEmpty else { return false }
        var text = String(self)
        var pattern = String(other)
        let ascii = text.withUTF8 { text in pattern.withUTF8 { asciiContainsIgnoringCase(text, $0) } }
        return ascii ?? text.uppercased().contains(pattern.uppercased())
    }

    /// Whether both texts are equal regardless of case (Foundation's `caseInsensitiveCompare`
    /// answering `.orderedSame`, without ICU).
    package func equalsIgnoringCase(_ other: some StringProtocol) -> Bool {
        uppercased() == other.uppercased()
    }
}

/// Whether `pattern` occurs in `text` with ASCII case folding, which is all the folding there is
/// when both are ASCII; nil when either is not.
private func asciiContainsIgnoringCase(_ text: UnsafeBufferPointer<UInt8>, _ pattern: UnsafeBufferPointer<UInt8>)
    -> Bool?
{
    guard pattern.allSatisfy({ $0 < 0x80 }), text.allSatisfy({ $0 < 0x80 }) else { return nil }
    func upper(_ byte: UInt8) -> UInt8 { byte &- UInt8(ascii: "a") < 26 ? byte - 0x20 : byte }
    guard let first = pattern.first.map(upper), text.count >= pattern.count else { return false }
    for start in 0...(text.count - pattern.count) where upper(text[start]) == first {
        var offset = 1
        while offset < pattern.count, upper(text[start + offset]) == upper(pattern[offset]) { offset += 1 }
        if offset == pattern.count { return true }
    }
    return false
}
