import Foundation
import LetterboxStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("MaildirStore", .timeLimit(.minutes(1)))
struct MaildirStoreTests {
    @Test("a delivery lands in new/ with the exact bytes, its sizes and id in the name, nothing left in tmp/")
    func deliveryLayout() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await MaildirStore.open(at: folder.path)
        let raw = mail(subject: "layout") + [0xE9, 0x0A]  // 8-bit, bare LF: kept exactly
        let message = try await store.append(raw, envelope: envelope())
        let names = TemporaryFolder.names(folder.path, "new")
        #expect(names.count == 1)
        let name = try #require(names.first)
        // ,W= counts the bare LF as CRLF (the size POP3 and IMAP serve).
        #expect(name.hasSuffix(",S=\(raw.count),W=\(raw.count + 1),U=\(message.id)"))
        #expect(message.canonicalSize == raw.count + 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(folder.path)/new/\(name)")) == Data(raw))
        #expect(TemporaryFolder.names(folder.path, "tmp").isEmpty)
        #expect(TemporaryFolder.names(folder.path, "cur").isEmpty)
        #expect(store.message(id: message.id)?.raw == raw)
    }

    @Test(
        "a restarted store reads bodies from the files on demand; a file another program removed is an error, not a crash"
    )
    func bodiesOnDemand() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var ids: [UInt64] = []
        do {
            let store = try await MaildirStore.open(at: folder.path)
            for index in 0..<3 {
                ids.append(try await store.append(mail(subject: "d\(index)"), envelope: envelope()).id)
            }
        }
        let store = try await MaildirStore.open(at: folder.path)
        let messages = store.messages()
        #expect(messages.map(\.id) == ids)
        #expect(messages.map(\.size) == (0..<3).map { mail(subject: "d\($0)").count })
        #expect(messages.prefix(2).map(\.subject) == ["d0", "d1"])
        // A flag change renames the file into cur/: the message still finds it.
        store.updateFlags(.add(MessageFlags([MessageFlags.seen])), ids: [ids[1]])
        #expect(try store.message(id: ids[1])?.readRaw() == mail(subject: "d1"))

        let name = try #require(TemporaryFolder.names(folder.path, "new").first { $0.contains(",U=\(ids[2])") })
        unlink("\(folder.path)/new/\(name)")
        let gone = try #require(store.message(id: ids[2]))
        #expect(throws: StoreError.self) { try gone.readRaw() }
        #expect(gone.raw.isEmpty)
        #expect(gone.subject == "")
        #expect(gone.size == mail(subject: "d2").count)
        #expect(try store.message(id: ids[0])?.readRaw() == mail(subject: "d0"))
    }

    @Test(
        "restart round trip: same ids, bytes, envelopes (TLS session too), flags and UIDVALIDITY; ids are never reused")
    func restartRoundTrip() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let received = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let envelopes = [
            Envelope(
                sender: "", recipients: ["ana@example.com"], helo: "h1", peer: "127.0.0.1:1", receivedAt: received),
            Envelope(
                sender: "bob@example.com", recipients: ["x@example.com", "bcc@example.com"], helo: "client.example",
                authenticatedAs: "bob", peer: "[::1]:2525", receivedAt: received.addingTimeInterval(1),
                tls: Envelope.TLS(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384")),
            Envelope(
                sender: "zoë@exämple.com", recipients: ["ünï@example.com"], authenticatedAs: "", peer: "10.0.0.1:9"),
            envelope(),
        ]
        var ids: [UInt64] = []
        let before: [StoredState]
        let validity: UInt32
        let removed: UInt64
        do {
            let store = try await MaildirStore.open(at: folder.path)
            for (index, envelope) in envelopes.enumerated() {
                ids.append(try await store.append(mail(subject: "m\(index)"), envelope: envelope).id)
            }
            store.updateFlags(.add(MessageFlags([MessageFlags.seen, "$Label1"])), ids: [ids[0]])
            store.updateFlags(.add(MessageFlags([MessageFlags.flagged, MessageFlags.answered])), ids: [ids[1]])
            store.updateFlags(.add(MessageFlags([MessageFlags.deleted])), ids: [ids[3]])
            store.remove(ids: [ids[3]])
            removed = ids[3]
            before = StoredState.of(store)
            validity = store.uidValidity
        }
        #expect(before.count == 3)
        let reopened = try await MaildirStore.open(at: folder.path)
        #expect(StoredState.of(reopened) == before)
        #expect(reopened.uidValidity == validity)
        #expect(reopened.flags(of: ids[0]) == MessageFlags([MessageFlags.seen, "$Label1"]))
        #expect(reopened.statistics.received == 0, "reloaded mail is not mail received since start")
        let next = try await reopened.append(mail(), envelope: envelope())
        #expect(next.id > removed, "an id of a removed message must not come back (RFC 3501 §2.3.1.1)")
        #expect(reopened.snapshot(matching: MessageFilter()).nextID > next.id)
    }

    @Test("a message moved out of INBOX is read from its folder once no cached copy is left")
    func movedMessageIsReadFromItsFolder() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let id: UInt64
        do {
            let store = try await MaildirStore.open(at: folder.path)
            id = try await store.append(mail(subject: "to be filed"), envelope: envelope()).id
        }
        // Reopened: nothing is cached, so the read after the move must find the file in .Archive/.
        let store = try await MaildirStore.open(at: folder.path)
        #expect(try await store.move(ids: [id], to: "Archive").map(\.id) == [id])
        let moved = try #require(store.message(id: id))
        #expect(try moved.readRaw() == mail(subject: "to be filed"))
        #expect(moved.subject == "to be filed")
    }

    @Test("flags are the :2, info letters, changed by rename into cur/; unknown letters are kept")
    func flagsByRename() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await MaildirStore.open(at: folder.path)
        let message = try await store.append(mail(), envelope: envelope())
        let base = try #require(TemporaryFolder.names(folder.path, "new").first)
        store.updateFlags(.add(MessageFlags([MessageFlags.seen])), ids: [message.id])
        #expect(TemporaryFolder.names(folder.path, "new").isEmpty)
        #expect(TemporaryFolder.names(folder.path, "cur") == ["\(base):2,S"])
        store.updateFlags(
            .add(
                MessageFlags([MessageFlags.answered, MessageFlags.flagged, MessageFlags.draft, MessageFlags.deleted])),
            ids: [message.id])
        #expect(TemporaryFolder.names(folder.path, "cur") == ["\(base):2,DFRST"])
        // Another program adds P (passed); Letterbox keeps it when it changes flags.
        try FileManager.default.moveItem(
            atPath: "\(folder.path)/cur/\(base):2,DFRST", toPath: "\(folder.path)/cur/\(base):2,DFPRST")
        store.updateFlags(.replace(MessageFlags([MessageFlags.seen])), ids: [message.id])
        #expect(TemporaryFolder.names(folder.path, "cur") == ["\(base):2,PS"])
        store.updateFlags(.replace(MessageFlags()), ids: [message.id])
        #expect(TemporaryFolder.names(folder.path, "cur") == ["\(base):2,P"])
        #expect(store.remove(ids: [message.id]) == 1)
        #expect(TemporaryFolder.names(folder.path, "cur").isEmpty)
    }

    @Test("concurrent deliveries share commits, get distinct ids and are published in id order")
    func concurrentDeliveries() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await MaildirStore.open(at: folder.path)
        let changes = store.changes()
        let ids = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for index in 0..<64 {
                group.addTask { try await store.append(mail(subject: "c\(index)"), envelope: envelope()).id }
            }
            var ids: [UInt64] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 64)
        let published = try await firstChanges(64, of: changes).compactMap { change -> UInt64? in
            if case .added(let id) = change { return id }
            return nil
        }
        #expect(published == ids.sorted(), "IMAP must never see a UID lower than one it already saw")
        #expect(TemporaryFolder.names(folder.path, "new").count == 64)
        let reopened = try MaildirStore(path: folder.path)
        #expect(reopened.messages().map(\.id) == ids.sorted())
    }

    @Test("files another program put in new/ and cur/ are served with fresh ids and envelopes from their headers")
    func foreignFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first: Message
        let logged = envelope()
        do {
            let store = try await MaildirStore.open(at: folder.path)
            first = try await store.append(mail(subject: "ours"), envelope: logged)
        }
        let dropped = crlf(
            "Return-Path: <list@example.org>\nDelivered-To: ana@example.com\nFrom: List <list@example.org>\nSubject: dropped\n\nHi.\n"
        )
        try Data(dropped).write(to: URL(fileURLWithPath: "\(folder.path)/new/1600000000.M1P1.otherhost"))
        let read = crlf("From: bob@example.com\nTo: Carl <carl@example.com>\nSubject: read\n\nSeen it.\n")
        try Data(read).write(
            to: URL(fileURLWithPath: "\(folder.path)/cur/1600000001.M2P2.otherhost,S=\(read.count):2,FS"))
        // A copy of one of our files under another name must not steal its id.
        let ours = try #require(TemporaryFolder.names(folder.path, "new").first { $0.contains(",U=") })
        let copy = "1600000002.M3P3.copy,S=\(mail(subject: "ours").count),U=\(first.id)"
        try FileManager.default.copyItem(atPath: "\(folder.path)/new/\(ours)", toPath: "\(folder.path)/new/\(copy)")

        let notices = NoticeCollector()
        let store = try await MaildirStore.open(at: folder.path, notices: notices.handler)
        let messages = store.messages()
        #expect(messages.count == 4)
        #expect(messages.first?.id == first.id)
        #expect(messages.first?.envelope == logged, "our own message keeps its logged envelope")
        #expect(Set(messages.map(\.id)).count == 4)
        #expect(messages.dropFirst().allSatisfy { $0.id > first.id })
        let droppedMessage = try #require(messages.first { $0.subject == "dropped" })
        #expect(droppedMessage.raw == dropped)
        #expect(droppedMessage.envelope.sender == "list@example.org")
        #expect(droppedMessage.envelope.recipients == ["ana@example.com"])
        let readMessage = try #require(messages.first { $0.subject == "read" })
        #expect(readMessage.envelope.sender == "bob@example.com")
        #expect(readMessage.envelope.recipients == ["carl@example.com"])
        #expect(store.flags(of: readMessage.id) == MessageFlags([MessageFlags.flagged, MessageFlags.seen]))
        #expect(store.claimRecent(messages.map(\.id)) == Set(messages.filter { $0.subject != "read" }.map(\.id)))
        #expect(notices.all.contains { $0.contains("3 placed by other programs given new ids") }, "\(notices.all)")

        // Their ids are recorded: the next start gives them the same ones.
        let again = try await MaildirStore.open(at: folder.path)
        #expect(StoredState.of(again).map(\.id) == StoredState.of(store).map(\.id))
        #expect(again.messages().map(\.envelope) == messages.map(\.envelope))
    }

    @Test("tmp/ files older than 36 hours are removed at start; younger ones are left to their writer")
    func tmpOrphans() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        _ = try await MaildirStore.open(at: folder.path)
        let old = "\(folder.path)/tmp/1.M1P1.crashed"
        let young = "\(folder.path)/tmp/2.M2P2.writing"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: old))
        try Data("partial".utf8).write(to: URL(fileURLWithPath: young))
        let longAgo = Date().addingTimeInterval(-37 * 3600)
        try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: old)
        let store = try await MaildirStore.open(at: folder.path)
        #expect(TemporaryFolder.names(folder.path, "tmp") == ["2.M2P2.writing"])
        #expect(store.messages().isEmpty, "nothing in tmp/ is ever served")
    }

    @Test("a damaged envelope record is skipped with a warning; every message is still there")
    func damagedLogRecord() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var envelopes: [Envelope] = []
        do {
            let store = try await MaildirStore.open(at: folder.path)
            for index in 0..<3 {
                let envelope = Envelope(
                    sender: "s\(index)@example.com", recipients: ["r\(index)@example.com"], helo: "helo\(index)",
                    peer: "127.0.0.1:\(index)")
                envelopes.append(envelope)
                _ = try await store.append(mail(subject: "m\(index)"), envelope: envelope)
            }
        }
        // Flip a byte inside the second message's record (the sender "s1@..." is unique to it).
        let logPath = "\(folder.path)/letterbox-envelopes.log"
        var log = [UInt8](try Data(contentsOf: URL(fileURLWithPath: logPath)))
        let marker = Array("s1@example.com".utf8)
        let at = try #require(
            (0..<log.count - marker.count).first { log[$0..<$0 + marker.count].elementsEqual(marker) })
        log[at] ^= 0xFF
        // And cut a record short at the end, as a crash in the middle of a write would.
        log += [0x1E, 0x4C, 0x42, 40, 0, 0, 0, 1, 2]
        try Data(log).write(to: URL(fileURLWithPath: logPath))

        let notices = NoticeCollector()
        let store = try await MaildirStore.open(at: folder.path, notices: notices.handler)
        let messages = store.messages()
        #expect(messages.map(\.subject) == ["m0", "m1", "m2"])
        #expect(messages[0].envelope == envelopes[0])
        #expect(messages[2].envelope == envelopes[2])
        #expect(messages[1].envelope.recipients == ["ana@example.com"], "rebuilt from the To: header")
        #expect(notices.warnings.count >= 2, "\(notices.warnings)")
        #expect(notices.warnings.contains { $0.contains("checksum mismatch") })
        #expect(notices.warnings.contains { $0.contains("cut short") })

        // The log was rewritten clean: the next start has nothing to warn about and keeps everything.
        let quiet = NoticeCollector()
        let again = try await MaildirStore.open(at: folder.path, notices: quiet.handler)
        #expect(quiet.warnings.isEmpty, "\(quiet.warnings)")
        #expect(StoredState.of(again) == StoredState.of(store))
    }

    @Test("a lost log costs envelopes, not messages: ids come from the file names")
    func lostLog() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let ids: [UInt64]
        do {
            let store = try await MaildirStore.open(at: folder.path)
            var appended: [UInt64] = []
            for index in 0..<3 {
                appended.append(try await store.append(mail(subject: "m\(index)"), envelope: envelope()).id)
            }
            ids = appended
        }
        try FileManager.default.removeItem(atPath: "\(folder.path)/letterbox-envelopes.log")
        let store = try await MaildirStore.open(at: folder.path)
        #expect(store.messages().map(\.id) == ids)
        #expect(store.messages().map(\.subject) == ["m0", "m1", "m2"])
        let next = try await store.append(mail(), envelope: envelope())
        #expect(next.id > ids.max()!)
    }

    @Test("a folder that cannot be created names the path and the reason")
    func unusableFolder() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = "\(folder.path)/plain-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let error = try #require(throws: StoreError.self) { try MaildirStore(path: "\(file)/maildir") }
        #expect(error.isUnusableFolder)
        #expect(error.description.contains(file))
        #expect(error.description.lowercased().contains("not a directory"), "\(error)")
    }

    @Test("a read-only folder is refused at start with the path and the reason")
    func readOnlyFolder() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let maildir = "\(folder.path)/maildir"
        _ = try MaildirStore(path: maildir)
        guard let readOnly = await ReadOnly(maildir) else { return }  // needs root (mount) or a non-root user (chmod)
        try await withCleanup({ await readOnly.undo() }) {
            let error = try #require(throws: StoreError.self) { try MaildirStore(path: maildir) }
            #expect(error.isUnusableFolder)
            #expect(error.description.contains(maildir))
            #expect(
                error.description.contains("Read-only file system") || error.description.contains("Permission denied"),
                "\(error)")
        }
    }

    @Test("a full disk makes append throw, leaves no partial file, and the store keeps working")
    func fullDisk() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        guard let small = await SmallFileSystem(folder.path, bytes: 512 * 1024) else { return }  // needs root (mount)
        try await withCleanup({ await small.undo() }) {
            let store = try await MaildirStore.open(at: folder.path)
            var stored: [Message] = []
            var failure: (any Error)?
            for _ in 0..<64 {
                do {
                    stored.append(
                        try await store.append(
                            Array(repeating: UInt8(ascii: "a"), count: 64 * 1024), envelope: envelope()))
                } catch {
                    failure = error
                    break
                }
            }
            let error = try #require(failure as? StoreError)
            #expect(error.description.contains("No space left on device"), "\(error)")
            #expect(TemporaryFolder.names(folder.path, "tmp").isEmpty, "the partial file is removed")
            #expect(TemporaryFolder.names(folder.path, "new").count == stored.count)
            store.remove(ids: stored.map(\.id))
            let after = try await store.append(mail(), envelope: envelope())
            #expect(store.messages().map(\.id) == [after.id])
        }
    }
}

