#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few file system calls the disk store needs, as plain POSIX: no `Data.write` or
/// `FileManager` on the delivery path (on Linux those fsync every file, and `.atomic` writes
/// place a temporary file next to the target, which in a Maildir's `new/` a reader would take
/// for a message).
///
/// Every call blocks the calling thread; the store runs them on ``BlockingPool`` threads, never on
/// Swift's cooperative pool, except for single metadata operations (`rename`, `unlink`) that
/// finish in microseconds.
enum POSIXFile {
    /// Creates `path` for writing; fails if it exists (`O_EXCL`, so two writers never share a file).
    /// A `mode` with bits for group or others is set with fchmod(2) too, so the umask cannot take them away.
    static func createExclusive(_ path: String, mode: mode_t = 0o600) throws(StoreError) -> Int32 {
        let fd = retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        if mode & 0o077 != 0 { _ = fchmod(fd, mode) }
        return fd
    }

    /// Opens `path` for appending, creating it if missing (with `mode`, as ``createExclusive(_:mode:)``).
    static func openForAppending(_ path: String, mode: mode_t = 0o600) throws(StoreError) -> Int32 {
        let fd = retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        var info = stat()
        if mode & 0o077 != 0, fstat(fd, &info) == 0, info.st_size == 0, info.st_mode & 0o777 != mode {
            _ = fchmod(fd, mode)
        }
        return fd
    }

    /// Opens a directory so it can be fsynced after a rename into it.
    static func openDirectory(_ path: String) throws(StoreError) -> Int32 {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        return fd
    }

