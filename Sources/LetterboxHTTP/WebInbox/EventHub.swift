import LetterboxNet
import LetterboxStore
import Synchronization

/// The source of `GET /events` (Server-Sent Events): turns the store's changes into numbered
/// events, keeps the most recent ones for `Last-Event-ID` resumption, and hands each to the
/// subscribers whose filter admits it.
///
/// Events (the WHATWG HTML "server-sent events" format):
/// - `message`: a message was captured, appended or moved; `data` is its entry of
///   `GET /messages.json`. A repeated id replaces the entry.
/// - `deleted`: `{"ids":[…]}`, messages removed for every interface.
/// - `flags`: `{"id":…,"flags":[…],"seen":…}`, the IMAP flags of a message changed.
/// - `reset`: sent instead of a replay when `Last-Event-ID` is older than what is kept; the
///   client should reload its list.
///
/// The store is watched only while someone subscribes; a resumption across a time without
/// subscribers gets `reset` (the events of that time were not recorded). Each subscriber's queue
/// is bounded (``maxQueuedBytes``): a consumer that falls that far behind is disconnected, so a
/// slow reader can never make the server hold more. Safe to share between tasks.
package final class EventHub: Sendable {
    /// Events kept for resumption.
    package static let ringCapacity = 1024
    /// Bytes a subscriber may fall behind before it is disconnected.
    package static let maxQueuedBytes = 1 << 20
    /// Seconds between heartbeat comments (`: keep-alive`), which keep proxies from closing an
    /// idle stream and reveal a peer that has gone.
    package static let heartbeatInterval: Duration = .seconds(15)

    /// One numbered event, encoded, with what a filter needs to judge it.
    struct Event: Sendable {
        let id: UInt64
        let bytes: [UInt8]
        /// For `message` events: the message, where it is and its flags (for `is:unread`); nil for
        /// events every subscriber gets.
        let subject: (message: Message, location: MessageLocation?, flags: MessageFlags)?
    }

    /// One `/events` connection's queue.
    package final class Subscriber: Sendable {
        let filter: MessageFilter
        let handle: ConnectionHandle
        private let queue = Mutex<(bytes: [UInt8], overflowed: Bool)>(([], false))
        /// Counts the subscribers dropped for falling behind.
        private let dropped: Counter

        init(filter: MessageFilter, handle: ConnectionHandle, dropped: Counter) {
            self.filter = filter
            self.handle = handle
            self.dropped = dropped
        }

        /// Queues `bytes` and wakes the connection; past ``maxQueuedBytes`` aborts it instead.
        func deliver(_ bytes: [UInt8]) {
            let overflowed = queue.withLock { queue -> Bool in
                guard !queue.overflowed else { return false }
                if queue.bytes.count + bytes.count > EventHub.maxQueuedBytes {
                    queue.overflowed = true
                    queue.bytes = []
                    return true
                }
                queue.bytes += bytes
                return false
            }
            if overflowed {
                dropped.increment()
                handle.abort()
            } else {
                handle.wake()
            }
        }

        /// Takes what is queued; nil once the subscriber has been dropped for falling behind.
        package func take() -> [UInt8]? {
            queue.withLock { queue in
                if queue.overflowed { return nil }
                defer { queue.bytes = [] }
                return queue.bytes
            }
        }

        func admits(_ event: Event) -> Bool {
            guard let (message, location, flags) = event.subject else { return true }
            guard let location else { return false }
            return filter.admits(mailbox: location.mailbox, captured: location.captured)
                && filter.matches(message, flags: flags)
        }
    }

    private struct State {
        var ring: [Event] = []
        var ringStart = 0
        var nextID: UInt64 = 1
        /// The id of the first event since the store has been watched without interruption.
        var runStart: UInt64 = 1
        var subscribers: [ObjectIdentifier: Subscriber] = [:]
        var pump: Task<Void, Never>?

        mutating func record(_ event: Event) {
            if ring.count < EventHub.ringCapacity {
                ring.append(event)
            } else {
                ring[ringStart] = event
                ringStart = (ringStart + 1) % ring.count
            }
        }

        /// The kept events after `id`, oldest first; nil when some of them are no longer kept.
        func events(after id: UInt64) -> [Event]? {
            guard id < nextID, id + 1 >= runStart else { return nil }
            let ordered = Array(ring[ringStart...] + ring[..<ringStart])
            guard let first = ordered.first else { return id + 1 == nextID ? [] : nil }
            guard first.id <= id + 1 else { return nil }
            return ordered.filter { $0.id > id }
        }
    }

    /// A count shared with the subscribers.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func increment() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    private let store: any MessageStore
    private let state = Mutex(State())
    private let dropped = Counter()

    /// How many subscribers were disconnected for falling more than ``maxQueuedBytes`` behind.
    package var droppedSubscribers: Int { dropped.count }

    package init(store: any MessageStore) { self.store = store }

    /// How many subscribers are connected.
    package var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Adds a subscriber and queues its first bytes: the kept events after `lastEventID` that its
    /// filter admits, or `event: reset` when they are not all kept.
    package func subscribe(filter: MessageFilter, lastEventID: UInt64?, handle: ConnectionHandle) -> Subscriber {
        let subscriber = Subscriber(filter: filter, handle: handle, dropped: dropped)
        // Delivered under the lock, as live events are, so none is queued before the replay or twice.
        state.withLock { state in
            state.subscribers[ObjectIdentifier(subscriber)] = subscriber
            if state.pump == nil {
                state.runStart = state.nextID
                state.pump = Task { [weak self, changes = store.changes()] in
                    for await change in changes {
                        guard let self else { return }
                        await self.publish(change)
                    }
                }
            }
            // A retry interval (ms) for EventSource reconnection, then any replay.
            var bytes = Array("retry: 1000\n\n".utf8)
            if let lastEventID {
                if let events = state.events(after: lastEventID) {
                    for event in events where subscriber.admits(event) { bytes += event.bytes }
                } else {
                    bytes += Self.encode(id: state.nextID - 1, event: "reset", data: "{}")
                }
            }
            subscriber.deliver(bytes)
        }
        return subscriber
    }

    /// Removes a subscriber; the last one stops the watching of the store.
    package func unsubscribe(_ subscriber: Subscriber) {
        let pump = state.withLock { state -> Task<Void, Never>? in
            state.subscribers[ObjectIdentifier(subscriber)] = nil
            guard state.subscribers.isEmpty else { return nil }
            defer { state.pump = nil }
            return state.pump
        }
        pump?.cancel()
    }

    /// Queues a heartbeat comment for every subscriber.
    package func heartbeat() {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.deliver(Array(": keep-alive\n\n".utf8)) }
    }

    /// Turns one change into events, records and delivers them.
    private func publish(_ change: StoreChange) async {
        switch change {
        case .added(let id): await publishMessages([id])
        case .appended(let ids), .moved(let ids): await publishMessages(ids)
        case .removed(let ids):
            let data = JSONValue.object([("ids", .array(ids.map { .int(Int(clamping: $0)) }))])
            emit(kind: "deleted", data: data.description, subject: nil)
        case .flagsChanged(let ids):
            for id in ids {
                let flags = store.flags(of: id)
                emit(kind: "flags", data: Self.flagsJSON(id: id, flags: flags).description, subject: nil)
            }
        case .mailboxesChanged: break
        }
    }

    private func publishMessages(_ ids: [UInt64]) async {
        let messages = ids.compactMap { store.message(id: $0) }
        let views = await Message.load(messages)
        for (message, views) in zip(messages, views) {
            let location = store.location(of: message.id)
            let flags = store.flags(of: message.id)
            let entry = MessageRendering.json(message, views: views, detailed: false, location: location, flags: flags)
            emit(kind: "message", data: entry.description, subject: (message, location, flags))
        }
    }

    private func emit(
        kind: String, data: String, subject: (message: Message, location: MessageLocation?, flags: MessageFlags)?
    ) {
        state.withLock { state in
            let event = Event(
                id: state.nextID, bytes: Self.encode(id: state.nextID, event: kind, data: data), subject: subject)
            state.nextID += 1
            state.record(event)
            for subscriber in state.subscribers.values where subscriber.admits(event) {
                subscriber.deliver(event.bytes)
            }
        }
    }

    /// `{"id":…,"flags":[…],"seen":…}`, the data of a `flags` event.
    static func flagsJSON(id: UInt64, flags: MessageFlags) -> JSONValue {
        .object([
            ("id", .int(Int(clamping: id))), ("flags", .array(flags.sorted.map(JSONValue.string))),
            ("seen", .bool(flags.contains(MessageFlags.seen))),
        ])
    }

    /// One event in the wire format: `id:`, `event:`, one `data:` line (JSON has no line breaks).
    static func encode(id: UInt64, event: String, data: String) -> [UInt8] {
        Array("id: \(id)\nevent: \(event)\ndata: \(data)\n\n".utf8)
    }
}
