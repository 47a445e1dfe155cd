import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A deliberately simple blocking SMTP client for load generation: one per thread.
struct BlockingSMTPClient {
    typealias Failure = BlockingClientFailure

    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects, reads the greeting and says EHLO; with a `timeout`, every wait (connect, send,
    /// receive) gives up after that many seconds.
    init(port: Int, timeout: Double? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let timeout { PeerSocket.setTimeout(fd, timeout) }
        guard LoopbackPort.connect(fd, to: port) else {
            let error = errno
            Glibc.close(fd)
            throw Failure(description: "connect to port \(port) failed: errno \(error)")
        }
        do {
            _ = try expect(220)
            try send(Array("EHLO bench\r\n".utf8))
            _ = try expect(250)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    func send(_ bytes: [UInt8]) throws { try BlockingSocket.sendAll(fd, bytes) }

    /// Reads one (possibly multi-line) reply and checks its code.
    mutating func expect(_ code: Int) throws -> String {
        while true {
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                if line.count >= 4, line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
                guard line.hasPrefix(String(code)) else { throw Failure(description: "expected \(code), got \(line)") }
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { throw Failure(description: "connection closed") }
            buffer += chunk[0..<count]
        }
    }

    /// One pipelined transaction; returns the seconds from the end of DATA to the 250.
    mutating func transaction(body: [UInt8]) throws -> Double {
        try send(Array("MAIL FROM:<bench@example.com>\r\nRCPT TO:<sink@example.com>\r\nDATA\r\n".utf8))
        _ = try expect(250)
        _ = try expect(250)
        _ = try expect(354)
        try send(body)
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try expect(250)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func close() {
        _ = try? send(Array("QUIT\r\n".utf8))
        Glibc.close(fd)
    }
}
