import Synchronization

/// The number of long polls (`/messages/wait`) one HTTP server lets wait at the same time.
///
/// A waiting client holds a connection slot for up to the wait's timeout; without a bound of
/// their own, waits could take every slot and leave none for `/healthz` or the web inbox.
/// Safe to share between tasks.
package final class LongPollLimit: Sendable {
    /// The most waits at a time.
    package let limit: Int
    private let active = Atomic<Int>(0)

    package init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a place; false when all are taken (nothing is held then).
    package func enter() -> Bool {
        if active.add(1, ordering: .relaxed).newValue <= limit { return true }
        active.subtract(1, ordering: .relaxed)
        return false
    }

    /// How many places are taken now.
    package var inProgress: Int { active.load(ordering: .relaxed) }

    /// Gives back a place taken by ``enter()``.
    package func leave() { active.subtract(1, ordering: .relaxed) }
}
