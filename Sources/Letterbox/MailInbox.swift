public import LetterboxStore

/// Captured mail that can be listed, waited for and cleared, in one vocabulary: an in-process
/// ``MailCatcher``, and in `LetterboxTesting` a `RemoteMailCatcher` or a `ScopedInbox` of either.
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

// The waits every inbox offers, all through ``waitForMessages(_:)``.
extension MailInbox {
    /// Returns the first message that matches, waiting up to `timeout` for it to arrive. Mail
    /// that arrived before the call counts, so there is no race between sending and waiting.
    ///
    /// - Parameters: `to` matches envelope recipients (Bcc included) and To/Cc; `from` the
    ///   envelope sender and From; `subject` the decoded subject; `containing` the decoded text or
    ///   HTML body. All case-insensitive substrings. `predicate`, when given, must accept it too.
    /// - Throws: ``WaitTimeout`` describing what was awaited and what was there instead.
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
