/// Why a network operation ended without its result.
///
/// A struct with static members rather than an enum, so new reasons can be added without breaking
/// anyone's `switch`.
public struct NetError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case closed, idleTimeout, lineTimeout, transferTimeout, sendTimeout, loginTimeout, shuttingDown, lineTooLong,
            tooLarge, woken, system, transport
    }
    private let code: Code
    /// Human-readable detail, e.g. the failing system call and `errno` text.
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The peer closed the connection, or it was closed locally.
    public static let closed = NetError(.closed, "connection closed")
    /// The peer sent nothing for longer than the idle timeout.
    public static let idleTimeout = NetError(.idleTimeout, "idle timeout")
    /// A command line (or request head) did not arrive complete within its deadline after its
    /// first byte.
    public static let lineTimeout = NetError(.lineTimeout, "command not completed in time")
    /// A transfer (message data, a literal, a body, a reply) fell below the minimum rate.
    public static let transferTimeout = NetError(.transferTimeout, "transfer below the minimum rate")
    /// The peer did not read what was sent to it at the minimum rate.
    public static let sendTimeout = NetError(.sendTimeout, "peer not reading in time")
    /// The peer did not log in within the time allowed before login.
    public static let loginTimeout = NetError(.loginTimeout, "no login in time")
    /// The server is shutting down and the connection was between requests.
    public static let shuttingDown = NetError(.shuttingDown, "server shutting down")
    /// A line exceeded the limit the caller set; the rest of it is discarded.
    public static let lineTooLong = NetError(.lineTooLong, "line too long")
    /// A wakeable read was ended by ``ConnectionHandle/wake()``; nothing was read or lost.
    public static let woken = NetError(.woken, "woken")
    /// A byte count exceeded the limit the caller set.
    public static let tooLarge = NetError(.tooLarge, "too large")

    /// A connection transport (TLS) failed: a handshake, a record that does not decrypt, and so on.
    public static func transport(_ detail: String) -> NetError { NetError(.transport, detail) }

    /// A system call failed.
    public static func system(_ call: String, errno code: Int32) -> NetError {
        NetError(.system, "\(call) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    public var description: String { detail }

    /// Whether a deadline passed (idle, line, transfer or login): the protocol answers its
    /// timeout error and closes.
    public var isTimeout: Bool {
        [.idleTimeout, .lineTimeout, .transferTimeout, .sendTimeout, .loginTimeout].contains(code)
    }

    public static func == (lhs: NetError, rhs: NetError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
