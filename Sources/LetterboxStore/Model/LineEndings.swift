#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Mail on the wire has CRLF line endings; captured mail may not (a bare LF is kept as received).
/// POP3 and IMAP serve the canonical form, so their sizes are counted in it.
package enum LineEndings {
    /// Octets of `raw` once every bare LF is CRLF and it ends with CRLF.
    package static func canonicalSize(of raw: [UInt8]) -> Int {
        var size = raw.count
        forEachLine(in: raw) { range, hasCR, hasLF in
            if hasLF && !hasCR { size += 1 }
            if !hasLF && !range.isEmpty { size += 2 }
        }
        return size
    }

    /// `raw` with every bare LF made CRLF and a final CRLF added if missing; `raw` itself when it
    /// already is in that form (no copy).
    package static func canonical(_ raw: [UInt8]) -> [UInt8] {
        guard canonicalSize(of: raw) != raw.count else { return raw }
        var out: [UInt8] = []
        out.reserveCapacity(canonicalSize(of: raw))
        raw.withUnsafeBufferPointer { buffer in
            forEachLine(in: raw) { range, _, _ in
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range]))
                out.append(contentsOf: [0x0D, 0x0A])
            }
        }
        return out
    }

    /// Calls `body` with each line's content range (without its terminator), whether it ended with
    /// CRLF, and whether it ended at all (the last line may not). Uses `memchr`, one call per line.
    package static func forEachLine(in raw: [UInt8], _ body: (Range<Int>, _ hasCR: Bool, _ hasLF: Bool) -> Void) {
        raw.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count {
                guard let found = memchr(base + start, 0x0A, buffer.count - start) else {
                    body(start..<buffer.count, false, false)
                    return
                }
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let hasCR = newline > start && base[newline - 1] == 0x0D
                body(start..<(hasCR ? newline - 1 : newline), hasCR, true)
                start = newline + 1
            }
        }
    }
}
