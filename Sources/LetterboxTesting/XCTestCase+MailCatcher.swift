import Letterbox
import XCTest

extension XCTestCase {
    /// Starts a catcher for this test on ephemeral ports and shuts it down in tear-down.
    /// Call it from `setUp() async throws` or from the test itself.
    public func startMailCatcher(_ configuration: Configuration = Configuration()) async throws -> MailCatcher {
        let catcher = try await MailCatcher.start(configuration)
        addTeardownBlock { await catcher.shutdown() }
        return catcher
    }
}

/// Waits for a message and fails the test with what was expected, how long it waited, and every
/// message that was there instead. Returns the message, or nil after recording the failure.
@discardableResult
public func XCTAssertReceivesMail(
    _ inbox: some MailInbox, _ criteria: MailCriteria, timeout: Duration = .seconds(10),
    file: StaticString = #filePath, line: UInt = #line
) async -> CapturedMail? {
    do {
        return try await inbox.waitForMail(criteria, timeout: timeout)
    } catch {
        XCTFail("\(error)", file: file, line: line)
        return nil
    }
}

/// Waits for `count` messages; fails the test like ``XCTAssertReceivesMail(_:_:timeout:file:line:)``.
@discardableResult
public func XCTAssertReceivesMail(
    _ inbox: some MailInbox, count: Int, _ criteria: MailCriteria = .any, timeout: Duration = .seconds(10),
    file: StaticString = #filePath, line: UInt = #line
) async -> [CapturedMail] {
    do {
        return try await inbox.waitForMessages(count, criteria, timeout: timeout)
    } catch {
        XCTFail("\(error)", file: file, line: line)
        return []
    }
}
