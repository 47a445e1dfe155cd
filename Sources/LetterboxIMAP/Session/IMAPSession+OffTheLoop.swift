import LetterboxStore
import LetterboxThreads

/// The steps of ``IMAPSession`` that walk every message of a mailbox: SELECT and EXAMINE take a
/// snapshot of it, STATUS (and LIST-STATUS, per mailbox) counts it, and bringing the selected
/// mailbox up to date after a change compares all of it when the store cannot list what changed
/// (see `IMAPSession+Sync.swift`). Their cost grows with the store, so they run on the
/// store's indexing threads while the session's task is suspended, not on the event loop that
/// serves every other connection. The session is a value: the step runs on a copy, which then
/// replaces it; nothing else touches the session meanwhile (its driver awaits the command).
extension IMAPSession {
    /// Runs `step` on a copy of this session on ``BlockingPool/indexing``, adopts the copy, and
    /// appends what it wrote to `out`.
    mutating func offTheLoop<Value: Sendable>(
        into out: inout IMAPWriter, _ step: @escaping @Sendable (inout IMAPSession, inout IMAPWriter) -> Value
    ) async -> Value {
        let session = self
        // The copy holds the only reference to the big arrays, so they are copied and freed on
        // the pool's thread, never here.
        entries = []
        recent = []
        let (after, written, value) = await BlockingPool.indexing.perform {
            var session = session
            var writer = IMAPWriter()
            let value = step(&session, &writer)
            return (session, writer.bytes, value)
        }
        self = after
        out.raw(written)
        return value
    }

    /// ``synchronize(into:allowExpunge:)`` when the store changed since the session last looked:
    /// from the changes on the event loop (their cost does not grow with the mailbox), or when the
    /// store cannot list them, by walking the mailbox off the loop.
    mutating func synchronizeOffTheLoop(into out: inout IMAPWriter, allowExpunge: Bool) async {
        guard state == .selected, store.modificationSequence != knownModificationSequence else { return }
        if synchronizeFromChanges(into: &out, allowExpunge: allowExpunge) { return }
        await offTheLoop(into: &out) { $0.synchronizeByWalking(into: &$1, allowExpunge: allowExpunge) }
    }

    /// ``idleUpdates()`` for a driver on an event loop.
    package mutating func idleUpdatesOffTheLoop() async -> [UInt8] {
        var out = IMAPWriter()
        await synchronizeOffTheLoop(into: &out, allowExpunge: true)
        return out.bytes
    }
}
