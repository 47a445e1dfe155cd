#if os(Linux)
    import CSystemShims
#endif

/// What the C heap holds now, for tests and measurements of what a peer can make a connection
/// hold (glibc's `mallinfo2`: bytes handed out in every arena plus mmapped blocks).
package enum HeapUsage {
    /// Bytes allocated and not freed; nil where the C library cannot tell (macOS, musl, glibc < 2.33).
    package static var bytesInUse: Int? {
        #if os(Linux)
            let bytes = lb_heap_in_use()
            return bytes >= 0 ? Int(bytes) : nil
        #else
            return nil
        #endif
    }
}
