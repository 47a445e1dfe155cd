#if canImport(Glibc)
    import Glibc
#endif

/// Hands the free pages of the C heap back to the system after a phase that allocated a lot
/// temporarily (a store's start-up): glibc otherwise keeps them, and the process's resident size
/// stays at its peak. glibc's `malloc_trim(3)`, looked up at run time because the Glibc module does
/// not export `<malloc.h>`; nothing happens where it does not exist (other C libraries, macOS).
enum HeapTrim {
    static func releaseFreePages() {
        #if canImport(Glibc)
            typealias Trim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
