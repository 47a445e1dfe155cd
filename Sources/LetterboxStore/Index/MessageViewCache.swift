import Synchronization

/// The recently read messages of a disk store, bounded: a message's bytes and parsed views stay
/// here while they are in use often and are dropped when they are not, so a store of 100,000
/// messages never holds them all.
///
/// Two generations (a cheap approximation of least-recently-used): new entries go to the current
/// one; when it holds `budget` bytes or `maxEntries` entries it becomes the previous one and the
/// older previous one is dropped; a hit in the previous generation moves the entry back to the
/// current one. At most about twice `budget` (plus one oversized message) is held.
///
/// Thread-safety: every method may be called from any thread.
final class MessageViewCache: Sendable {
    private struct Generations {
        var current: [UInt64: MessageViews] = [:]
        var currentBytes = 0
        var previous: [UInt64: MessageViews] = [:]
    }

    /// Bytes charged for an entry beyond its size: its parsed views and bookkeeping.
    private static let overhead = 512
    let budget: Int
    let maxEntries: Int
    private let state = Mutex(Generations())

    init(budget: Int = 8 << 20, maxEntries: Int = 2048) {
        self.budget = budget
        self.maxEntries = maxEntries
    }

    func views(of id: UInt64) -> MessageViews? {
        state.withLock { state in
            if let views = state.current[id] { return views }
            guard let views = state.previous.removeValue(forKey: id) else { return nil }
            Self.add(views, id: id, to: &state, budget: budget, maxEntries: maxEntries)
            return views
        }
    }

    func insert(_ views: MessageViews, id: UInt64) {
        state.withLock { Self.add(views, id: id, to: &$0, budget: budget, maxEntries: maxEntries) }
    }

    func remove(_ id: UInt64) {
        state.withLock { state in
            if let views = state.current.removeValue(forKey: id) {
                state.currentBytes -= views.raw.count + Self.overhead
            }
            state.previous[id] = nil
        }
    }

    private static func add(
        _ views: MessageViews, id: UInt64, to state: inout Generations, budget: Int, maxEntries: Int
    ) {
        if let old = state.current.updateValue(views, forKey: id) {
            state.currentBytes -= old.raw.count + overhead
        }
        state.currentBytes += views.raw.count + overhead
        if state.currentBytes > budget || state.current.count > maxEntries {
            state.previous = state.current
            state.current = [:]
            state.currentBytes = 0
        }
    }
}
