#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text in a legacy charset through the C library's `iconv` (glibc on Linux, libiconv on macOS):
/// every table ships with the system, CJK included, so none is maintained here and the binary
/// carries no ICU. glibc loads a converter from its gconv directory on first use; the Docker image
/// ships the ones `Charset` names (docker/Dockerfile, `GCONV_CHARSETS`).
enum IconvDecoder {
    /// `bytes` in `charset` (a name `iconv_open` knows) as text; `nil` when the C library has no
    /// converter for `charset` or the bytes are not valid in it. Opens a converter per call: an
    /// `iconv_t` must not be shared between threads, and glibc caches the loaded module anyway.
    static func decode(_ bytes: some Collection<UInt8>, from charset: String) -> String? {
        // A failed open returns `(iconv_t) -1`.
        guard let converter = iconv_open("UTF-8", charset), Int(bitPattern: converter) != -1 else { return nil }
        defer { iconv_close(converter) }
        var input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2)
        let converted = input.withUnsafeMutableBytes { inputBytes -> Bool in
            var next = inputBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            var left = inputBytes.count
            // Converts the input, then (no input) flushes what a stateful charset holds back, such
            // as CP1255's last letter awaiting a combining mark; grows the output on E2BIG.
            var flushing = false
            while true {
                let error = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(64, left * 3)) { chunk in
                    var out = UnsafeMutableRawPointer(chunk.baseAddress)?.assumingMemoryBound(to: CChar.self)
                    var room = chunk.count
                    let result =
                        flushing
                        ? iconv(converter, nil, nil, &out, &room)
                        : iconv(converter, &next, &left, &out, &room)
                    let error = result == -1 ? errno : 0
                    output.append(contentsOf: chunk.prefix(chunk.count - room))
                    return error
                }
                switch error {
                case 0 where flushing: return true
                case 0: flushing = true  // all input converted
                case E2BIG: continue
                default: return false  // EILSEQ or EINVAL: invalid or truncated input.
                }
            }
        }
        return converted ? String(decoding: output, as: UTF8.self) : nil
    }
}
