/// The INBOX files of a Maildir store by message id: where each file is now and its keywords.
///
/// Reads and writes whole ``MaildirEntry`` values, but keeps keywords apart, only for the messages
/// that have any: a restart with 100,000 messages holds 100,000 locations and (usually) no keyword
/// lists, and an entry without its list makes every bucket of the table 8 bytes smaller.
struct MaildirTable: Sendable {
    private var locations: [UInt64: MaildirEntry.Location] = [:]
    private var keywords: [UInt64: [String]] = [:]

    init() {}

    /// Room for `count` entries without rehashing (start-up knows how many files it found).
    mutating func reserveCapacity(_ count: Int) { locations.reserveCapacity(count) }

    var count: Int { locations.count }

    /// The ids in the table, in no particular order.
    var ids: Dictionary<UInt64, MaildirEntry.Location>.Keys { locations.keys }

    subscript(id: UInt64) -> MaildirEntry? {
        get { locations[id].map { MaildirEntry($0, keywords: keywords[id] ?? []) } }
        set {
            locations[id] = newValue?.location
            keywords[id] = newValue.flatMap { $0.keywords.isEmpty ? nil : $0.keywords }
        }
    }

    @discardableResult
    mutating func removeValue(forKey id: UInt64) -> MaildirEntry? {
        defer { self[id] = nil }
        return self[id]
    }
}
