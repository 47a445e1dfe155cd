// Shared by the libFuzzer targets that drive a session (compiled into each target's module by
// run.sh): a connection stand-in that hands out the fuzz input the way `Connection` does, a way
// to wait for async store calls, and the checks every target uses. A violated invariant is a
// `fuzzFailure`, which traps, so libFuzzer keeps the input.

import Dispatch
import Glibc
import LetterboxStore

/// Traps with a message libFuzzer prints next to the crash input.
func fuzzFailure(_ message: String, file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError("invariant violated: \(message)", file: file, line: line)
}

/// Runs async work to completion from the synchronous fuzz entry point.
func fuzzBlocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let box = FuzzResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await work()
        done.signal()
    }
    done.wait()
    // A store's pool thread may still hold the closure of a job that already resumed the session
    // (a SEARCH run off the loop keeps its parsed key): LeakSanitizer, which checks right after
    // the input, would report that as leaked.
    while !BlockingPool.everyPoolIsIdle { usleep(50) }
    guard let value = box.value else { fuzzFailure("async work produced nothing") }
    return value
}

/// Carries a result out of a task; written before the semaphore is signalled, read after.
private final class FuzzResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// The peer's bytes as a `Connection` sees them: they arrive in pieces of `chunk` octets, lines
/// end at LF (a CR before it is dropped), and a line longer than the limit is reported once and
/// discarded up to its end, as `Connection.takeLine` does. Reads return nil once the peer has
/// nothing more to send (the connection is closed).
struct FuzzConnection {
    struct LineTooLong: Error {}

    let bytes: [UInt8]
    private(set) var position: Int
    /// The end of what has "arrived" so far.
    private(set) var available: Int
    let chunk: Int
    private var discardingLine = false

    init(_ bytes: [UInt8], from start: Int = 0, chunk: Int) {
        self.bytes = bytes
        self.position = min(start, bytes.count)
        self.chunk = max(1, chunk)
        self.available = min(bytes.count, self.position + self.chunk)
    }

    var buffered: Int { available - position }
    var atEnd: Bool { position >= bytes.count }

    /// Lets the next piece arrive; false at the end of the input.
    mutating func fill() -> Bool {
        guard available < bytes.count else { return false }
        available = min(bytes.count, available + chunk)
        return true
    }

    mutating func consume(_ count: Int) {
        position += count
        if available < position { available = position }
    }

    /// A complete buffered line, mirroring `Connection.takeLine(maxLength:)`.
    mutating func takeLine(maxLength: Int) throws(LineTooLong) -> [UInt8]? {
        while true {
            let window = bytes[position..<available]
            guard let newline = window.firstIndex(of: 0x0A) else {
                if window.count > maxLength + 1 {
                    let report = !discardingLine
                    discardingLine = true
                    consume(window.count)
                    if report { throw LineTooLong() }
                }
                return nil
            }
            let end = newline > position && bytes[newline - 1] == 0x0D ? newline - 1 : newline
            if discardingLine || end - position > maxLength {
                let report = !discardingLine
                discardingLine = false
                consume(newline + 1 - position)
                if report { throw LineTooLong() }
                continue
            }
            let line = Array(bytes[position..<end])
            consume(newline + 1 - position)
            return line
        }
    }

    /// The next line; nil when the peer closed first.
    mutating func readLine(maxLength: Int) throws(LineTooLong) -> [UInt8]? {
        while true {
            if let line = try takeLine(maxLength: maxLength) { return line }
            guard fill() else { return nil }
        }
    }

    /// Exactly `count` octets; nil when the peer closes first (nothing is allocated for a count
    /// the input cannot supply).
    mutating func readExactly(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - position >= count else {
            position = bytes.count
            available = bytes.count
            return nil
        }
        let result = Array(bytes[position..<position + count])
        consume(count)
        return result
    }

    /// Reads and drops `count` octets; false when the peer closes first.
    mutating func skip(_ count: Int) -> Bool { readExactly(count) != nil }

    /// The buffered octets, for a scanner that consumes what it can decide.
    func withBuffered<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[position..<available]))
        }
    }
}

/// Splits an input into a small header of option bits and the rest.
struct FuzzOptions {
    let flags: UInt8
    let chunk: Int
    let start: Int

    /// The first octet chooses options, the second the size of the pieces the input arrives in.
    init(_ bytes: [UInt8]) {
        flags = bytes.first ?? 0
        let sizes = [1, 2, 3, 7, 16, 64, 512, 4096, 65536]
        chunk = bytes.count > 1 ? sizes[Int(bytes[1]) % sizes.count] : 65536
        start = min(2, bytes.count)
    }

    func has(_ bit: UInt8) -> Bool { flags & bit != 0 }
}

/// Whether `text` holds no CR, LF or NUL: what a reply line may carry between its prefix and CRLF.
func isClean(_ text: some StringProtocol) -> Bool {
    !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
}

/// Splits `wire` into CRLF-terminated lines, failing when it does not end in CRLF or holds a bare
/// LF, or a bare CR unless `bareCR` (message content may carry one).
func crlfLines(_ wire: [UInt8], what: String, bareCR: Bool = false) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    var index = 0
    while index < wire.count {
        let byte = wire[index]
        if byte == 0x0D {
            guard index + 1 < wire.count, wire[index + 1] == 0x0A else {
                if bareCR {
                    index += 1
                    continue
                }
                fuzzFailure("bare CR in \(what): \(show(wire))")
            }
            lines.append(wire[start..<index])
            index += 2
            start = index
            continue
        }
        if byte == 0x0A { fuzzFailure("bare LF in \(what): \(show(wire))") }
        index += 1
    }
    guard start == wire.count else { fuzzFailure("\(what) does not end in CRLF: \(show(wire))") }
    return lines
}

/// A short printable rendering of octets for failure messages.
func show(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription
}
