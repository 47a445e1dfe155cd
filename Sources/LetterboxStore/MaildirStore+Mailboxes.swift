import Foundation

/// Mailboxes in a Maildir store: for now INBOX only (the Maildir root), holding what SMTP
/// delivered. Other mailboxes are to be Maildir++ subfolders (`.Name/`); until they are, CREATE,
/// DELETE, RENAME, APPEND, COPY and MOVE say so (IMAP answers `NO [CANNOT]`).
extension MaildirStore {
    private static var inboxOnly: MailboxError {
        .cannot("the Maildir store keeps INBOX only, as delivered over SMTP: no other mailboxes, APPEND, COPY or MOVE yet")
    }

    @discardableResult
    public func createMailbox(_ name: String) throws(MailboxError) -> Mailbox {
        if index.mailbox(named: name) != nil { throw .alreadyExists(Mailbox.canonical(name)) }
        throw Self.inboxOnly
    }

    @discardableResult
    public func deleteMailbox(_ name: String) throws(MailboxError) -> Int {
        if index.mailbox(named: name) == nil { throw .nonexistent(Mailbox.canonical(name)) }
        throw Self.inboxOnly
    }

    public func renameMailbox(_ name: String, to newName: String) throws(MailboxError) { throw Self.inboxOnly }

    public func append(_ raw: [UInt8], to mailbox: String, flags: MessageFlags, receivedAt: Date) async throws
        -> (message: Message, uid: UInt64)
    {
        if index.mailbox(named: mailbox) == nil { throw MailboxError.tryCreate(Mailbox.canonical(mailbox)) }
        throw Self.inboxOnly
    }

    public func copy(ids: [UInt64], to mailbox: String) async throws -> [(source: UInt64, uid: UInt64)] {
        if index.mailbox(named: mailbox) == nil { throw MailboxError.tryCreate(Mailbox.canonical(mailbox)) }
        throw Self.inboxOnly
    }

    public func move(ids: [UInt64], to mailbox: String) async throws -> [(id: UInt64, from: UInt64, to: UInt64)] {
        if index.mailbox(named: mailbox) == nil { throw MailboxError.tryCreate(Mailbox.canonical(mailbox)) }
        throw Self.inboxOnly
    }
}
