import LetterboxStore
import LetterboxThreads

/// THREAD (RFC 5256 §4) of ``IMAPSession``: `* THREAD (…)(…)` for the messages that match.
extension IMAPSession {
    /// ``threadResponse(_:)`` for the threads of the messages that match `key`, named by UID or
    /// sequence number. Reading every message's headers, the scan, the threading and the
    /// response are made in one job on the store's reading threads (as SORT does).
    func threadResponse(_ key: SearchKey, algorithm: ThreadAlgorithm, uid: Bool) async -> String {
        await scanned(key, offload: true) { mailbox, positions in
            let items = positions.map { index in
                ThreadOrder.Item(
                    number: mailbox.number(at: index, uid: uid), sequence: index + 1,
                    message: mailbox.candidates[index].message)
            }
            switch algorithm {
            case .orderedSubject: return Self.threadResponse(ThreadOrder.orderedSubject(items))
            case .references: return Self.threadResponse(ThreadOrder.references(items))
            }
        }
    }

    /// `* THREAD (4 (2)(1))(3 5)`; `* THREAD` alone when nothing matched (RFC 5256 §4 `thread-data`).
    static func threadResponse(_ threads: [MessageThread]) -> String {
        "* THREAD" + (threads.isEmpty ? "" : " " + threads.map { "(\($0.written))" }.joined()) + "\r\n"
    }
}
