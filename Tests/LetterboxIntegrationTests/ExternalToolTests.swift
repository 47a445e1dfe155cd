import Foundation
import TestSupport
import Testing

/// ``ExternalTool/run(_:_:stdin:)`` hears a program out however much it prints or reads: more
/// than a pipe holds (64 KiB on Linux) must neither leave it blocked on a write nor the test
/// waiting for it. The time limit turns such a hang into a failure.
@Suite(.timeLimit(.minutes(1))) struct ExternalToolTests {
    @Test func takesMoreThanAPipeHoldsFromStdoutAndStderrAlike() async throws {
        let result = try await ExternalTool.run(
            "/bin/sh",
            ["-c", #"head -c 300000 /dev/zero | tr '\0' x; head -c 200000 /dev/zero | tr '\0' y >&2"#])
        #expect(result.status == 0)
        #expect(result.stdout == String(repeating: "x", count: 300_000))
        #expect(result.stderr == String(repeating: "y", count: 200_000))
    }

    @Test func feedsMoreThanAPipeHoldsWhileTakingAsMuchBack() async throws {
        // `cat` prints while it reads: its output must be taken while its input is still written.
        let input = String(repeating: "0123456789abcdef", count: 80 * 1024)  // 1.25 MiB
        let result = try await ExternalTool.run("/bin/cat", [], stdin: input)
        #expect(result.status == 0)
        #expect(result.stdout.utf8.count == input.utf8.count)
        #expect(result.stdout == input)
    }

    @Test func aProgramThatReadsNoneOfItsInputIsStillHeardOut() async throws {
        let result = try await ExternalTool.run(
            "/bin/sh", ["-c", "echo ignored; exit 3"], stdin: String(repeating: "z", count: 1 << 20))
        #expect(result.status == 3)
        #expect(result.stdout == "ignored\n")
    }

    @Test func cancellingTheWaitEndsTheProgram() async throws {
        // What lets the time limit end a test stuck on a program, instead of only reporting it.
        let running = Task { try await ExternalTool.run("/bin/sleep", ["600"]) }
        running.cancel()
        #expect(try await running.value.status == SIGTERM)
    }
}
