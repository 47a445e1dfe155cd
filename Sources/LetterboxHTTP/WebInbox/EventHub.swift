package import LetterboxNet
package import LetterboxStore
import LetterboxThreads
import Synchronization

/// The source of `GET /events` (Server-Sent Events): turns the store's changes into numbered
/// events, keeps them in one shared log, and lets each subscriber take the ones its filter admits.
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
/// Fan-out costs one append per event, whatever the number of subscribers: each event is encoded
/// once into the log, and a subscriber is only a cursor into it. A subscriber's stream takes what
/// its cursor has not reached yet (up to ``maxWriteBytes``) when it is ready to write, judging
/// each event by its filter then; only a subscriber that found nothing to take (parked) is woken
/// by a new event, and one that has just written rests until the next tick of one clock shared
/// by all (``restInterval``), so a burst of mail costs each stream a write per tick. Streams
/// without filters (an open inbox, the usual subscriber) that take from the same place share one
/// buffer of the events joined (``Run``): one of them copies the events, the others send its bytes.
/// The log is bounded (``maxQueuedBytes``): a subscriber whose cursor falls out of it is
/// disconnected, so a slow reader can never make the server hold more.
///
/// The store is watched while someone subscribes, and for ``resumeGrace`` after the last one
/// leaves, so a lone client that reconnects (EventSource retries after a second) resumes where
/// it left off; a resumption across a longer time without subscribers gets `reset` (the events of
/// that time were not recorded). ``close()`` stops the watching at once. Safe to share between tasks.
package final class EventHub: Sendable {
    /// Events kept for resumption at least, while the log is within ``maxQueuedBytes``.
    package static let ringCapacity = 1024
    /// The most octets of events the log holds, shared by every subscriber: one that falls this
    /// far behind is disconnected. 4 MiB rides out a server busy with a burst of mail (1 MiB was
    /// ~100 ms of events at 20,000 messages/s, and a stream whose task had not run for that long
    /// was dropped though its client read at once).
    package static let maxQueuedBytes = 4 << 20
    /// The most one ``take(for:)`` gathers for one write (at least one event).
    static let maxWriteBytes = 256 << 10
    /// How long a stream that has just written rests before it writes again: events that arrive
    /// meanwhile go out together, so during a burst of mail each stream writes a few times a
    /// second, not once per message. One clock wakes every resting stream at its tick (not a
    /// timer per stream): a resting stream writes again at the next tick, within this interval.
    static let restInterval: Duration = .milliseconds(25)
    /// How long the store's changes gather before the pump, woken by one, turns them into
    /// events: a few milliseconds on the way from SMTP `250` to an open page.
    static let publishCoalescing: Duration = .milliseconds(5)
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

    /// One numbered event, encoded once into the shared log. A class: a subscriber's take holds
    /// one reference per event, where a struct of these fields was copied whole (a retain and a
    /// release of each) for every event and every subscriber.
    final class Event: Sendable {
        let id: UInt64
        /// The event as every subscriber that admits all of it gets it.
        let bytes: [UInt8]
        /// The message the event is about; nil for events every subscriber gets.
        let subject: Subject?
        /// For `deleted`: each id with the message it was (nil: unknown, admitted by every
        /// filter); a subscriber gets the ids its filter admitted, none if it admitted none.
        let removed: [(id: UInt64, subject: Subject?)]?
        /// What a subscriber without filters gets (``bytes``, a `deleted` event with only the
        /// captured ids, or nil): judged once here, so taking an event for such a subscriber (the
        /// usual one: an open inbox) reads one field, whatever the number of ids a `deleted` has.
        let unfilteredBytes: [UInt8]?
        /// The octets the event holds in the log.
        let size: Int

        init(id: UInt64, bytes: [UInt8], subject: Subject?, removed: [(id: UInt64, subject: Subject?)]? = nil) {
            self.id = id
            self.bytes = bytes
            self.subject = subject
            self.removed = removed
            let unfiltered = Self.bytes(
                id: id, bytes: bytes, subject: subject, removed: removed, admitting: Subscriber.unfilteredAdmits)
            unfilteredBytes = unfiltered
            // A `deleted` event encoded again for fewer ids is a buffer of its own (shorter).
            let separate = removed != nil && unfiltered.map { $0.count != bytes.count } == true
            size = bytes.count + (separate ? unfiltered?.count ?? 0 : 0)
        }

        /// What a subscriber whose filter is `admits` gets of the event: `bytes`, a `deleted`
        /// event with only the ids it admitted, or nil.
        static func bytes(
            id: UInt64, bytes: [UInt8], subject: Subject?, removed: [(id: UInt64, subject: Subject?)]?,
            admitting admits: (Subject?) -> Bool
        ) -> [UInt8]? {
            guard let removed else { return admits(subject) ? bytes : nil }
            let admitted = removed.filter { admits($0.subject) }.map(\.id)
            if admitted.count == removed.count { return bytes }
            if admitted.isEmpty { return nil }
            return EventHub.encode(id: id, event: "deleted", data: EventHub.deletedJSON(admitted))
        }
    }

    /// One `/events` connection: its filter and the connection to wake. Its place in the log is
    /// the hub's (``Cursor``).
    package final class Subscriber: Sendable {
        let filter: MessageFilter
        /// An empty filter admits every message captured over SMTP: judged without testing it.
        let unfiltered: Bool
        let handle: ConnectionHandle

        init(filter: MessageFilter, handle: ConnectionHandle) {
            self.filter = filter
            self.unfiltered = filter.isEmpty
            self.handle = handle
        }

        /// What this subscriber gets of `event`: the shared bytes, a `deleted` event with only the
        /// ids its filter admitted, or nil.
        func bytes(of event: Event) -> [UInt8]? {
            Event.bytes(
                id: event.id, bytes: event.bytes, subject: event.subject, removed: event.removed, admitting: admits)
        }

        /// Whether a subscriber without filters gets an event about `subject`: every message
        /// captured over SMTP (nil: every subscriber does).
        static func unfilteredAdmits(_ subject: Subject?) -> Bool {
            guard let subject else { return true }
            return subject.location?.captured ?? false
        }

        /// Whether the subscriber gets an event about `subject` (nil: every subscriber does).
        func admits(_ subject: Subject?) -> Bool {
            guard let subject else { return true }
            if unfiltered { return Self.unfilteredAdmits(subject) }
            guard let location = subject.location else { return false }
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

    /// A subscriber's place: the id of the next event it has to judge, and bytes of its own
    /// (the retry line, a `reset`, heartbeats) that go before them.
    private struct Cursor {
        let subscriber: Subscriber
        var next: UInt64
        var own: [UInt8]
        /// Found nothing to take: the next event or own bytes wake it.
        var parked = false
        /// Has just written: the next tick of the rest clock wakes it if anything waits by then.
        var resting = false
    }

    private struct State {
        /// The kept events, consecutive ids, oldest first.
        var log: [Event] = []
        var logBytes = 0
        var nextID: UInt64 = 1
        /// The id of the first event since the store has been watched without interruption.
        var runStart: UInt64 = 1
        var cursors: [ObjectIdentifier: Cursor] = [:]
        /// The subscribers that found nothing to take, woken by the next event.
        var parked: [Subscriber] = []
        /// The subscribers that have just written, woken together by the next tick of ``restClock``.
        var resting: [Subscriber] = []
        /// Ticks every ``EventHub/restInterval`` while any subscriber rests.
        var restClock: Task<Void, Never>?
        var pump: Task<Void, Never>?
        /// Ends the watching ``EventHub/resumeGrace`` after the last subscriber left, unless one
        /// came meanwhile (which moves ``lingerGeneration`` on).
        var linger: Task<Void, Never>?
        var lingerGeneration: UInt64 = 0
        /// Every stored message and where it is, while the store is watched: what a `deleted`
        /// event is judged by once the store no longer has the message. References to messages
        /// the store holds anyway, about 80 octets each.
        var known: [UInt64: (message: Message, location: MessageLocation?)] = [:]
        /// The last runs of events subscribers without filters took, joined, oldest first: one
        /// that takes from where a run starts gets its bytes without judging or copying an event.
        /// Streams that took the same runs stop at the same places, so one of them joins the
        /// events after such a place and the others share its buffer. At most ``maxRuns``, and
        /// ``maxRunBytes`` in all.
        var unfilteredRuns: [Run] = []
        var unfilteredRunBytes = 0

        /// The id of the oldest kept event (`nextID` when none is kept).
        var firstID: UInt64 { log.first?.id ?? nextID }

        /// Appends `event`, trims the log, and returns the subscribers to wake and those dropped
        /// for falling out of the log (no longer subscribed).
        mutating func append(_ event: Event) -> (woken: [Subscriber], dropped: [Subscriber]) {
            log.append(event)
            logBytes += event.size
            var dropped: [Subscriber] = []
            if logBytes > EventHub.maxQueuedBytes {
                // Trimmed by an eighth at a time, so the subscribers are looked over once per
                // eighth of the log, not once per event.
                var cut = 0
                var bytes = logBytes
                while cut < log.count - 1, bytes > EventHub.maxQueuedBytes - EventHub.maxQueuedBytes / 8 {
                    bytes -= log[cut].size
                    cut += 1
                }
                trim(cut, bytes: bytes)
                let first = firstID
                for (key, cursor) in cursors where cursor.next < first {
                    cursors[key] = nil
                    dropped.append(cursor.subscriber)
                }
            } else if log.count >= 2 * EventHub.ringCapacity {
                // Beyond what resumption keeps: only what a subscriber has not taken yet.
                let needed = cursors.values.map(\.next).min() ?? nextID
                let keep = max(UInt64(EventHub.ringCapacity), nextID - min(needed, nextID))
                let cut = log.count - Int(min(UInt64(log.count), keep))
                if cut > 0 { trim(cut, bytes: logBytes - log[..<cut].reduce(0) { $0 + $1.size }) }
            }
            let woken = parked
            parked = []
            for subscriber in woken { cursors[ObjectIdentifier(subscriber)]?.parked = false }
            return (woken, dropped)
        }

        private mutating func trim(_ count: Int, bytes: Int) {
            log.removeFirst(count)
            logBytes = bytes
        }
    }

    /// How many runs ``State/unfilteredRuns`` keeps.
    static let maxRuns = 128
    /// The most octets the kept runs hold (copies of events the log has).
    static let maxRunBytes = maxQueuedBytes / 4

    /// Events `from..<to` as a subscriber without filters gets them, in one buffer.
    struct Run {
        let from: UInt64
        let to: UInt64
        let bytes: [UInt8]
        /// Ended by ``maxWriteBytes``, not by the end of the log: as long as a run can be.
        let full: Bool
    }

    /// A count shared with the subscribers.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func increment() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    private let store: any MessageStore
    /// Entered by every stream's take and by the pump for each event: a lock that spins briefly
    /// and does not hand itself to a sleeping thread (``SpinningMutex``). With `Mutex` (a
    /// priority-inheritance futex on Linux) the pump and the streams queued behind each other
    /// in the kernel: about a tenth of the fan-out's CPU in `letterbox-bench sse`.
    private let state = SpinningMutex(State())
    private let dropped = Counter()

    /// How many subscribers were disconnected for falling more than ``maxQueuedBytes`` behind.
    package var droppedSubscribers: Int { dropped.count }

    /// How long the store stays watched after the last subscriber left.
    package let resumeGrace: Duration

    /// A hub for `store`; events stay resumable for `resumeGrace` after the last subscriber left
    /// (a minute by default: far longer than a client's reconnection, and a log of at most
    /// ``maxQueuedBytes`` meanwhile).
    package init(store: any MessageStore, resumeGrace: Duration = .seconds(60)) {
        self.store = store
        self.resumeGrace = resumeGrace
    }

    /// Whether the store is watched (someone subscribes, or did within ``resumeGrace``).
    package var isWatching: Bool { state.withLock { $0.pump != nil } }

    /// How many subscribers are connected.
    package var subscriberCount: Int { state.withLock { $0.cursors.count } }

    /// Adds a subscriber whose first bytes are a retry interval, then the kept events after
    /// `lastEventID` that its filter admits, or `event: reset` when they are not all kept.
    package func subscribe(filter: MessageFilter, lastEventID: UInt64?, handle: ConnectionHandle) -> Subscriber {
        let subscriber = Subscriber(filter: filter, handle: handle)
        state.withLock { state in
            state.lingerGeneration += 1
            state.linger?.cancel()
            state.linger = nil
            if state.pump == nil {
                state.runStart = state.nextID
                state.pump = Task { [weak self, store, changes = store.changes()] in
                    // Watched first, listed then: a message removed in between is unknown, and its
                    // `deleted` goes to every subscriber.
                    var known: [UInt64: (message: Message, location: MessageLocation?)] = [:]
                    for message in store.messages() { known[message.id] = (message, store.location(of: message.id)) }
                    self?.state.withLock { $0.known = known }
                    var pending = changes.makeAsyncIterator()
                    while true {
                        let asked = ContinuousClock.now
                        guard let change = await pending.next(), let self else { return }
                        // A change the pump waited for (not one that waited for the pump): the
                        // changes after it gather for a moment, then are taken without waiting,
                        // so during a burst of mail the pump wakes once per few milliseconds, not
                        // once per message (a task resumed and a thread woken for each).
                        if ContinuousClock.now - asked > .microseconds(50) {
                            try? await Task.sleep(for: Self.publishCoalescing)
                        }
                        await self.publish(change)
                    }
                }
            }
            // A retry interval (ms) for EventSource reconnection, then any replay: the cursor
            // starts after `lastEventID` when every event since is kept. That event must be of
            // the current watch (`runStart` or later): one of an earlier watch was followed by a
            // time nothing was recorded, whose changes a replay would silently miss.
            var own = Array("retry: 1000\n\n".utf8)
            var next = state.nextID
            if let lastEventID {
                if lastEventID < state.nextID, lastEventID >= state.runStart, lastEventID + 1 >= state.firstID {
                    next = lastEventID + 1
                } else {
                    own += Self.encode(id: state.nextID - 1, event: "reset", data: .object([]))
                }
            }
            state.cursors[ObjectIdentifier(subscriber)] = Cursor(subscriber: subscriber, next: next, own: own)
        }
        return subscriber
    }

    /// Removes a subscriber; ``resumeGrace`` after the last one, the watching of the store stops.
    package func unsubscribe(_ subscriber: Subscriber) {
        state.withLock { state in
            state.cursors[ObjectIdentifier(subscriber)] = nil
            state.parked.removeAll { $0 === subscriber }
            state.resting.removeAll { $0 === subscriber }
            guard state.cursors.isEmpty, state.pump != nil, state.linger == nil else { return }
            let generation = state.lingerGeneration
            let grace = resumeGrace
            state.linger = Task { [weak self] in
                try? await Task.sleep(for: grace)
                self?.stopWatching(ifStill: generation)
            }
        }
    }

    /// Stops watching the store now, whoever subscribes (the server is shutting down).
    package func close() {
        stopWatching(ifStill: nil)
    }

    /// Stops the watching if no subscriber came since the linger of `generation` began (any time
    /// when nil). Nothing recorded from then on can be resumed across (see ``subscribe``).
    private func stopWatching(ifStill generation: UInt64?) {
        let tasks = state.withLock { state -> [Task<Void, Never>] in
            if let generation {
                guard generation == state.lingerGeneration, state.cursors.isEmpty else { return [] }
            }
            state.known = [:]
            state.unfilteredRuns = []
            state.unfilteredRunBytes = 0
            state.log = []
            state.logBytes = 0
            defer {
                state.pump = nil
                state.linger = nil
            }
            return [state.pump, state.linger].compactMap { $0 }
        }
        for task in tasks { task.cancel() }
    }

    /// The heartbeat comment.
    static let keepAlive = Array(": keep-alive\n\n".utf8)

    /// Queues `bytes` of the subscriber's own (a heartbeat comment) before its next events, and
    /// wakes it if it is parked.
    package func queue(_ bytes: [UInt8], for subscriber: Subscriber) {
        let wake = state.withLock { state -> Bool in
            let key = ObjectIdentifier(subscriber)
            guard var cursor = state.cursors[key] else { return false }
            cursor.own += bytes
            let wake = cursor.parked
            cursor.parked = false
            state.cursors[key] = cursor
            if wake { state.parked.removeAll { $0 === subscriber } }
            return wake
        }
        if wake { subscriber.handle.wake() }
    }

    /// What ``take(for:)`` found.
    package enum Taken {
        /// Bytes to write, in order: the log's own buffers, one per event (no copy under the hub's
        /// lock); `more` when further events wait, which no wake announces.
        case bytes([[UInt8]], count: Int, more: Bool)
        /// Nothing yet: the subscriber is parked, and the next event wakes its connection.
        case nothing
        /// The subscriber fell out of the log and was disconnected.
        case dropped
    }

    /// Takes the subscriber's own bytes and the events after its cursor that its filter admits,
    /// up to ``maxWriteBytes`` (at least one event), and moves the cursor past them.
    package func take(for subscriber: Subscriber) -> Taken {
        state.withLock { state -> Taken in
            let key = ObjectIdentifier(subscriber)
            guard var cursor = state.cursors[key] else { return .dropped }
            var buffers: [[UInt8]] = []
            var count = 0
            if !cursor.own.isEmpty {
                buffers.append(cursor.own)
                count = cursor.own.count
                cursor.own = []
            }
            let first = state.firstID
            guard cursor.next >= first else {  // never: the trim disconnects such a cursor
                state.cursors[key] = nil
                return .dropped
            }
            let start = Int(cursor.next - first)
            let index: Int
            if subscriber.unfiltered {
                index = takeUnfiltered(from: start, state: &state, into: &buffers, count: &count)
            } else {
                // Each event goes out as the log holds it (a reference, no copy).
                index = Self.walk(state.log, from: start, count: &count, select: subscriber.bytes(of:)) {
                    buffers.append($0)
                }
            }
            cursor.next = first + UInt64(index)
            if buffers.isEmpty {
                cursor.parked = true
                state.parked.append(subscriber)
            }
            state.cursors[key] = cursor
            return buffers.isEmpty ? .nothing : .bytes(buffers, count: count, more: index < state.log.count)
        }
    }

    /// Takes for a subscriber without filters from log position `start`: the shared run that
    /// starts there, or a new one joined from the events (then shared); returns the position after it.
    private func takeUnfiltered(from start: Int, state: inout State, into buffers: inout [[UInt8]], count: inout Int)
        -> Int
    {
        let first = state.firstID
        let end = first + UInt64(state.log.count)
        // Shared when it reaches as far as a new one would; a run that events have been recorded
        // after since is not taken (the stream would write it, then the rest: two writes, two
        // wakes of its reader), a new one to the end is joined instead, for the streams after.
        if let run = state.unfilteredRuns.last(where: { $0.from == first + UInt64(start) }),
            run.to == end || run.full
        {
            if !run.bytes.isEmpty { buffers.append(run.bytes) }  // empty: none of them was for it
            count += run.bytes.count
            return Int(run.to - first)
        }
        // The events gathered first (references), so a run of many is copied once into one
        // allocation of its size: grown by appends, a run of 200 KiB was moved a dozen times,
        // onto fresh pages each time. A run of one event is that event's buffer, not a copy.
        var pieces: [[UInt8]] = []
        let before = count
        let index = Self.walk(state.log, from: start, count: &count, select: { $0.unfilteredBytes }) {
            pieces.append($0)
        }
        let joined = Self.joined(pieces, count: count - before)
        if !joined.isEmpty { buffers.append(joined) }
        if index > start {
            state.unfilteredRuns.append(
                Run(
                    from: first + UInt64(start), to: first + UInt64(index), bytes: joined, full: index < state.log.count
                ))
            state.unfilteredRunBytes += joined.count
            while state.unfilteredRuns.count > Self.maxRuns || state.unfilteredRunBytes > Self.maxRunBytes {
                state.unfilteredRunBytes -= state.unfilteredRuns.removeFirst().bytes.count
            }
        }
        return index
    }

    /// `pieces` (`count` octets in all) in one buffer: the only one as it is, several copied once
    /// into one allocation of their size.
    static func joined(_ pieces: [[UInt8]], count: Int) -> [UInt8] {
        if pieces.count == 1 { return pieces[0] }
        var joined: [UInt8] = []
        joined.reserveCapacity(count)
        for piece in pieces { joined += piece }
        return joined
    }

    /// Walks `log` from position `start`, passing to `take` what `select` gives each event
    /// (skipping those it gives nothing of), until ``maxWriteBytes`` would be passed (at least
    /// one is taken); adds their octets to `count` and returns the position after the last.
    private static func walk(
        _ log: [Event], from start: Int, count: inout Int, select: (Event) -> [UInt8]?, take: ([UInt8]) -> Void
    ) -> Int {
        var index = start
        while index < log.count, count < maxWriteBytes {
            guard let bytes = select(log[index]) else {
                index += 1
                continue
            }
            if count + bytes.count > maxWriteBytes, count > 0 { break }
            take(bytes)
            count += bytes.count
            index += 1
        }
        return index
    }

    /// Marks the subscriber, which has just written, as resting: it is woken at the next tick of
    /// the rest clock if events or own bytes wait by then, and parked (woken by the next event)
    /// if not. The caller then waits for the wake.
    package func rest(_ subscriber: Subscriber) {
        state.withLock { state in
            let key = ObjectIdentifier(subscriber)
            guard var cursor = state.cursors[key], !cursor.resting else { return }
            if cursor.parked {  // never: a parked subscriber has not just written
                cursor.parked = false
                state.parked.removeAll { $0 === subscriber }
            }
            cursor.resting = true
            state.cursors[key] = cursor
            state.resting.append(subscriber)
            if state.restClock == nil {
                state.restClock = Task { [weak self] in
                    while let hub = self {
                        try? await Task.sleep(for: Self.restInterval)
                        guard hub.tick() else { return }
                    }
                }
            }
        }
    }

    /// One tick of the rest clock: wakes the resting subscribers that have something to take,
    /// parks the others. Returns false, the clock stopped, when none was resting.
    private func tick() -> Bool {
        let woken = state.withLock { state -> [Subscriber]? in
            guard !state.resting.isEmpty else {
                state.restClock = nil
                return nil
            }
            var woken: [Subscriber] = []
            for subscriber in state.resting {
                let key = ObjectIdentifier(subscriber)
                guard var cursor = state.cursors[key] else { continue }
                cursor.resting = false
                if cursor.next < state.nextID || !cursor.own.isEmpty {
                    woken.append(subscriber)
                } else if !cursor.parked {  // parked already if a stale wake made it look meanwhile
                    cursor.parked = true
                    state.parked.append(subscriber)
                }
                state.cursors[key] = cursor
            }
            state.resting = []
            return woken
        }
        guard let woken else { return false }
        for subscriber in woken { subscriber.handle.wake() }
        return true
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
                emit(kind: "flags", data: Self.flagsJSON(id: id, flags: flags), subject: subject)
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
            record(
                Self.body(event: "message", data: entry),
                subject: Subject(message: message, location: location, flags: flags, eitherSeen: false)
            ) { $0.known[message.id] = (message, location) }
        }
    }

    private func emit(kind: String, data: JSONValue, subject: Subject?) {
        record(Self.body(event: kind, data: data), subject: subject)
    }

    /// Appends an event of `body` (its `event:` and `data:` lines, encoded before the lock is
    /// taken: the streams take under it) with the next id to the log, after `update`, under one
    /// lock; wakes the parked subscribers, and disconnects those it left behind.
    private func record(
        _ body: [UInt8], subject: Subject?, removed: [(id: UInt64, subject: Subject?)]? = nil,
        updating update: (inout State) -> Void = { _ in }
    ) {
        let (woken, dropped) = state.withLock { state in
            update(&state)
            let id = state.nextID
            state.nextID += 1
            return state.append(
                Event(id: id, bytes: Self.framed(id: id, body: body), subject: subject, removed: removed))
        }
        for subscriber in woken { subscriber.handle.wake() }
        for subscriber in dropped {
            self.dropped.increment()
            subscriber.handle.abort()
        }
    }

    /// One `deleted` event; each subscriber gets the ids of the messages its filter admitted as
    /// they were (with `\Seen` either way: their last flags are not kept), none if it admitted
    /// none.
    private func publishRemoval(_ ids: [UInt64]) {
        let subjects = state.withLock { state in
            ids.map { id in
                state.known.removeValue(forKey: id).map {
                    Subject(message: $0.message, location: $0.location, flags: MessageFlags(), eitherSeen: true)
                }
            }
        }
        record(
            Self.body(event: "deleted", data: Self.deletedJSON(ids)), subject: nil, removed: Array(zip(ids, subjects)))
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
    static func encode(id: UInt64, event: String, data: JSONValue) -> [UInt8] {
        framed(id: id, body: body(event: event, data: data))
    }

    /// An event's `event:` and `data:` lines and the blank line that ends it.
    static func body(event: String, data: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)  // a list entry is about 450 octets: one allocation
        bytes += "event: ".utf8
        bytes += event.utf8
        bytes += "\ndata: ".utf8
        data.encode(into: &bytes)
        bytes += "\n\n".utf8
        return bytes
    }

    /// The event of `body` with its `id:` line first.
    static func framed(id: UInt64, body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count + 25)
        bytes += "id: ".utf8
        bytes += String(id).utf8
        bytes.append(UInt8(ascii: "\n"))
        bytes += body
        return bytes
    }
}
