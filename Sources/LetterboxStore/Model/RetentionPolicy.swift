import LetterboxThreads
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Limits on what a store keeps. When a limit is exceeded the oldest messages (by arrival) are
/// removed first, through the store's ordinary ``MessageStore/remove(ids:)``, so every interface
/// sees them go: HTTP lists drop them, POP3 and IMAP sessions are told at their next legal point
/// (IMAP EXPUNGE, RFC 3501 §7.4.1).
///
/// A nil limit is no limit. Count and size are checked after every arrival; age also by a timer
/// that wakes when the oldest message expires.
public struct RetentionPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Keep at most this many messages.
    public var maxMessages: Int?
    /// Keep messages at most this long after they arrived.
    public var maxAge: Duration?
    /// Keep at most this many octets of raw message bytes.
    public var maxBytes: Int?

    public init(maxMessages: Int? = nil, maxAge: Duration? = nil, maxBytes: Int? = nil) {
        self.maxMessages = maxMessages
        self.maxAge = maxAge
        self.maxBytes = maxBytes
    }

    /// Keeps everything: the default for a ``MaildirStore``, whose disk is the user's to size.
    public static let unlimited = RetentionPolicy()

    /// The default for a ``MemoryStore``: 50,000 messages or 1 GiB of raw message bytes, whichever
    /// is reached first, so a catcher left running under load does not grow until the system
    /// kills it. Lift it with ``unlimited`` (or `--max-messages 0 --max-bytes 0`).
    public static let memoryDefault = RetentionPolicy(maxMessages: 50_000, maxBytes: 1 << 30)

    /// True when no limit is set.
    public var isUnlimited: Bool { maxMessages == nil && maxAge == nil && maxBytes == nil }

    /// `max 50000 messages, 1073741824 bytes`, or `unlimited`.
    public var description: String {
        var parts: [String] = []
        if let maxMessages { parts.append("\(maxMessages) messages") }
        if let maxBytes { parts.append("\(maxBytes) bytes") }
        if let maxAge { parts.append("\(maxAge.components.seconds) s old") }
        return parts.isEmpty ? "unlimited" : "max " + parts.joined(separator: ", ")
    }
}

/// Applies a ``RetentionPolicy`` to the index a store wraps: decides what goes after an arrival,
/// and runs the timer that expires messages by age. The store does the removing, so its own
/// clean-up (files on disk) happens too.
final class Retention: Sendable {
    let policy: RetentionPolicy
    private let index: MessageIndex
    private let sweeper: SweeperTask

    init(policy: RetentionPolicy, index: MessageIndex) {
        self.policy = policy
        self.index = index
        self.sweeper = SweeperTask()
    }

    deinit { sweeper.cancel() }

    /// The ids that must go now, oldest first. After an arrival only the oldest are looked at;
    /// `everyAge` (the timer, start-up) also finds later messages that are too old.
    func excess(now: Date = Date(), everyAge: Bool = false) -> [UInt64] {
        guard !policy.isUnlimited else { return [] }
        return index.excess(under: policy, now: now, everyAge: everyAge)
    }

    /// Starts the age timer if the policy has a maximum age. `tick` removes what expired and returns
    /// false once its store is gone (it should capture the store weakly), which ends the timer.
    func startSweeping(_ tick: @escaping @Sendable () -> Bool) {
        guard let maxAge = policy.maxAge else { return }
        let index = self.index
        sweeper.start {
            while !Task.isCancelled {
                let delay = Self.nextCheck(oldest: index.oldestArrival, maxAge: maxAge, now: Date())
                try? await Task.sleep(for: delay)
                // A sweep may scan the whole index and unlink many files: on a blocking thread,
                // never on an event loop, whichever executor this task was started from.
                if Task.isCancelled { return }
                if !(await BlockingPool.offload(tick)) { return }
            }
        }
    }

    /// How long until the oldest message expires: at most a minute (so a store dropped without
    /// cancelling still ends its timer soon), and at least a tenth of the maximum age capped at a
    /// second, so a steady stream of expiring mail costs one scan per interval, not one per message.
    static func nextCheck(oldest: Date?, maxAge: Duration, now: Date) -> Duration {
        let age = Double(maxAge.components.seconds) + Double(maxAge.components.attoseconds) / 1e18
        let seconds = oldest.map { $0.timeIntervalSince(now) + age } ?? age
        let granularity = min(max(age / 10, 0.01), 1)
        return .milliseconds(Int64(min(max(seconds, granularity), 60) * 1000))
    }
}

/// The age timer's task, cancelled when the store's ``Retention`` goes away.
private final class SweeperTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(_ body: @escaping @Sendable () async -> Void) {
        task.withLock { $0 = Task(operation: body) }
    }

    func cancel() { task.withLock { $0?.cancel() } }
}
