import Letterbox

/// Captured mail a test can list, wait for and clear: an in-process ``MailCatcher``, a
/// ``RemoteMailCatcher``, or a ``ScopedInbox`` of either.
public protocol MailInbox: Sendable {
    /// Captured messages that match, oldest first.
    func messages(_ criteria: MailCriteria) async throws -> [CapturedMail]

    /// The first `count` messages that match, waiting up to `timeout` for them to arrive. Mail
    /// that arrived before the call counts. Never polls.
    ///
    /// - Throws: ``MailExpectationFailure`` describing what was expected and what was there.
    func waitForMessages(_ count: Int, _ criteria: MailCriteria, timeout: Duration) async throws -> [CapturedMail]

    /// Deletes the messages that match; returns how many.
    @discardableResult
    func deleteMessages(_ criteria: MailCriteria) async throws -> Int
}

extension MailInbox {
    /// The first message that matches, waiting up to `timeout`.
    public func waitForMail(
        to: String? = nil, from: String? = nil, subject: String? = nil, body: String? = nil,
        timeout: Duration = .seconds(10), where predicate: (@Sendable (CapturedMail) -> Bool)? = nil
    ) async throws -> CapturedMail {
        let criteria = MailCriteria(to: to, from: from, subject: subject, body: body, where: predicate)
        return try await waitForMessages(1, criteria, timeout: timeout)[0]
    }

    /// The first message matching `criteria`, waiting up to `timeout`.
    public func waitForMail(_ criteria: MailCriteria, timeout: Duration = .seconds(10)) async throws -> CapturedMail {
        try await waitForMessages(1, criteria, timeout: timeout)[0]
    }

    /// Every captured message, oldest first.
    public func allMail() async throws -> [CapturedMail] { try await messages(.any) }
}
