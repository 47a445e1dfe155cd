import Foundation
public import Letterbox
public import LetterboxStore

/// A private corner of a shared catcher: it hands out recipient addresses that carry a unique
/// tag, and lists, waits for and deletes only mail sent to them. Tests running in parallel
/// against one catcher never see each other's mail and never need a global delete.
///
/// ```swift
/// let inbox = remote.scope()
/// try await signUp(email: inbox.address("ana"))      // ana+lbx-1f3a9c@example.com
/// let mail = try await inbox.waitForMessage(subject: "Welcome")
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

    /// `filter` narrowed to this scope's mail: its `to` becomes a search term, so both must hold.
    private func scoped(_ filter: MessageFilter) -> MessageFilter {
        var scoped = filter
        if let to = filter.to { scoped.terms.append(SearchTerm(.to(to))) }
        scoped.to = tag
        return scoped
    }

    public func messages(matching filter: MessageFilter) async throws -> [Message] {
        try await base.messages(matching: scoped(filter))
    }

    public func waitForMessages(_ wait: MessageWait) async throws -> [Message] {
        var scopedWait = wait
        scopedWait.filter = scoped(wait.filter)
        return try await base.waitForMessages(scopedWait)
    }

    @discardableResult
    public func deleteMessages(matching filter: MessageFilter) async throws -> Int {
        try await base.deleteMessages(matching: scoped(filter))
    }
}

extension MailInbox {
    /// A ``ScopedInbox`` on this catcher with addresses at `domain`.
    public func scope(domain: String = "example.com") -> ScopedInbox {
        ScopedInbox(base: self, domain: domain)
    }
}