    /// Writes every byte, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw .system("write", path: path, errno: failure) }
    }

    /// Writes `bytes` with one write(2) (retried only when interrupted before writing anything);
    /// throws if the write fails or is short, so an `O_APPEND` descriptor shared by threads gets
    /// the bytes whole or the caller learns they are not all there (a short write of a regular
    /// file means the disk or a limit is full: ENOSPC stands for it).
    static func writeInOneCall(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
        let result: Int = bytes.withUnsafeBytes { buffer in
            while true {
                let written = write(fd, buffer.baseAddress, buffer.count)
                if written < 0 && errno == EINTR { continue }
                return written < 0 ? -Int(errno) : written
            }
        }
        if result < 0 { throw .system("write", path: path, errno: Int32(-result)) }
        if result < bytes.count { throw .system("write", path: path, errno: ENOSPC) }
    }

    /// Makes descriptor `fd` refer to the file open as `other` (close-on-exec), atomically: a call
    /// under way on `fd` finishes on the file it started on.
    static func replaceDescriptor(_ fd: Int32, with other: Int32, path: String) throws(StoreError) {
        while true {
            // dup2, then close-on-exec again (dup3 is not in Swift's Glibc module); nothing here execs.
            let result = dup2(other, fd)
            if result >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            if result >= 0 { return }
            let code = errno
            if code == EINTR || code == EBUSY { continue }
            throw .system("dup2", path: path, errno: code)
        }
    }

    /// Flushes the file's data and metadata to stable storage (fsync(2)).
    static func sync(_ fd: Int32, path: String) throws(StoreError) {
        guard retryingOnInterrupt({ fsync(fd) }) == 0 else { throw .system("fsync", path: path, errno: errno) }
    }

    /// Flushes the file's data and the metadata needed to read it back (fdatasync(2)).
    static func syncData(_ fd: Int32, path: String) throws(StoreError) {
        #if os(Linux)
            guard retryingOnInterrupt({ fdatasync(fd) }) == 0 else {
                throw .system("fdatasync", path: path, errno: errno)
            }
        #else
            try sync(fd, path: path)
        #endif
    }

    /// Starts writing the file's dirty pages to the disk and returns without waiting
    /// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`, Linux): a later fdatasync only waits for them.
    /// Durability still needs that fdatasync. Elsewhere (or if libc lacks the call) it does nothing.
    static func startWriteback(_ fd: Int32) {
        #if os(Linux)
            _ = SyncFileRange.function?(fd, 0, 0, SyncFileRange.write)
        #endif
    }

    static func close(_ fd: Int32) { _ = Glibc_close(fd) }

    /// Renames atomically (rename(2)); the caller fsyncs the target directory for durability.
    static func rename(_ from: String, _ to: String) throws(StoreError) {
        guard Glibc_rename(from, to) == 0 else { throw .system("rename", path: from, target: to, errno: errno) }
    }

    /// Removes `path`; true if it was there.
    @discardableResult
    static func remove(_ path: String) -> Bool { unlink(path) == 0 }

    /// Creates the directory if missing; fails if `path` exists but is not a directory.
    /// A new directory gets `mode` whatever the umask (chmod(2) after mkdir(2) when it has bits
    /// for group or others); an existing one is left as it is.
    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(StoreError) {
        if mkdir(path, mode) == 0 {
            if mode & 0o077 != 0 { _ = chmod(path, mode) }
            return
        }
        let code = errno
        var info = stat()
        if code == EEXIST, stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .unusableFolder(path, "it exists and is not a directory")
            }
            return
        }
        throw .unusableFolder(path, "mkdir: \(StoreError.reason(code))")
    }

    /// The whole file, or nil if it no longer exists (another reader may have removed it).
    static func read(_ path: String) throws(StoreError) -> [UInt8]? {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .system("open", path: path, errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system("fstat", path: path, errno: errno) }
        return try readToEnd(fd, expectedSize: Int(info.st_size), path: path)
    }

    /// The file `name` in the open directory `directory` (openat(2): no path lookup from the root),
    /// read with `expectedSize` (a Maildir name's `,S=`) when known, so most files cost one open,
    /// one read and one close. Nil if the file no longer exists. With `modificationTime`, also its
    /// mtime in seconds since 1970.
    static func read(
        in directory: Int32, _ name: String, path: String, expectedSize: Int?, modificationTime: Bool = false
    ) throws(StoreError) -> (bytes: [UInt8], modified: Double?)? {
        let fd = openat(directory, name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .system("open", path: path, errno: errno)
        }
        defer { close(fd) }
        var modified: Double?
        var size = expectedSize
        if size == nil || modificationTime {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw .system("fstat", path: path, errno: errno) }
            size = size ?? Int(info.st_size)
            #if canImport(Darwin)
                modified = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
            #else
                modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            #endif
        }
        return (try readToEnd(fd, expectedSize: size ?? 0, path: path), modified)
    }

    /// Reads `fd` from where it is to its end. The first read asks for one byte more than
    /// `expectedSize`, so a file of that size costs one read (a short read is its end); a file
    /// that is larger (still being written by another program, or a Maildir name whose `,S=`
    /// undersells it) is read on to its end.
    private static func readToEnd(_ fd: Int32, expectedSize: Int, path: String) throws(StoreError) -> [UInt8] {
        let capacity = max(0, expectedSize) + 1
        var failure: Int32?
        var bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var filled = 0
            while filled < buffer.count, let base = buffer.baseAddress {
                let count = Glibc_read(fd, base + filled, buffer.count - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                filled += count
                if count == 0 || filled < buffer.count { break }
            }
            initialized = filled
        }
        if let failure { throw .system("read", path: path, errno: failure) }
        guard bytes.count == capacity else { return bytes }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65536) { chunk in
            while let base = chunk.baseAddress {
                let count = Glibc_read(fd, base, chunk.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if count == 0 { return }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<count]))
            }
        }
        if let failure { throw .system("read", path: path, errno: failure) }
        return bytes
    }

    /// The size of the file `name` in the open directory `directory` (fstatat(2), no read), or nil
    /// if it no longer exists.
    static func size(in directory: Int32, _ name: String, path: String) throws(StoreError) -> Int? {
        var info = stat()
        guard fstatat(directory, name, &info, 0) == 0 else {
            if errno == ENOENT { return nil }
            throw .system("stat", path: path, errno: errno)
        }
        return Int(info.st_size)
    }

    /// Throws unless the directory can be opened for listing (opendir(3), nothing read).
    static func checkReadable(_ path: String) throws(StoreError) {
        guard let directory = opendir(path) else { throw .system("opendir", path: path, errno: errno) }
        closedir(directory)
    }

    /// The names of the regular files in a directory (not `.`-files), unsorted.
    static func fileNames(in path: String) throws(StoreError) -> [String] {
        try entries(in: path).compactMap { name, type in
            guard type == UInt8(DT_REG) || type == UInt8(DT_UNKNOWN), !name.hasPrefix(".") else { return nil }
            return name
        }
    }

    /// The names of the directories in a directory (`.`-names included, `.` and `..` not), unsorted.
    static func directoryNames(in path: String) throws(StoreError) -> [String] {
        try entries(in: path).compactMap { name, type in
            guard name != ".", name != ".." else { return nil }
            guard type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && isDirectory(path + "/" + name)) else {
                return nil
            }
            return name
        }
    }

    /// True when `path` names a directory (following symbolic links).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Removes a directory and everything in it, as far as it can (what `rm -rf` does).
    static func removeTree(_ path: String) {
        if let names = try? entries(in: path) {
            for (name, _) in names where name != "." && name != ".." {
                let child = path + "/" + name
                if isDirectory(child) { removeTree(child) } else { remove(child) }
            }
        }
        _ = rmdir(path)
    }

    /// Every entry of a directory with its `d_type`, unsorted.
    private static func entries(in path: String) throws(StoreError) -> [(name: String, type: UInt8)] {
        guard let directory = opendir(path) else { throw .system("opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                // strlen and a contiguous buffer: the fast path of String's UTF-8 decoding.
                let length = raw.withMemoryRebound(to: CChar.self) { strnlen($0.baseAddress!, $0.count) }
                return String(decoding: UnsafeRawBufferPointer(rebasing: raw[..<length]), as: UTF8.self)
            }
            entries.append((name, entry.pointee.d_type))
        }
        return entries
    }

    /// Seconds since 1970 of the last modification, or nil if the file is gone.
    static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
            return Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
            return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
    }

    /// Truncates the file at `path` to `length` bytes.
    static func truncate(_ path: String, to length: Int) throws(StoreError) {
        guard Glibc_truncate(path, off_t(length)) == 0 else { throw .system("truncate", path: path, errno: errno) }
    }

    private static func retryingOnInterrupt(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}

// The module-level C functions, named apart from `POSIXFile`'s own `close`, `rename`, `read` and `truncate`.
private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
private func Glibc_rename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func Glibc_truncate(_ path: String, _ length: off_t) -> Int32 { truncate(path, length) }

#if os(Linux)
    /// `sync_file_range(2)`, looked up in libc at run time: the Glibc module does not export it
    /// (it is declared only for `_GNU_SOURCE`).
    private enum SyncFileRange {
        typealias Function = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
        /// `SYNC_FILE_RANGE_WRITE`: start writeback of dirty pages, do not wait.
        static let write: UInt32 = 2
        static let function: Function? = {
            guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "sync_file_range") else { return nil }
            return unsafeBitCast(symbol, to: Function.self)
        }()
    }
#endif
