import Foundation
import LetterboxFaults
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The soak's hostile peers, spread over the four listeners, each kind on a thread of its own:
///
/// - **dribblers** (half of them) start a command, a DATA body, an IMAP literal or an HTTP header
///   and then send one more byte every second, forever — a slowloris. One dropped by the server
///   reconnects and starts again.
/// - **abandoners** (the other half) connect, stop mid-command, mid-DATA, mid-BDAT chunk,
///   mid-literal, in IDLE or in a long poll, and vanish after 1–5 s (FIN or reset), then come back.
/// - one **oversized** sender in a loop: a 4 MiB command line, IMAP literal, DATA line or HTTP
///   header, then gone.
final class HostilePeers: @unchecked Sendable {  // the counters are atomic; the rest is set in init
    struct Counts {
        var dribbling = 0
        var droppedDribblers = 0
        /// Dribblers the server dropped, by kind (``dribbleKinds``).
        var droppedByKind: [Int] = []
        var abandoned = 0
        var oversized = 0
        var refused = 0
    }

    private let ports: [Int]  // smtp, pop3, imap, http
    private let dribblers: Int
    private let abandoners: Int
    private let stopping = Atomic<Bool>(false)
    private let dribbling = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    private let abandoned = Atomic<Int>(0)
    private let oversized = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let group = DispatchGroup()
    private let droppedByKind = Mutex<[Int]>(Array(repeating: 0, count: HostilePeers.dribbleKinds.count))

    /// The dribblers' kinds, in the order of ``dribble(_:)``.
    static let dribbleKinds = [
        "SMTP command line", "SMTP DATA", "POP3 command line", "IMAP command line", "IMAP literal", "HTTP header",
        "HTTP body", "SMTP BDAT chunk",
    ]

    init(server: LetterboxChild, count: Int) {
        ports = [server.smtp, server.pop3, server.imap, server.http]
        dribblers = count / 2
        abandoners = count - count / 2
    }

    var counts: Counts {
        Counts(
            dribbling: dribbling.load(ordering: .relaxed), droppedDribblers: dropped.load(ordering: .relaxed),
            droppedByKind: droppedByKind.withLock { $0 }, abandoned: abandoned.load(ordering: .relaxed),
            oversized: oversized.load(ordering: .relaxed), refused: refused.load(ordering: .relaxed))
    }

