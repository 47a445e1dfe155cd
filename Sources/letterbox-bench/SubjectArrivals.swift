import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `GET /events` stream read by the bench itself on a thread of its own, noting when the first
/// `message` event whose subject is `<prefix><n>` arrived, on the wall clock: when the server
/// pushed each message, with no browser in between.
// @unchecked: the socket is read by the one reader thread only; the rest is atomic or locked.
final class SubjectArrivals: @unchecked Sendable {
    private let socket: PeerSocket
    private let prefix: [UInt8]
    /// Milliseconds since 1970 (CLOCK_REALTIME) by `n`.
    private let arrivals = Mutex<[Int: Double]>([:])
    private let stop = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Opens the stream on `port` and starts reading it once the server has answered `200`.
    init(httpPort port: Int, prefix: String) throws {
        socket = try PeerSocket(port: port, timeout: 10)
        self.prefix = Array("\"subject\":\"\(prefix)".utf8)
        socket.send(Array("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8))
        let (head, _) = socket.receive { BlockingHTTPClient.firstIndex(of: [13, 10, 13, 10], in: $0) != nil }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 200") else {
            throw PeerSocket.Failure(description: "GET /events answered \(head.prefix(200))")
        }
        PeerSocket.setTimeout(socket.fd, 0.1)
        Thread { [self] in
            read(carrying: head)
            finished.signal()
        }.start()
    }

    /// When each `n` arrived so far, in milliseconds since 1970.
    var milliseconds: [Int: Double] { arrivals.withLock { $0 } }

    /// Stops reading and closes the stream.
    func close() {
        stop.store(true, ordering: .relaxed)
        finished.wait()
        socket.close()
    }

    /// Reads lines until stopped; each line with the subject prefix notes its `n`.
    private func read(carrying start: [UInt8]) {
        var pending = start
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !stop.load(ordering: .relaxed) {
            let count = recv(socket.fd, &chunk, chunk.count, 0)
            if count == 0 { return }
            guard count > 0 else { continue }  // the 0.1 s timeout: look at `stop` again
            let arrived = wallClockMilliseconds()
            pending += chunk[0..<count]
            guard let lastBreak = pending.lastIndex(of: 10) else { continue }
            for line in pending[...lastBreak].split(separator: 10) {
                guard let at = BlockingHTTPClient.firstIndex(of: prefix, in: Array(line)) else { continue }
                let digits = line.dropFirst(at + prefix.count).prefix { (48...57).contains($0) }
                guard let n = Int(String(decoding: digits, as: UTF8.self)) else { continue }
                arrivals.withLock { if $0[n] == nil { $0[n] = arrived } }
            }
            pending.removeFirst(lastBreak + 1)
        }
    }
}
