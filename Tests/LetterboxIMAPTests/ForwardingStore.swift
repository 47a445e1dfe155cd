import LetterboxStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A ``MemoryStore`` behind a class whose methods a test subclass overrides to interfere: a
/// removal right after a snapshot, a flag change held until the test lets it go.
// @unchecked: every stored property here and in the subclasses is a `let` of a Sendable type.
class ForwardingStore: MessageStore, @unchecked Sendable {
    let base = MemoryStore()

    func snapshot(of mailbox: String, matching filter: MessageFilter) -> StoreSnapshot? {
        base.snapshot(of: mailbox, matching: filter)
    }
    func changeFlags(_ update: FlagUpdate, ids: [UInt64]) -> FlagChangeResult { base.changeFlags(update, ids: ids) }
    func changeFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) -> FlagChangeResult {
        base.changeFlags(update, ids: ids, unchangedSince: unchangedSince)
    }
    func modSeq(of id: UInt64) -> UInt64? { base.modSeq(of: id) }
    /// None by default: sessions bring their view up to date by walking the mailbox
    /// (``snapshot(of:matching:)``), where the gated tests hold them.
    func updates(of mailbox: String, since: UInt64, matching filter: MessageFilter) -> MailboxUpdates? { nil }
    func removeEach(ids: [UInt64]) -> RemovalResult { base.removeEach(ids: ids) }
    func append(_ raw: [UInt8], envelope: Envelope) async throws -> Message {
        try await base.append(raw, envelope: envelope)
    }
    func messages() -> [Message] { base.messages() }
    func messages(matching filter: MessageFilter) -> [Message] { base.messages(matching: filter) }
    func message(id: UInt64) -> Message? { base.message(id: id) }
    func remove(ids: [UInt64]) -> Int { base.remove(ids: ids) }
    func waitForMessages(_ wait: MessageWait) async -> [Message] { await base.waitForMessages(wait) }
    func changes() -> AsyncStream<StoreChange> { base.changes() }
    func snapshot(matching filter: MessageFilter) -> StoreSnapshot { base.snapshot(matching: filter) }
    var modificationSequence: UInt64 { base.modificationSequence }
    func flags(of id: UInt64) -> MessageFlags { base.flags(of: id) }
    func claimRecent(_ ids: [UInt64]) -> Set<UInt64> { base.claimRecent(ids) }
    var statistics: StoreStatistics { base.statistics }
    var uidValidity: UInt32 { base.uidValidity }
    func mailboxes() -> [Mailbox] { base.mailboxes() }
    func mailbox(named name: String) -> Mailbox? { base.mailbox(named: name) }
    var subscriptions: Set<String> { base.subscriptions }
    func createMailbox(_ name: String) throws(MailboxError) -> Mailbox { try base.createMailbox(name) }
    func deleteMailbox(_ name: String) throws(MailboxError) -> Int { try base.deleteMailbox(name) }
    func renameMailbox(_ name: String, to newName: String) throws(MailboxError) {
        try base.renameMailbox(name, to: newName)
    }
    func setSubscribed(_ name: String, _ subscribed: Bool) throws(MailboxError) {
        try base.setSubscribed(name, subscribed)
    }
    func location(of id: UInt64) -> MessageLocation? { base.location(of: id) }
    func append(_ raw: [UInt8], to mailbox: String, flags: MessageFlags, receivedAt: Date) async throws
        -> (message: Message, uid: UInt64)
    {
        try await base.append(raw, to: mailbox, flags: flags, receivedAt: receivedAt)
    }
    func copy(ids: [UInt64], to mailbox: String) async throws -> [(source: UInt64, uid: UInt64)] {
        try await base.copy(ids: ids, to: mailbox)
    }
    func move(ids: [UInt64], to mailbox: String) async throws -> [(id: UInt64, from: UInt64, to: UInt64)] {
        try await base.move(ids: ids, to: mailbox)
    }
}
