import LetterboxNet
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Timestamp")
struct TimestampTests {
    @Test(
        "RFC 3339 in UTC for known instants",
        arguments: [
            (0, "1970-01-01T00:00:00Z"),
            (1_700_000_000, "2023-11-14T22:13:20Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
        ])
    func knownInstants(seconds: Int, expected: String) {
        #expect(Timestamp.rfc3339(seconds: seconds) == expected)
    }

    @Test("milliseconds are zero-padded to three digits")
    func milliseconds() {
        #expect(Timestamp.rfc3339(seconds: 0, milliseconds: 5) == "1970-01-01T00:00:00.005Z")
        #expect(Timestamp.rfc3339(seconds: 1_700_000_000, milliseconds: 999) == "2023-11-14T22:13:20.999Z")
        var time = Timestamp.now()
        time.tv_sec = 1_700_000_000
        time.tv_nsec = 123_456_789
        #expect(Timestamp.rfc3339(time) == "2023-11-14T22:13:20.123Z")
    }
}
