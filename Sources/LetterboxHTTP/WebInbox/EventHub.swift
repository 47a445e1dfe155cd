package import LetterboxNet
package import LetterboxStore
import Synchronization

/// The source of `GET /events` (Server-Sent Events): turns the store's changes into numbered
/// events, keeps the most recent ones for `Last-Event-ID` resumption, and hands each to the
/// subscribers whose filter admits it.
///
/// Events (the WHATWG HTML "server-sent events" format):
/// - `message`: a message was captured, appended or moved; `data` is its entry of
///   `GET /messages.json`. A repeated id replaces the entry.
/// - `deleted`: `{"ids":[…]}`, messages removed for every interface; to each subscriber, those
///   its filter admitted before they were removed.
/// - `flags`: `{"id":…,"flags":[…],"seen":…}`, the IMAP flags of a message changed; to the
///   subscribers whose filter admits the message (with `\Seen` either way, so an `is:unread`
///   stream hears that a message was read).
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
    /// Bytes a subscriber may fall behind before it is disconnected. The queued buffers are the
    /// hub's, shared by every subscriber (a queue holds references), so this bounds the memory
    /// all the streams hold together, not each one: 4 MiB rides out a server busy with a burst
    /// of mail (1 MiB was ~100 ms of events at 20,000 messages/s, and a stream whose task had
    /// not run for that long was dropped though its client read at once).
    package static let maxQueuedBytes = 4 << 20
    /// The most one ``Subscriber/take()`` joins into one write: a bound on the copies of
    /// streams that wake together.
    static let maxWriteBytes = 256 << 10
    /// Seconds between heartbeat comments (`: keep-alive`), which keep proxies from closing an
    /// idle stream and reveal a peer that has gone.
    package static let heartbeatInterval: Duration = .seconds(15)

    /// What a filter judges an event by: a message, where it is (or was) and its flags.
    struct Subject: Sendable {
        let message: Message
        let location: MessageLocation?
        let flags: MessageFlags
        /// For `flags` and `deleted` events: admitted also with `\Seen` the other way (the flags
        /// before the change, or unknown), so an `is:unread` stream hears of a message turning read.
        let eitherSeen: Bool
    }

    /// One numbered event, encoded once: every subscriber queues this same buffer.
    struct Event: Sendable {
        let id: UInt64
        let bytes: [UInt8]
        /// The message the event is about; nil for events every subscriber gets.
        let subject: Subject?
    }

    /// One `/events` connection's queue: the shared buffers of the events it admitted, in order.
    package final class Subscriber: Sendable {
        let filter: MessageFilter
        /// An empty filter admits every message captured over SMTP: judged without testing it.
        private let unfiltered: Bool
        let handle: ConnectionHandle
        private struct Queue {
            var buffers: [[UInt8]] = []
            var bytes = 0
            var overflowed = false
        }
        private let queue = Mutex(Queue())
        /// Counts the subscribers dropped for falling behind.
        private let dropped: Counter

        init(filter: MessageFilter, handle: ConnectionHandle, dropped: Counter) {
            self.filter = filter
            self.unfiltered = filter.isEmpty
            self.handle = handle
            self.dropped = dropped
        }

        /// Queues `bytes` (the buffer itself, not a copy) and wakes the connection if it had
        /// nothing queued (otherwise a wake is already pending); past ``maxQueuedBytes`` aborts it
        /// instead.
        func deliver(_ bytes: [UInt8]) {
            enum Outcome { case queued, wake, overflowed }
            let outcome = queue.withLock { queue -> Outcome in
                guard !queue.overflowed else { return .queued }
                if queue.bytes + bytes.count > EventHub.maxQueuedBytes {
                    queue.overflowed = true
                    queue.buffers = []
                    return .overflowed
                }
                queue.buffers.append(bytes)
                queue.bytes += bytes.count
                return queue.buffers.count == 1 ? .wake : .queued
            }
            switch outcome {
            case .queued: break
            case .wake: handle.wake()
            case .overflowed:
                dropped.increment()
                handle.abort()
            }
        }

        /// Takes what is queued, up to ``maxWriteBytes`` (and at least one event), as one buffer
        /// (the hub's own when it is one event); `more` when events remain queued, which no wake
        /// announces. Nil once the subscriber has been dropped for falling behind.
        package func take() -> (bytes: [UInt8], more: Bool)? {
            let taken = queue.withLock { queue -> (buffers: ArraySlice<[UInt8]>, count: Int, more: Bool)? in
                if queue.overflowed { return nil }
                var end = 0
                var count = 0
                while end < queue.buffers.count, end == 0 || count + queue.buffers[end].count <= EventHub.maxWriteBytes
                {
                    count += queue.buffers[end].count
                    end += 1
                }
                let taken = queue.buffers[..<end]
                queue.buffers.removeFirst(end)
                queue.bytes -= count
                return (taken, count, !queue.buffers.isEmpty)
            }
            guard let taken else { return nil }
            guard taken.buffers.count > 1 else { return (taken.buffers.first ?? [], taken.more) }
            var joined: [UInt8] = []
            joined.reserveCapacity(taken.count)
            for buffer in taken.buffers { joined += buffer }
            return (joined, taken.more)
        }

        /// Whether the subscriber gets an event about `subject` (nil: every subscriber does).
        func admits(_ subject: Subject?) -> Bool {
            guard let subject else { return true }
            guard let location = subject.location else { return false }
            if unfiltered { return location.captured }
            guard filter.admits(mailbox: location.mailbox, captured: location.captured) else { return false }
            if filter.matches(subject.message, flags: subject.flags) { return true }
            guard subject.eitherSeen, filter.needsFlags else { return false }
            let flags = subject.flags
            let toggled =
                flags.contains(MessageFlags.seen)
                ? MessageFlags(flags.filter { $0 != MessageFlags.seen })
                : MessageFlags(Array(flags) + [MessageFlags.seen])
            return filter.matches(subject.message, flags: toggled)
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
        /// Every stored message and where it is, while the store is watched: what a `deleted`
        /// event is judged by once the store no longer has the message. References to messages
        /// the store holds anyway, about 80 octets each.
        var known: [UInt64: (message: Message, location: MessageLocation?)] = [:]

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
                state.pump = Task { [weak self, store, changes = store.changes()] in
                    // Watched first, listed then: a message removed in between is unknown, and its
                    // `deleted` goes to every subscriber.
                    var known: [UInt64: (message: Message, location: MessageLocation?)] = [:]
                    for message in store.messages() { known[message.id] = (message, store.location(of: message.id)) }
                    self?.state.withLock { $0.known = known }
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
                    for event in events where subscriber.admits(event.subject) { bytes += event.bytes }
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
            state.known = [:]
            defer { state.pump = nil }
            return state.pump
        }
        pump?.cancel()
    }

    /// The heartbeat comment, one buffer shared by every subscriber.
    static let keepAlive = Array(": keep-alive\n\n".utf8)

    /// Queues a heartbeat comment for every subscriber.
    package func heartbeat() {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.deliver(Self.keepAlive) }
    }

    /// Turns one change into events, records and delivers them.
    private func publish(_ change: StoreChange) async {
        switch change {
        case .added(let id): await publishMessages([id])
        case .appended(let ids), .moved(let ids): await publishMessages(ids)
        case .removed(let ids): publishRemoval(ids)
        case .flagsChanged(let ids):
            for id in ids {
                guard let message = store.message(id: id) else { continue }  // removed since: `deleted` follows
                let flags = store.flags(of: id)
                let subject = Subject(
                    message: message, location: store.location(of: id), flags: flags, eitherSeen: true)
                emit(kind: "flags", data: Self.flagsJSON(id: id, flags: flags).description, subject: subject)
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
            state.withLock { $0.known[message.id] = (message, location) }
            emit(
                kind: "message", data: entry.description,
                subject: Subject(message: message, location: location, flags: flags, eitherSeen: false))
        }
    }

    private func emit(kind: String, data: String, subject: Subject?) {
        state.withLock { state in
            let event = Event(
                id: state.nextID, bytes: Self.encode(id: state.nextID, event: kind, data: data), subject: subject)
            state.nextID += 1
            state.record(event)
            for subscriber in state.subscribers.values where subscriber.admits(subject) {
                subscriber.deliver(event.bytes)
            }
        }
    }

    /// One `deleted` event; each subscriber gets the ids of the messages its filter admitted as
    /// they were (with `\Seen` either way: their last flags are not kept), none if it admitted
    /// none. Subscribers that get the same ids share one encoding. The recorded event, which a
    /// resumption replays, names every id: the messages are gone by then, and a client ignores
    /// ids it does not list.
    private func publishRemoval(_ ids: [UInt64]) {
        state.withLock { state in
            let subjects = ids.map { id in
                state.known.removeValue(forKey: id).map {
                    Subject(message: $0.message, location: $0.location, flags: MessageFlags(), eitherSeen: true)
                }
            }
            let id = state.nextID
            state.nextID += 1
            let all = Self.encode(id: id, event: "deleted", data: Self.deletedJSON(ids).description)
            state.record(Event(id: id, bytes: all, subject: nil))
            var encoded: [[UInt64]: [UInt8]] = [ids: all]
            for subscriber in state.subscribers.values {
                let admitted = zip(ids, subjects).filter { subscriber.admits($0.1) }.map(\.0)
                guard !admitted.isEmpty else { continue }
                if let bytes = encoded[admitted] {
                    subscriber.deliver(bytes)
                } else {
                    let bytes = Self.encode(id: id, event: "deleted", data: Self.deletedJSON(admitted).description)
                    encoded[admitted] = bytes
                    subscriber.deliver(bytes)
                }
            }
        }
    }

    /// `{"ids":[…]}`, the data of a `deleted` event.
    static func deletedJSON(_ ids: [UInt64]) -> JSONValue {
        .object([("ids", .array(ids.map { .int(Int(clamping: $0)) }))])
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
