import LetterboxHTTP
import LetterboxStore
import Testing

/// One rule for every number in a request: plain decimal digits (a fraction for `timeout`), and a
/// value too large for its parameter is clamped, never a 400 for its size.
@Suite("numeric request parameters")
struct NumericParameterTests {
    static let huge = "99999999999999999999"

    @Test("a timeout too large for any type waits at most the maximum, like any other large one")
    func hugeTimeoutIsClamped() async throws {
        let router = HTTPRouter(store: try await Fixtures.store())
        // A message matches at once, so no request here waits.
        for value in [Self.huge, String(repeating: "9", count: 400), "301", "400.5"] {
            let response = try await router.get("/messages/wait?subject=news&timeout=\(value)")
            #expect(response.status == .ok, "timeout=\(value.prefix(30)): \(response.bodyText)")
        }
    }

    @Test(
        "a number not written in decimal digits is 400 whatever its size",
        arguments: ["1e9", "1e3", "+5", " 5", "0x10", "1.2.3", ".5"])
    func notDecimalIsRefused(value: String) async throws {
        let response = try await HTTPRouter(store: MemoryStore()).get("/messages/wait?timeout=\(value)")
        #expect(response.status == .badRequest)
    }

    @Test("ids beyond every id match nothing: 404, an empty list; not 400")
    func hugeIdsAreClamped() async throws {
        let router = HTTPRouter(store: try await Fixtures.store())
        #expect(try await router.get("/messages/\(Self.huge)").status == .notFound)
        #expect(try await router.get("/messages/\(Self.huge)/raw").status == .notFound)
        #expect(try await router.get("/faults/\(Self.huge)").status == .notFound)
        let list = try await router.get("/messages?since=\(Self.huge)")
        #expect(list.status == .ok && list.bodyText.isEmpty)
        #expect(try await router.get("/messages/1e3").status == .badRequest)
        #expect(try await router.get("/messages?since=-1").status == .badRequest)
    }
}
