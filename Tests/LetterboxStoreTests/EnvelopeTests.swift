import LetterboxStore
import Testing

@Suite("Envelope")
struct EnvelopeTests {
    @Test("a TLS session is a value: equal by its names, hashed by them, and a changed copy leaves the original")
    func tlsSessionIsAValue() {
        let original = Envelope.TLS(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256")
        var changed = original
        changed.cipher = "TLS_AES_256_GCM_SHA384"
        #expect(original.cipher == "TLS_AES_128_GCM_SHA256")
        #expect(changed.cipher == "TLS_AES_256_GCM_SHA384" && changed.version == "TLSv1.3")
        #expect(changed != original)

        let twin = Envelope.TLS(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256")
        #expect(twin == original)
        #expect(Set([original, twin, changed]).count == 2)
        changed.version = "TLSv1.2"
        #expect(changed.version == "TLSv1.2" && changed.cipher == "TLS_AES_256_GCM_SHA384")

        let plain = Envelope(sender: "a@example.com", recipients: ["b@example.com"])
        var secured = plain
        secured.tls = original
        #expect(plain != secured)
        #expect(secured.tls == twin)
    }
}
