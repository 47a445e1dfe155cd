public import Letterbox
public import LetterboxStore
public import XCTest

extension XCTestCase {
    /// Starts a catcher for this test on ephemeral ports and shuts it down in tear-down.
    /// Call it from `setUp() async throws` or from the test itself.
    public func startMailCatcher(_ configuration: Configuration = Configuration()) async throws -> MailCatcher {
        let catcher = try await MailCatcher.start(configuration)
        addTeardownBlock { await catcher.shutdown() }
        return catcher
    }
}

/// Waits for a message `filter` selects and `predicate` accepts, and fails the test with the
/// ``WaitTimeout``'s account (what was awaited, how long, every message there instead) when none
/// comes. Returns the message, or nil after recording the failure.
@discardableResult
public func XCTAssertReceivesMessage(
    _ inbox: some MailInbox, _ filter: MessageFilter = .any, timeout: Duration = .seconds(10),
    where predicate: (@Sendable (Message) -> Bool)? = nil, file: StaticString = #filePath, line: UInt = #line
) async -> Message? {
    await XCTAssertReceivesMessages(inbox, count: 1, filter, timeout: timeout, where: predicate, file: file, line: line)
        .first
}

/// Waits for `count` messages; fails the test like
/// ``XCTAssertReceivesMessage(_:_:timeout:where:file:line:)``. Returns them, or none after
/// recording the failure.
@discardableResult
public func XCTAssertReceivesMessages(
    _ inbox: some MailInbox, count: Int, _ filter: MessageFilter = .any, timeout: Duration = .seconds(10),
    where predicate: (@Sendable (Message) -> Bool)? = nil, file: StaticString = #filePath, line: UInt = #line
) async -> [Message] {
    do {
        return try await inbox.waitForMessages(MessageWait(filter, count: count, timeout: timeout, where: predicate))
    } catch {
        XCTFail("\(error)", file: file, line: line)
        return []
    }
}
