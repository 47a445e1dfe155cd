import LetterboxIMAP
import LetterboxStore
import Synchronization
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A memory store whose next mailbox snapshot is followed at once by a removal, as when retention
/// trims the store (or another route deletes) while a session answers SELECT.
// @unchecked: `pending` is a Mutex.
private final class RemovingAfterSnapshotStore: ForwardingStore, @unchecked Sendable {
    /// Removed right after the next snapshot is taken.
    let pending = Mutex<[UInt64]>([])

    override func snapshot(of mailbox: String, matching filter: MessageFilter) -> StoreSnapshot? {
        let snapshot = base.snapshot(of: mailbox, matching: filter)
        let ids = pending.withLock { ids in
            defer { ids = [] }
            return ids
        }
        if !ids.isEmpty { base.remove(ids: ids) }
        return snapshot
    }
}

/// A session's sequence numbers stay valid until it is sent the EXPUNGE that ends them
/// (RFC 3501 §7.4.1, RFC 2180 §4.1), whatever removes the message meanwhile.
@Suite struct SequenceViewTests {
    private func send(_ session: inout IMAPSession, _ text: String) async throws -> [String] {
        guard case .success(let command) = IMAPParser.parse(Array(text.utf8)) else {
            Issue.record("does not parse: \(text)")
            return []
        }
        let (response, _) = await session.handle(command)
        return String(decoding: response, as: UTF8.self).split(separator: "\r\n").map(String.init)
    }

    @Test func aRemovalWhileSelectAnswersIsReportedLaterNotInsideIt() async throws {
        let store = RemovingAfterSnapshotStore()
        var ids: [UInt64] = []
        for subject in ["one", "two", "three"] {
            let raw = Array("Subject: \(subject)\r\n\r\nbody \(subject)\r\n".utf8)
            ids.append(
                try await store.append(raw, envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
                    .id)
        }
        var session = IMAPSession(configuration: IMAPConfiguration(credentials: .anyone), store: store)
        _ = try await send(&session, "a LOGIN x y")
        store.pending.withLock { $0 = [ids[0]] }
        let select = try await send(&session, "b SELECT INBOX")
        #expect(select.contains("* 3 EXISTS"), "\(select)")
        // One consistent view: no EXPUNGE after the EXISTS a client takes its count from.
        #expect(!select.contains { $0.hasSuffix(" EXPUNGE") }, "\(select)")
        #expect(select.last?.hasPrefix("b OK") == true)
        // Message 3 was announced, so FETCH 3 is valid: never BAD.
        let fetch = try await send(&session, "c FETCH 3 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        #expect(fetch.first?.hasPrefix("* 3 FETCH (UID \(ids[2])") == true, "\(fetch)")
        #expect(fetch.last?.hasPrefix("c OK") == true, "\(fetch)")
        // A FETCH of the removed message by its old number is answered too, not BAD.
        let gone = try await send(&session, "d FETCH 1 (FLAGS)")
        #expect(gone.last.map { !$0.hasPrefix("d BAD") } == true, "\(gone)")
        #expect(!gone.contains { $0.hasSuffix(" EXPUNGE") }, "no EXPUNGE during FETCH: \(gone)")
        let noop = try await send(&session, "e NOOP")
        #expect(noop == ["* 1 EXPUNGE", "e OK NOOP completed"], "\(noop)")
        let after = try await send(&session, "f FETCH 2 (UID)")
        #expect(after == ["* 2 FETCH (UID \(ids[2]))", "f OK FETCH completed"], "\(after)")
    }

    @Test func aRemovalAfterSelectKeepsNumbersUntilTheNextNoop() async throws {
        let store = MemoryStore()
        var ids: [UInt64] = []
        for subject in ["one", "two"] {
            let raw = Array("Subject: \(subject)\r\n\r\nbody\r\n".utf8)
            ids.append(
                try await store.append(raw, envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
                    .id)
        }
        var session = IMAPSession(configuration: IMAPConfiguration(credentials: .anyone), store: store)
        _ = try await send(&session, "a LOGIN x y")
        #expect(try await send(&session, "b SELECT INBOX").contains("* 2 EXISTS"))
        // Another route (HTTP DELETE, POP3 DELE, retention, another session's EXPUNGE) removes both.
        store.remove(ids: ids)
        let fetch = try await send(&session, "c FETCH 2 (UID)")
        #expect(fetch.last.map { !$0.hasPrefix("c BAD") } == true, "\(fetch)")
        #expect(try await send(&session, "d NOOP") == ["* 2 EXPUNGE", "* 1 EXPUNGE", "d OK NOOP completed"])
    }
}
