import LetterboxStore
import LetterboxThreads

/// THREAD (RFC 5256 §4) of ``IMAPSession``: `* THREAD (…)(…)` for the messages that match.
extension IMAPSession {
    /// The threads of the messages that match `key`, named by UID or sequence number. Reading
    /// every message's headers, it runs on the store's reading threads (as SORT does).
    func thread(_ key: SearchKey, algorithm: ThreadAlgorithm, uid: Bool) async -> [MessageThread] {
        let items = await matchingPositions(key).map { index in
            ThreadOrder.Item(
                number: uid ? entries[index].uid : UInt64(index + 1), sequence: index + 1,
                message: entries[index].message)
        }
        switch algorithm {
        case .orderedSubject: return await BlockingPool.offload { ThreadOrder.orderedSubject(items) }
        case .references: return await BlockingPool.offload { ThreadOrder.references(items) }
        }
    }

    /// `* THREAD (4 (2)(1))(3 5)`; `* THREAD` alone when nothing matched (RFC 5256 §4 `thread-data`).
    static func threadResponse(_ threads: [MessageThread]) -> String {
        "* THREAD" + (threads.isEmpty ? "" : " " + threads.map { "(\($0.written))" }.joined()) + "\r\n"
    }
}