/// Makes a folder read-only: a read-only bind mount as root (chmod does not stop root), chmod otherwise.
struct ReadOnly {
    let path: String
    let mounted: Bool

    init?(_ path: String) async {
        self.path = path
        if geteuid() != 0 {
            guard chmod(path, 0o500) == 0, chmod(path + "/tmp", 0o500) == 0 else { return nil }
            mounted = false
            return
        }
        guard await runQuietly("/bin/mount", ["--bind", path, path]) else { return nil }
        guard await runQuietly("/bin/mount", ["-o", "remount,bind,ro", path]) else {
            _ = await runQuietly("/bin/umount", [path])
            return nil
        }
        mounted = true
    }

    func undo() async {
        if mounted {
            _ = await runQuietly("/bin/umount", [path])
        } else {
            chmod(path, 0o700)
            chmod(path + "/tmp", 0o700)
        }
    }
}

/// A tiny tmpfs mounted on a folder, to fill up (root only).
struct SmallFileSystem {
    let path: String

    init?(_ path: String, bytes: Int) async {
        guard geteuid() == 0, await runQuietly("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path])
        else {
            return nil
        }
        self.path = path
    }

    func undo() async { _ = await runQuietly("/bin/umount", [path]) }
}

@Suite("MaildirStore fsync modes", .timeLimit(.minutes(1)))
struct MaildirFsyncTests {
    @Test(
        "concurrent deliveries with fsync always share syncs and all survive a restart",
        arguments: MaildirFsync.allCases)
    func concurrentDeliveriesSurvive(fsync: MaildirFsync) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let count = 32
        var sent: [String: [UInt8]] = [:]
        do {
            let store = try await MaildirStore.open(at: folder.path, fsync: fsync)
            let stored = try await withThrowingTaskGroup(of: (String, [UInt8]).self) { group in
                for index in 0..<count {
                    group.addTask {
                        let raw = mail(subject: "c\(index)")
                        _ = try await store.append(raw, envelope: envelope())
                        return ("c\(index)", raw)
                    }
                }
                var all: [String: [UInt8]] = [:]
                for try await (subject, raw) in group { all[subject] = raw }
                return all
            }
            sent = stored
            switch fsync {
            case .always: #expect(store.commits.syncCount >= 1 && store.commits.syncCount <= count)
            case .never: #expect(store.commits.syncCount == 0, "never syncs on delivery")
            }
            #expect(
                TemporaryFolder.names(folder.path, "new").count == count, "renamed into new/ before append returned")
        }
        let reopened = try await MaildirStore.open(at: folder.path)
        let messages = reopened.messages()
        #expect(messages.count == count)
        for message in messages {
            #expect(sent[message.subject] == message.raw, "\(message.subject)")
            #expect(message.envelope.sender == envelope().sender)
            #expect(message.envelope.recipients == envelope().recipients)
        }
        #expect(Set(messages.map(\.id)).count == count)
    }
}
