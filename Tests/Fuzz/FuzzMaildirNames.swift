// libFuzzer target: the names a Maildir store reads from disk — message file names
// (`MaildirFileName`: base, `:2,` flag letters, `,S=` `,W=` `,U=` fields), flag letters, folder
// directory names (`.Archive.2024`) and IMAP mailbox names — one name per input line.
//
// Invariants: parsing a name and writing it again is a fixpoint; the fields read back what
// `delivered` wrote, and agree with a plain reference reading; flag letters survive a round trip
// through flags; a folder directory maps back to its own name.

@testable import LetterboxStore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMaildirNames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    for line in raw.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(64) {
        let name = String(decoding: line, as: UTF8.self)
        checkFileName(name)
        checkFlags(name)
        checkFolder(name)
        let canonical = Mailbox.canonical(name)
        guard Mailbox.canonical(canonical) == canonical else {
            fuzzFailure("canonical mailbox name moves: \(name.debugDescription)")
        }
        _ = Mailbox.problem(with: name)
        _ = Mailbox.ancestors(of: name)
    }
    return 0
}

private func checkFileName(_ name: String) {
    let parsed = MaildirFileName(parsing: name)
    let again = MaildirFileName(parsing: parsed.name)
    guard again == parsed else {
        fuzzFailure(
            "file name \(name.debugDescription) → \(parsed.name.debugDescription) → \(again.name.debugDescription)")
    }
    // Without info, or with `:2,` info, the name is written back as it was read.
    // (As the parser does, `2,` is compared as characters: `,` followed by a combining mark is not `,`.)
    let utf8 = name.utf8
    let kept = utf8.firstIndex(of: UInt8(ascii: ":")).map { name[utf8.index(after: $0)...].hasPrefix("2,") } ?? true
    if kept, parsed.name != name {
        fuzzFailure("file name \(name.debugDescription) written back as \(parsed.name.debugDescription)")
    }
    for key in ["S", "W", "U", "X"] as [Character] {
        guard parsed.field(key) == referenceField(key, in: parsed.base) else {
            fuzzFailure("field \(key) of \(parsed.base.debugDescription): \(String(describing: parsed.field(key)))")
        }
    }
    // What delivery writes reads back, whatever the (never empty) unique part holds.
    guard !parsed.base.isEmpty else { return }
    let numbers = Array(name.utf8.prefix(24))
    let size = Int(numbers.prefix(8).reduce(0) { $0 &* 31 &+ Int($1) } & 0x7FFF_FFFF)
    let id = numbers.reduce(UInt64(0)) { $0 &* 131 &+ UInt64($1) }
    let delivered = MaildirFileName.delivered(unique: parsed.base, size: size, canonicalSize: size + 7, id: id)
    guard delivered.field("S") == UInt64(size), delivered.field("W") == UInt64(size + 7), delivered.letterboxID == id
    else {
        fuzzFailure("delivered fields of \(delivered.name.debugDescription)")
    }
    guard MaildirFileName(parsing: delivered.name) == delivered || parsed.base.contains(":") else {
        fuzzFailure("delivered name \(delivered.name.debugDescription) does not parse back")
    }
}

/// `,KEY=digits` read from the end of the base; a comma at the very start does not count.
private func referenceField(_ key: Character, in base: String) -> UInt64? {
    let segments = Array(base.utf8.dropFirst()).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        .dropFirst()
    guard let key = key.asciiValue,
        let segment = segments.reversed().first(where: {
            $0.count >= 2 && $0[$0.startIndex] == key && $0[$0.startIndex + 1] == UInt8(ascii: "=")
        })
    else { return nil }
    let digits = segment.dropFirst(2)
    guard !digits.isEmpty, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
    return UInt64(String(decoding: digits, as: UTF8.self))
}

private func checkFlags(_ letters: String) {
    // Flag letters are ASCII; other characters can merge into one grapheme once sorted.
    guard letters.utf8.allSatisfy({ $0 < 0x80 }) else { return }
    let flags = MaildirFlags.flags(letters)
    let written = MaildirFlags.letters(for: flags, keeping: letters)
    guard written == String(Set(letters).sorted()) else {
        fuzzFailure("letters \(letters.debugDescription) → \(written.debugDescription)")
    }
    guard MaildirFlags.flags(written) == flags else { fuzzFailure("flags of \(letters.debugDescription) change") }
    _ = MaildirFlags.keywords(flags)
}

private func checkFolder(_ directory: String) {
    // A directory entry never holds "/".
    guard !directory.contains("/"), let mailbox = MaildirFolder.mailbox(directory: directory) else { return }
    let folder = MaildirFolder(root: "/r", mailbox: mailbox)
    guard folder.path == "/r/" + directory else {
        fuzzFailure(
            "folder \(directory.debugDescription) → \(mailbox.debugDescription) → \(folder.path.debugDescription)")
    }
}
