import Foundation
import LetterboxNet
import LetterboxStore
import Testing

@testable import LetterboxHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The hub's shared log, taken from directly (no stream): what each subscriber gets, in what order,
/// and when one is left behind.
@Suite struct EventHubTests {
    /// A connection for a subscriber's wake and abort: one end of a socket pair nobody reads.
    private final class Peer {
        let connection: Connection
        let other: Int32
        init() throws {
            var fds: [Int32] = [0, 0]
            #if canImport(Glibc)
                let streamType = Int32(SOCK_STREAM.rawValue)
            #else
                let streamType = SOCK_STREAM
            #endif
            try #require(socketpair(AF_UNIX, streamType, 0, &fds) == 0)
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) }
            connection = try Connection(fd: fds[0], loop: EventLoopGroup.shared.get().next(), idleTimeout: .seconds(60))
            other = fds[1]
        }
        func close() async {
            await connection.close()
            #if canImport(Glibc)
                _ = Glibc.close(other)
            #else
                _ = Darwin.close(other)
            #endif
        }
    }

    private enum Took { case bytes, nothing, dropped }

    /// Takes for `subscriber`, appending what it got to `text`.
    private func take(_ hub: EventHub, _ subscriber: EventHub.Subscriber, into text: inout String) -> Took {
        switch hub.take(for: subscriber) {
        case .dropped: return .dropped
        case .nothing: return .nothing
        case .bytes(let buffers, let count, _):
            #expect(buffers.reduce(0) { $0 + $1.count } == count)
            #expect(count <= EventHub.maxWriteBytes || buffers.count == 1)
            for buffer in buffers { text += String(decoding: buffer, as: UTF8.self) }
            return .bytes
        }
    }

    private func messageIDs(_ text: String) -> [Int] {
        text.components(separatedBy: "\n\n").compactMap { record in
            guard record.contains("event: message") else { return nil }
            return record.split(separator: "\n").first { $0.hasPrefix("id: ") }.flatMap { Int($0.dropFirst(4)) }
        }
    }

    private func append(_ store: MemoryStore, subject: String, to recipient: String = "b@example.com") async throws {
        _ = try await store.append(
            Array("From: a@example.com\r\nTo: \(recipient)\r\nSubject: \(subject)\r\n\r\nbody\r\n".utf8),
            envelope: Envelope(sender: "a@example.com", recipients: [recipient]))
    }

    @Test("a subscriber that falls out of the shared log is dropped; one that keeps up gets every event in order")
    func laggingSubscriberIsDropped() async throws {
        let store = MemoryStore()
        let hub = EventHub(store: store)
        let (slowPeer, fastPeer) = (try Peer(), try Peer())
        let slow = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: slowPeer.connection.handle)
        let fast = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: fastPeer.connection.handle)
        var fastIDs: [Int] = []
        // ~6 MiB of events (more than the log holds); the fast one takes each before the next.
        let subject = String(repeating: "s", count: 20_000)
        for number in 1...300 {
            try await append(store, subject: subject + "\(number)")
            let deadline = ContinuousClock.now + .seconds(30)
            while fastIDs.last != number, ContinuousClock.now < deadline {
                var taken = ""
                let took = take(hub, fast, into: &taken)
                try #require(took != .dropped)
                fastIDs += messageIDs(taken)
                if took == .nothing { try await Task.sleep(for: .milliseconds(2)) }
            }
        }
        #expect(fastIDs == Array(1...300))
        var slowText = ""
        #expect(take(hub, slow, into: &slowText) == .dropped)
        #expect(hub.droppedSubscribers == 1)
        #expect(hub.subscriberCount == 1)
        hub.unsubscribe(fast)
        await slowPeer.close()
        await fastPeer.close()
    }

    @Test("a resumption replays the kept events after Last-Event-ID through the filter, a write's worth at a time")
    func resumptionThroughTheFilter() async throws {
        let store = MemoryStore()
        let hub = EventHub(store: store)
        let (watcherPeer, resumedPeer) = (try Peer(), try Peer())
        // Someone watches, so the events are recorded.
        let watcher = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: watcherPeer.connection.handle)
        let subject = String(repeating: "s", count: 2_000)
        for number in 1...400 {
            try await append(store, subject: subject, to: number % 2 == 0 ? "even@example.com" : "odd@example.com")
        }
        var watched = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while messageIDs(watched).count < 400, ContinuousClock.now < deadline {
            let took = take(hub, watcher, into: &watched)
            try #require(took != .dropped)
            if took == .nothing { try await Task.sleep(for: .milliseconds(5)) }
        }
        let resumed = hub.subscribe(
            filter: MessageFilter(to: "even@example.com"), lastEventID: 100, handle: resumedPeer.connection.handle)
        var replayed = ""
        var takes = 0
        while take(hub, resumed, into: &replayed) == .bytes { takes += 1 }
        #expect(replayed.hasPrefix("retry: 1000\n\n"))
        #expect(messageIDs(replayed) == Array(stride(from: 102, through: 400, by: 2)))
        #expect(takes > 1, "\(replayed.utf8.count) octets in one take")
        hub.unsubscribe(watcher)
        hub.unsubscribe(resumed)
        await watcherPeer.close()
        await resumedPeer.close()
    }

    /// Takes for `subscriber` until `text` holds a record containing `marker` (30 s at most).
    private func take(
        _ hub: EventHub, _ subscriber: EventHub.Subscriber, into text: inout String, until marker: String
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !text.contains(marker), ContinuousClock.now < deadline {
            let took = take(hub, subscriber, into: &text)
            try #require(took != .dropped)
            if took == .nothing { try await Task.sleep(for: .milliseconds(5)) }
        }
        try #require(text.contains(marker), "no \(marker.debugDescription) in \(text.debugDescription)")
    }

    /// Whether `connection` is woken within 30 s (after that it is aborted, which ends the wait).
    private func woken(_ connection: Connection) async -> Bool {
        let handle = connection.handle
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            handle.abort()
        }
        defer { timeout.cancel() }
        do {
            try await connection.awaitWakeOrHangUp(interruptible: true)
        } catch let error as NetError where error == .woken {
            return true
        } catch {}
        return false
    }

    @Test("a subscriber without filters gets the events of captured mail only, and of a deletion its captured ids")
    func unfilteredSubscriberGetsCapturedMail() async throws {
        let store = MemoryStore()
        let hub = EventHub(store: store)
        let peer = try Peer()
        let subscriber = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: peer.connection.handle)
        try await append(store, subject: "captured")
        let filed = try await store.append(
            Array("From: a@example.com\r\nSubject: filed\r\n\r\nbody\r\n".utf8), to: "Sent", flags: MessageFlags(),
            receivedAt: Date())
        try await append(store, subject: "captured too")
        let captured = store.messages().map(\.id).filter { $0 != filed.message.id }
        #expect(captured.count == 2)
        var text = ""
        // The removal once the messages' events are out: a message removed before its event is
        // published has none.
        try await take(hub, subscriber, into: &text, until: "captured too")
        _ = store.remove(ids: store.messages().map(\.id))
        try await take(hub, subscriber, into: &text, until: "event: deleted")
        #expect(messageIDs(text) == captured.map { Int($0) })
        #expect(!text.contains("filed"))
        let ids = captured.map(String.init).joined(separator: ",")
        #expect(text.contains("event: deleted\ndata: {\"ids\":[\(ids)]}\n\n"), "\(text)")
        hub.unsubscribe(subscriber)
        await peer.close()
    }

    @Test(
        "subscribers at the same or different places in the log get the same bytes; a run none of which is for them parks them"
    )
    func subscribersAtDifferentPlacesGetExactBytes() async throws {
        let store = MemoryStore()
        let hub = EventHub(store: store)
        let (earlyPeer, twinPeer, latePeer) = (try Peer(), try Peer(), try Peer())
        let early = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: earlyPeer.connection.handle)
        let twin = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: twinPeer.connection.handle)
        let late = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: latePeer.connection.handle)
        let sentPeer = try Peer()
        let sent = hub.subscribe(
            filter: MessageFilter(mailbox: "Sent"), lastEventID: nil, handle: sentPeer.connection.handle)
        var (earlyText, twinText) = ("", "")
        for number in 1...3 { try await append(store, subject: "first \(number)") }
        try await take(hub, early, into: &earlyText, until: "first 3")
        // The twin takes from where the early one took: the run it joined.
        try await take(hub, twin, into: &twinText, until: "first 3")
        #expect(twinText == earlyText)
        // A message filed by an IMAP client: no event for a subscriber without filters.
        _ = try await store.append(
            Array("From: a@example.com\r\nSubject: filed\r\n\r\nbody\r\n".utf8), to: "Sent", flags: MessageFlags(),
            receivedAt: Date())
        var sentText = ""
        try await take(hub, sent, into: &sentText, until: "filed")
        var nothing = ""
        #expect(take(hub, early, into: &nothing) == .nothing)
        #expect(take(hub, twin, into: &nothing) == .nothing)
        #expect(nothing.isEmpty)
        for number in 1...3 { try await append(store, subject: "second \(number)") }
        _ = store.remove(ids: [store.messages()[0].id])
        try await take(hub, early, into: &earlyText, until: "event: deleted")
        try await take(hub, twin, into: &twinText, until: "event: deleted")
        var lateText = ""
        try await take(hub, late, into: &lateText, until: "event: deleted")
        #expect(messageIDs(earlyText) == [1, 2, 3, 5, 6, 7])
        #expect(!earlyText.contains("filed"))
        #expect(earlyText == lateText)
        #expect(twinText == lateText)
        #expect(earlyText.hasPrefix("retry: 1000\n\nid: 1\nevent: message\ndata: {\"id\":1,"))
        #expect(earlyText.hasSuffix("id: 8\nevent: deleted\ndata: {\"ids\":[1]}\n\n"), "\(earlyText)")
        for subscriber in [early, twin, late, sent] { hub.unsubscribe(subscriber) }
        for peer in [earlyPeer, twinPeer, latePeer, sentPeer] { await peer.close() }
    }

    @Test("a stream that starts where a shared run starts, with events recorded after it, gets them all in one write")
    func staleRunIsNotShared() async throws {
        let store = MemoryStore()
        let hub = EventHub(store: store)
        let (earlyPeer, laterPeer) = (try Peer(), try Peer())
        let early = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: earlyPeer.connection.handle)
        let later = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: laterPeer.connection.handle)
        var earlyText = ""
        for number in 1...3 { try await append(store, subject: "first \(number)") }
        try await take(hub, early, into: &earlyText, until: "first 3")  // a run of events 1...3
        for number in 1...3 { try await append(store, subject: "second \(number)") }
        try await take(hub, early, into: &earlyText, until: "second 3")  // all six are recorded
        guard case .bytes(let buffers, _, let more) = hub.take(for: later) else {
            Issue.record("nothing taken")
            return
        }
        let text = buffers.map { String(decoding: $0, as: UTF8.self) }.joined()
        #expect(!more)
        #expect(messageIDs(text) == Array(1...6))
        #expect(text == earlyText)
        hub.unsubscribe(early)
        hub.unsubscribe(later)
        await earlyPeer.close()
        await laterPeer.close()
    }

    @Test("a stream that has written rests: the next tick wakes it if events came, else the next event does")
    func restingSubscriberIsWokenByTheTickOrTheNextEvent() async throws {
        let store = MemoryStore()
        let hub = EventHub(store: store)
        let peer = try Peer()
        let subscriber = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: peer.connection.handle)
        var text = ""
        #expect(take(hub, subscriber, into: &text) == .bytes)  // the retry line
        // Events that arrive while it rests: the tick wakes it.
        hub.rest(subscriber)
        try await append(store, subject: "first")
        #expect(await woken(peer.connection))
        try await take(hub, subscriber, into: &text, until: "first")
        // Nothing while it rests: parked at the tick, woken by the next event.
        hub.rest(subscriber)
        try await Task.sleep(for: EventHub.restInterval * 4)
        try await append(store, subject: "second")
        #expect(await woken(peer.connection))
        try await take(hub, subscriber, into: &text, until: "second")
        // Its own bytes (a heartbeat) queued while it rests: the tick wakes it too.
        hub.rest(subscriber)
        hub.queue(EventHub.keepAlive, for: subscriber)
        #expect(await woken(peer.connection))
        try await take(hub, subscriber, into: &text, until: ": keep-alive")
        #expect(messageIDs(text).count == 2)
        hub.unsubscribe(subscriber)
        await peer.close()
    }

    /// Waits (30 s at most) until the hub no longer watches the store.
    private func stopsWatching(_ hub: EventHub) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while hub.isWatching, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try #require(!hub.isWatching)
    }

    /// A subscriber without filters takes the event of one new message, then leaves; the id of
    /// that event.
    private func subscribeSeeOneAndLeave(_ hub: EventHub, _ store: MemoryStore, _ peer: Peer) async throws -> Int {
        let subscriber = hub.subscribe(filter: MessageFilter(), lastEventID: nil, handle: peer.connection.handle)
        try await append(store, subject: "before")
        var seen = ""
        try await take(hub, subscriber, into: &seen, until: "before")
        hub.unsubscribe(subscriber)
        return try #require(messageIDs(seen).last)
    }

    @Test("a lone subscriber that comes back within the grace resumes: what arrived while it was away is replayed")
    func loneSubscriberResumes() async throws {
        let store = MemoryStore()
        let hub = EventHub(store: store)
        let (firstPeer, againPeer) = (try Peer(), try Peer())
        let last = try await subscribeSeeOneAndLeave(hub, store, firstPeer)
        // Nobody subscribes now; the hub still records for a while.
        try await append(store, subject: "meanwhile")
        let again = hub.subscribe(
            filter: MessageFilter(), lastEventID: UInt64(last), handle: againPeer.connection.handle)
        var resumed = ""
        try await take(hub, again, into: &resumed, until: "meanwhile")
        #expect(!resumed.contains("event: reset"))
        #expect(messageIDs(resumed) == [last + 1])
        hub.unsubscribe(again)
        hub.close()
        #expect(!hub.isWatching)
        await firstPeer.close()
        await againPeer.close()
    }

    @Test("a resumption across a time the store was not watched gets reset, never a replay that misses what came then")
    func resumptionAcrossAnUnwatchedTimeResets() async throws {
        let store = MemoryStore()
        let hub = EventHub(store: store, resumeGrace: .zero)
        let (firstPeer, againPeer) = (try Peer(), try Peer())
        let last = try await subscribeSeeOneAndLeave(hub, store, firstPeer)
        try await stopsWatching(hub)
        try await append(store, subject: "unwatched")
        let again = hub.subscribe(
            filter: MessageFilter(), lastEventID: UInt64(last), handle: againPeer.connection.handle)
        var resumed = ""
        try await take(hub, again, into: &resumed, until: "event: reset")
        hub.unsubscribe(again)
        hub.close()
        await firstPeer.close()
        await againPeer.close()
    }
}
