#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a blocking bench client has received and not yet consumed: one growable block that `recv`
/// writes into directly and replies are scanned in place, so the client stays far faster than
/// the servers it measures (no per-chunk copies).
struct ReceiveBuffer: ~Copyable {
    private var block: UnsafeMutableRawBufferPointer
    /// Bytes received and not yet discarded, from the start of the block.
    private(set) var count = 0
    /// The room every `recv` is given at least: the block doubles when less is free.
    private let minimumReceive: Int

    init(minimumReceive: Int, initialSize: Int) {
        self.minimumReceive = minimumReceive
        block = .allocate(byteCount: max(initialSize, minimumReceive), alignment: 16)
    }

    deinit { block.deallocate() }

    subscript(index: Int) -> UInt8 { block[index] }

    /// The bytes at `range`.
    func bytes(_ range: Range<Int>) -> [UInt8] { Array(block[range]) }

    /// `length` bytes from `start`, decoded as UTF-8.
    func text(_ start: Int, _ length: Int) -> String {
        String(decoding: block[start..<start + length], as: UTF8.self)
    }

    /// The offset of the first LF at or after `start`.
    func firstNewline(from start: Int = 0) -> Int? {
        guard count > start, let base = block.baseAddress, let found = memchr(base + start, 0x0A, count - start)
        else { return nil }
        return base.distance(to: found)
    }

    /// Whether the bytes at `offset` begin with `prefix`.
    func starts(at offset: Int, with prefix: [UInt8]) -> Bool {
        guard count - offset >= prefix.count else { return false }
        for (index, byte) in prefix.enumerated() where block[offset + index] != byte { return false }
        return true
    }

    /// One `recv` from `fd` into the free room, after growing the block if less than the minimum is free.
    ///
    /// - Throws: when the peer closed, the receive timeout passed, or `recv` failed.
    mutating func receive(from fd: Int32) throws(BlockingClientFailure) {
        if block.count - count < minimumReceive, let old = block.baseAddress {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: block.count * 2, alignment: 16)
            larger.baseAddress?.copyMemory(from: old, byteCount: count)
            block.deallocate()
            block = larger
        }
        guard let base = block.baseAddress else { throw BlockingClientFailure(description: "no receive buffer") }
        let received = recv(fd, base + count, block.count - count, 0)
        guard received > 0 else {
            if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw BlockingClientFailure(description: "timed out waiting for the server")
            }
            throw BlockingClientFailure(
                description: received == 0 ? "connection closed" : "recv failed: errno \(errno)")
        }
        count += received
    }

    /// Drops the first `end` bytes, keeping what follows (a pipelined or early reply).
    mutating func discard(upTo end: Int) {
        let rest = count - end
        if rest > 0, let base = block.baseAddress { base.copyMemory(from: base + end, byteCount: rest) }
        count = rest
    }

    /// Drops everything received.
    mutating func removeAll() { count = 0 }
}
