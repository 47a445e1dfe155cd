#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes a ``Connection`` has received and not yet consumed, in one heap block that `recv`
/// (or a transport decoding TLS) writes into directly, so nothing is copied from a scratch buffer.
///
/// Consumed bytes are reclaimed by moving what is left to the front when room is needed. The
/// block grows only for a line longer than it, and ``releaseIfEmpty()`` gives it back while the
/// connection waits with nothing buffered, so an idle connection holds no block.
package struct InputBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>?
    private var capacity = 0
    private var start = 0
    private var end = 0

    /// The block allocated when there is none, and the least room a read is given.
    static let blockSize = 65_536
    package static let minimumRoom = 16_384
    /// The most a wait for a command keeps in a block of its own (see ``shrinkForWaiting()``).
    package static let keptWhileWaiting = 4096

    package init() {}

    deinit { storage?.deallocate() }

    /// The number of bytes not yet consumed.
    package var count: Int { end - start }

    /// The size of the block held (0 when none): what the buffer costs while a connection waits.
    package var heldBytes: Int { capacity }

    /// Calls `body` with the bytes not yet consumed (valid only during the call).
    package func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage.map { $0 + start }, count: count))
    }

    /// Marks the first `count` bytes as consumed.
    package mutating func consume(_ count: Int) {
        precondition(count >= 0 && count <= self.count, "consumed more than was buffered")
        start += count
        if start == end {
            start = 0
            end = 0
        }
    }

    /// Forgets every byte buffered (keeping the block).
    package mutating func removeAll() {
        start = 0
        end = 0
    }

    /// Gives the block back if nothing is buffered.
    package mutating func releaseIfEmpty() {
        guard start == end, let block = storage else { return }
        block.deallocate()
        storage = nil
        capacity = 0
        start = 0
        end = 0
    }

    /// Before a wait that may last the idle timeout: gives the block back if nothing is buffered,
    /// or moves a remainder of up to ``keptWhileWaiting`` bytes (a partial command line) into a
    /// block of its own size, so a peer that sends a byte and stalls does not hold a whole block.
    package mutating func shrinkForWaiting() {
        guard let block = storage, count <= Self.keptWhileWaiting, capacity > count else { return }
        guard count > 0 else { return releaseIfEmpty() }
        let smaller = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        smaller.initialize(from: block + start, count: count)
        block.deallocate()
        storage = smaller
        capacity = count
        end = count
        start = 0
    }

    /// Lets `fill` write up to the free room after the buffered bytes (at least ``minimumRoom``) and
    /// keeps the number of bytes it returns; a negative or zero result keeps nothing.
    package mutating func append(_ fill: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        makeRoom()
        let room = UnsafeMutableRawBufferPointer(start: storage! + end, count: capacity - end)
        let written = try fill(room)
        if written > 0 {
            precondition(written <= room.count, "wrote past the free room")
            end += written
        }
        return written
    }

    private mutating func makeRoom() {
        if capacity - end >= Self.minimumRoom { return }
        if let block = storage, start > 0 {
            memmove(block, block + start, count)
            end -= start
            start = 0
            if capacity - end >= Self.minimumRoom { return }
        }
        let newCapacity = max(Self.blockSize, capacity * 2, count + Self.minimumRoom)
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if let old = storage {
            block.initialize(from: old + start, count: count)
            old.deallocate()
        }
        end -= start
        start = 0
        storage = block
        capacity = newCapacity
    }
}