    /// Starts the peers; none at all (not even the oversized sender) when `count` is 0, for a
    /// control run.
    func start() {
        guard dribblers + abandoners > 0 else { return }
        for kind in 0..<3 {
            group.enter()
            Thread.detachNewThread { [self] in
                switch kind {
                case 0: runDribblers()
                case 1: runAbandoners()
                default: runOversized()
                }
                group.leave()
            }
        }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        group.wait()
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    // MARK: Dribblers

    /// What dribbler `n` sends first, on which listener, and the byte it dribbles after.
    private func dribble(_ n: Int) -> (port: Int, opening: String, byte: UInt8) {
        switch n % 8 {
        case 0: (ports[0], "EHLO slow", UInt8(ascii: "w"))  // a command line that never ends
        case 1:
            (
                ports[0],
                "EHLO slow\r\nMAIL FROM:<s@example.com>\r\nRCPT TO:<t@example.com>\r\nDATA\r\nSubject: slow\r\n\r\n",
                UInt8(ascii: "x")
            )
        case 2: (ports[1], "USER slow\r\nPASS slow\r\nRETR ", UInt8(ascii: "1"))
        case 3: (ports[2], "a LOGIN slow slow\r\nb NOOP ", UInt8(ascii: "n"))
        case 4: (ports[2], "a LOGIN slow slow\r\nb APPEND INBOX {100000+}\r\n", UInt8(ascii: "l"))
        case 5: (ports[3], "GET /healthz HTTP/1.1\r\nX-Slow: ", UInt8(ascii: "s"))
        case 6:
            (ports[3], "POST /faults HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n", UInt8(ascii: "b"))
        default:
            (
                ports[0], "EHLO slow\r\nMAIL FROM:<s@example.com>\r\nRCPT TO:<t@example.com>\r\nBDAT 100000 LAST\r\n",
                UInt8(ascii: "c")
            )
        }
    }

    private func runDribblers() {
        var sockets: [PeerSocket?] = Array(repeating: nil, count: dribblers)
        var scratch = [UInt8](repeating: 0, count: 4096)
        var round = 0
        while !isStopping {
            let began = DispatchTime.now().uptimeNanoseconds
            for n in 0..<dribblers where !isStopping {
                let (port, opening, byte) = dribble(n)
                if let socket = sockets[n] {
                    // Read (and drop) replies; a read of 0 means the server closed it.
                    let count = recv(socket.fd, &scratch, scratch.count, Int32(MSG_DONTWAIT))
                    if count == 0 || !socket.sendWithoutWaiting([byte]) {
                        sockets[n] = nil
                        dropped.add(1, ordering: .relaxed)
                        droppedByKind.withLock { $0[n % 8] += 1 }
                        dribbling.subtract(1, ordering: .relaxed)
                    }
                } else if round == 0 || n % 10 == round % 10 {  // reconnect the dropped slowly
                    guard let socket = try? PeerSocket(port: port, timeout: 1) else {
                        refused.add(1, ordering: .relaxed)
                        continue
                    }
                    socket.sendWithoutWaiting(Array(opening.utf8))
                    sockets[n] = socket
                    dribbling.add(1, ordering: .relaxed)
                }
            }
            round += 1
            let spent = DispatchTime.now().uptimeNanoseconds - began
            if spent < 1_000_000_000 { usleep(useconds_t((1_000_000_000 - spent) / 1000)) }
        }
        dribbling.store(0, ordering: .relaxed)
    }

    // MARK: Abandoners

    /// What abandoner `n`'s next connection sends before it vanishes.
    private func abandon(_ n: Int) -> (port: Int, bytes: [UInt8]) {
        let body = String(repeating: "body line of an abandoned message\r\n", count: 100)
        let (port, text): (Int, String) =
            switch n % 10 {
            case 0: (ports[0], "EHLO gone\r\nMAIL FROM:<g@example.com")
            case 1: (ports[0], "EHLO gone\r\nMAIL FROM:<g@example.com>\r\nRCPT TO:<h@example.com>\r\nDATA\r\n" + body)
            case 2:
                (ports[0], "EHLO gone\r\nMAIL FROM:<g@example.com>\r\nRCPT TO:<h@example.com>\r\nBDAT 50000\r\n" + body)
            case 3: (ports[1], "USER gone\r\nPASS gone\r\nLIST\r\nRETR")
            case 4: (ports[2], "a LOGIN gone gone\r\nb APPEND INBOX {1000000+}\r\n" + body)
            case 5: (ports[2], "a LOGIN gone gone\r\nb SELECT INBOX\r\nc IDLE\r\n")
            case 6: (ports[2], "a SEARCH TEXT {50000+}\r\n" + body)
            case 7:
                (ports[3], "GET /messages/wait?subject=never-arrives&timeout=300 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            case 8:
                (
                    ports[3],
                    "GET /messages/wait.json?to=nobody%40example.com&timeout=120 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                )
            default: (ports[3], "GET /messages HTTP/1.1\r\nHost: local")
            }
        return (port, Array(text.utf8))
    }

    private func runAbandoners() {
        var sockets: [(socket: PeerSocket, vanishAt: UInt64)?] = Array(repeating: nil, count: abandoners)
        var random = SeededGenerator(seed: 16)
        var generation = 0
        while !isStopping {
            let now = DispatchTime.now().uptimeNanoseconds
            for n in 0..<abandoners where !isStopping {
                if let entry = sockets[n] {
                    guard now >= entry.vanishAt else { continue }
                    if Bool.random(using: &random) { entry.socket.reset() } else { entry.socket.close() }
                    sockets[n] = nil
                    abandoned.add(1, ordering: .relaxed)
                }
                generation += 1
                let (port, bytes) = abandon(n + generation)
                guard let socket = try? PeerSocket(port: port, timeout: 1) else {
                    refused.add(1, ordering: .relaxed)
                    continue
                }
                socket.sendWithoutWaiting(bytes)
                sockets[n] = (socket, now + UInt64.random(in: 1_000_000_000...5_000_000_000, using: &random))
            }
            usleep(50_000)
        }
    }

    // MARK: Oversized

    private func runOversized() {
        let big = [UInt8](repeating: UInt8(ascii: "o"), count: 4 << 20)
        var n = 0
        while !isStopping {
            n += 1
            let (port, opening): (Int, String) =
                switch n % 4 {
                case 0: (ports[0], "EHLO ")
                case 1: (ports[2], "a LOGIN {4194304+}\r\n")
                case 2: (ports[0], "EHLO big\r\nMAIL FROM:<o@example.com>\r\nRCPT TO:<p@example.com>\r\nDATA\r\n")
                default: (ports[3], "GET /healthz HTTP/1.1\r\nX-Big: ")
                }
            if let socket = try? PeerSocket(port: port, timeout: 2) {
                socket.send(Array(opening.utf8) + big)
                socket.reset()
                oversized.add(1, ordering: .relaxed)
            } else {
                refused.add(1, ordering: .relaxed)
            }
            usleep(500_000)
        }
    }
}
