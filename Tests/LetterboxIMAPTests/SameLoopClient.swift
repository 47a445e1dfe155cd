import LetterboxIMAP
import LetterboxNet
import TestSupport

/// A client connection whose other end `server` serves on `loop`: tests that hold one session's
/// work in the middle put a second session on the same loop and check it is still answered.
func served(by server: IMAPServer, on loop: EventLoop) throws -> SameLoopClient {
    let pair = try SocketPair()
    let serverFD = pair.left
    Task(executorPreference: loop) {
        guard let connection = try? Connection(fd: serverFD, loop: loop, idleTimeout: .seconds(60)) else { return }
        await server.serve(connection)
        await connection.close()
    }
    let clientLoop = try EventLoopGroup.shared.get().next()
    return SameLoopClient(
        connection: try Connection(fd: pair.right, loop: clientLoop, idleTimeout: SameLoopClient.idleTimeout))
}

/// The client end of ``served(by:on:)``: lines out, lines in.
struct SameLoopClient {
    /// How long a read waits for the server: long enough that only the answer ends it. On CI's
    /// loaded 2-core machine a task (the session serving it is one) has waited more than 10 s to
    /// run, within reach of the 30 s this was.
    static let idleTimeout = Duration.seconds(120)

    let connection: Connection

    func send(_ line: String) async throws {
        connection.write(line + "\r\n")
        try await connection.flush()
    }

    func line() async throws -> String {
        String(decoding: try await connection.readLine(maxLength: 1 << 20), as: UTF8.self)
    }

    /// The lines up to and including the tagged one.
    func response(tag: String) async throws -> [String] {
        var lines: [String] = []
        repeat { lines.append(try await line()) } while lines.last?.hasPrefix(tag + " ") == false
        return lines
    }

    func close() async { await connection.close() }
}
