import LetterboxNet
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("NetError")
struct NetErrorTests {
    @Test("errors compare by reason; system errors say which call failed and why")
    func equalityAndDetail() {
        #expect(NetError.closed != NetError.idleTimeout)
        let reset = NetError.system("recv", errno: ECONNRESET)
        #expect(reset == NetError.system("send", errno: EPIPE))
        #expect(reset.description.hasPrefix("recv failed: "))
        #expect(reset.description.hasSuffix("(errno \(ECONNRESET))"))
    }
}
