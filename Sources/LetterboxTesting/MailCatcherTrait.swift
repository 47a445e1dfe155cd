public import Letterbox
public import Testing

/// A Swift Testing trait that gives each test its own catcher on ephemeral ports, reachable as
/// ``MailCatcher/current`` in the test body, and shuts it down afterwards, even when the test throws.
///
/// ```swift
/// @Test(.mailCatcher) func welcomeMail() async throws {
///     let mail = try #require(MailCatcher.current)
///     try await app.signUp(smtpPort: mail.ports.smtp)
///     #expect(try await mail.waitForMessage(to: "ana@example.com").subject == "Welcome")
/// }
/// ```
public struct MailCatcherTrait: TestTrait, SuiteTrait, TestScoping {
    let configuration: @Sendable () -> Configuration

    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Suites get a scope per test case, not one shared catcher.
        guard testCase != nil || !test.isSuite else { return try await function() }
        try await MailCatcher.withRunning(configuration()) { catcher in
            try await MailCatcher.$current.withValue(catcher) { try await function() }
        }
    }
}

extension Trait where Self == MailCatcherTrait {
    /// A fresh catcher per test with every listener on an ephemeral port.
    public static var mailCatcher: MailCatcherTrait { MailCatcherTrait { Configuration() } }

    /// A fresh catcher per test, configured by `configure`.
    public static func mailCatcher(_ configure: @escaping @Sendable (inout Configuration) -> Void) -> MailCatcherTrait {
        MailCatcherTrait {
            var configuration = Configuration()
            configure(&configuration)
            return configuration
        }
    }
}

extension MailCatcher {
    /// The catcher the ``MailCatcherTrait`` started for the running test (task-local).
    @TaskLocal public static var current: MailCatcher?
}
