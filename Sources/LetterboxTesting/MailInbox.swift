import Letterbox

/// Captured mail a test can list, wait for and clear, in the words of ``MailCatcher``: an
/// in-process ``MailCatcher``, a ``RemoteMailCatcher``, or a ``ScopedInbox`` of either.
public protocol MailInbox: Sendable {
    /// The captured messages `filter` selects, oldest first.
    func messages(matching filter: MessageFilter) async throws -> [Message]

    /// The first `wait.count` messages `wait` selects, oldest first, waiting up to `wait.timeout`
    /// for them to arrive. Mail that arrived before the call counts. Never polls.
    ///
    /// - Throws: ``WaitTimeout`` saying what was awaited, how long, and what was there instead.
    func waitForMessages(_ wait: MessageWait) async throws -> [Message]

    /// Deletes the captured messages `filter` selects; returns how many.
    @discardableResult
    func deleteMessages(matching filter: MessageFilter) async throws -> Int
}

// The same conveniences as ``MailCatcher``'s, for every inbox.
extension MailInbox {
    /// The captured messages that match, oldest first (every one without arguments). Text
    /// matches are case-insensitive substrings.
    public func messages(
        to: String? = nil, from: String? = nil, subject: String? = nil, containing text: String? = nil
    ) async throws -> [Message] {
        try await messages(matching: MessageFilter(to: to, from: from, subject: subject, contains: text))
    }

    /// The first message that matches, waiting up to `timeout`; see
    /// ``MailCatcher/waitForMessage(to:from:subject:containing:timeout:where:)``.
    ///
    /// - Throws: ``WaitTimeout``.
    public func waitForMessage(
        to: String? = nil, from: String? = nil, subject: String? = nil, containing text: String? = nil,
        timeout: Duration = .seconds(10), where predicate: (@Sendable (Message) -> Bool)? = nil
    ) async throws -> Message {
        try await waitForMessage(
            matching: MessageFilter(to: to, from: from, subject: subject, contains: text), timeout: timeout,
            where: predicate)
    }

    /// The first message `filter` selects and `predicate` accepts, waiting up to `timeout`.
    ///
    /// - Throws: ``WaitTimeout``.
    public func waitForMessage(
        matching filter: MessageFilter, timeout: Duration = .seconds(10),
        where predicate: (@Sendable (Message) -> Bool)? = nil
    ) async throws -> Message {
        let wait = MessageWait(filter, timeout: timeout, where: predicate)
        guard let message = try await waitForMessages(wait).first else {
            throw WaitTimeout(wait, found: [], stored: [])
        }
        return message
    }

    /// The first `count` messages `filter` selects and `predicate` accepts, waiting up to `timeout`.
    ///
    /// - Throws: ``WaitTimeout``.
    public func waitForMessages(
        _ count: Int, matching filter: MessageFilter = .any, timeout: Duration = .seconds(10),
        where predicate: (@Sendable (Message) -> Bool)? = nil
    ) async throws -> [Message] {
        try await waitForMessages(MessageWait(filter, count: count, timeout: timeout, where: predicate))
    }
}
