import Foundation

/// A private corner of a shared catcher: it hands out recipient addresses that carry a unique
/// tag, and lists, waits for and deletes only mail sent to them. Tests running in parallel
/// against one catcher never see each other's mail and never need a global delete.
///
/// ```swift
/// let inbox = remote.scope()
/// try await signUp(email: inbox.address("ana"))      // ana+lbx-1f3a9c@example.com
/// let mail = try await inbox.waitForMail(subject: "Welcome")
/// ```
public struct ScopedInbox: MailInbox {
    /// The tag every address of this scope carries.
    public let tag: String
    /// The domain of the addresses handed out.
    public let domain: String
    private let base: any MailInbox

    init(base: any MailInbox, domain: String) {
        self.base = base
        self.domain = domain
        self.tag = "lbx-" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// A unique address for this scope, e.g. `ana+lbx-1f3a9c0e2b@example.com` (plus addressing,
    /// which mail libraries accept as an ordinary address).
    public func address(_ localPart: String = "user") -> String { "\(localPart)+\(tag)@\(domain)" }

    private func scoped(_ criteria: MailCriteria) -> MailCriteria {
        var scoped = criteria
        let tag = self.tag
        if let to = criteria.to {
            // Both must hold: the caller's recipient and this scope's tag.
            scoped.to = tag
            let previous = criteria.predicate
            scoped.predicate = { mail in
                let recipients = mail.envelope.recipients + (mail.to + mail.cc).map(\.address)
                return recipients.contains { $0.localizedCaseInsensitiveContains(to) } && (previous?(mail) ?? true)
            }
        } else {
            scoped.to = tag
        }
        return scoped
    }

    public func messages(_ criteria: MailCriteria) async throws -> [CapturedMail] {
        try await base.messages(scoped(criteria))
    }

    public func waitForMessages(_ count: Int, _ criteria: MailCriteria, timeout: Duration) async throws
        -> [CapturedMail]
    {
        try await base.waitForMessages(count, scoped(criteria), timeout: timeout)
    }

    @discardableResult
    public func deleteMessages(_ criteria: MailCriteria) async throws -> Int {
        try await base.deleteMessages(scoped(criteria))
    }
}

extension MailInbox {
    /// A ``ScopedInbox`` on this catcher with addresses at `domain`.
    public func scope(domain: String = "example.com") -> ScopedInbox {
        ScopedInbox(base: self, domain: domain)
    }
}
