import Foundation
import LetterboxNet
import TestSupport
import Testing

@testable import LetterboxTLS

/// TLS without sockets: a server and a client transport pumping bytes into each other.
@Suite struct TLSTransportTests {
    /// Skips (with the reason) where libssl.so.3 is missing; the missing-library path has its own test.
    static var available: Bool { (try? OpenSSL.shared.get()) != nil }
    /// Whether the TLS tests run: libssl loads, or CI requires it (then its absence fails them).
    static var runnable: Bool { available || ThirdPartyProgram.isRequired }

    /// Moves output between the two until both handshakes are complete.
    private func handshake(_ server: TLSTransport, _ client: TLSTransport) throws {
        var serverDone = false
        var clientDone = false
        for _ in 0..<10 where !(serverDone && clientDone) {
            clientDone = try client.handshake() == nil || clientDone
            try pump(client, to: server)
            serverDone = try server.handshake() == nil || serverDone
            try pump(server, to: client)
        }
        #expect(serverDone && clientDone)
    }

    private func pump(_ from: TLSTransport, to: TLSTransport) throws {
        let bytes = from.takeOutput()
        try bytes.withUnsafeBytes { try to.receive($0) }
    }

    /// Decodes what `transport` holds into `plaintext` (through a small buffer, so a record may
    /// arrive in parts); false when it needs more input.
    private func decode(_ transport: TLSTransport, into plaintext: inout [UInt8]) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 5000)
        let progress = try buffer.withUnsafeMutableBytes { try transport.decode(into: $0) }
        guard case .moved(let count) = progress else { return false }
        plaintext += buffer[..<count]
        return true
    }

    /// Encodes all of `plaintext` (a transport without a socket never waits to write).
    private func encode(_ transport: TLSTransport, _ plaintext: [UInt8]) throws {
        let progress = try plaintext.withUnsafeBytes { try transport.encode($0) }
        #expect(progress == .moved(plaintext.count))
    }

    private func pair() throws -> (server: TLSTransport, client: TLSTransport, pem: String) {
        let identity = try CertificateAndKey.selfSigned()
        let server = try TLSContext.server(identity).makeTransport()
        let client = try TLSContext.unverifiedClient().makeTransport()
        return (server, client, identity.certificatePEM)
    }

    @Test("buffers are given back only on OpenSSL versions where a partly received record survives it (CVE-2024-4741)")
    func freeingBuffersFollowsTheFixedVersions() {
        let version = { (major: UInt, minor: UInt, patch: UInt) in major << 28 | minor << 20 | patch << 4 }
        for (minor, firstFixed) in [(0, 14), (1, 6), (2, 2), (3, 1)] as [(UInt, UInt)] {
            #expect(
                !OpenSSL.freesBuffersSafely(version: version(3, minor, firstFixed - 1)), "3.\(minor).\(firstFixed - 1)")
            #expect(OpenSSL.freesBuffersSafely(version: version(3, minor, firstFixed)), "3.\(minor).\(firstFixed)")
        }
        #expect(OpenSSL.freesBuffersSafely(version: version(3, 4, 0)))
        #expect(!OpenSSL.freesBuffersSafely(version: 0x1010_117f))  // 1.1.1w
    }

    @Test(
        "a record received in two halves, with the buffers given back in between, is decoded whole",
        .enabled(if: runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func buffersGivenBackInsideARecord() throws {
        let (server, client, _) = try pair()
        try handshake(server, client)
        try encode(client, Array("NOOP\r\n".utf8))
        let record = client.takeOutput()
        var buffer = [UInt8](repeating: 0, count: 5000)
        try record[..<(record.count / 2)].withUnsafeBytes { try server.receive($0) }
        #expect(try buffer.withUnsafeMutableBytes { try server.decode(into: $0) } == .blocked(.readable))
        server.releaseBuffers()  // what a connection does while it waits for the rest of a command
        try record[(record.count / 2)...].withUnsafeBytes { try server.receive($0) }
        #expect(try buffer.withUnsafeMutableBytes { try server.decode(into: $0) } == .moved(6))
        #expect(Array(buffer[..<6]) == Array("NOOP\r\n".utf8))
    }

    @Test(
        "plaintext decoded before a broken record is delivered; the failure comes with the next read",
        .enabled(if: runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func plaintextBeforeAFailureIsKept() throws {
        let (server, client, _) = try pair()
        try handshake(server, client)
        try encode(client, Array("QUIT\r\n".utf8))
        // The client's record, then a record header announcing application data and garbage.
        let record = client.takeOutput() + [0x17, 0x03, 0x03, 0x00, 0x20] + Array(repeating: 0x55, count: 32)
        try record.withUnsafeBytes { try server.receive($0) }
        var buffer = [UInt8](repeating: 0, count: 5000)
        let progress = try buffer.withUnsafeMutableBytes { try server.decode(into: $0) }
        #expect(progress == .moved(6))
        #expect(Array(buffer[..<6]) == Array("QUIT\r\n".utf8))
        #expect(throws: NetError.self) { try buffer.withUnsafeMutableBytes { try server.decode(into: $0) } }
    }

    @Test(.enabled(if: runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func handshakeNegotiatesTLS13AndCarriesBytesBothWays() throws {
        let (server, client, _) = try pair()
        try handshake(server, client)
        #expect(server.protocolVersion == "TLSv1.3")
        #expect(server.cipher?.hasPrefix("TLS_") == true)

        let message = Array(repeating: UInt8(ascii: "x"), count: 200_000) + Array("end\r\n".utf8)
        try encode(client, message)
        try pump(client, to: server)
        var received: [UInt8] = []
        while try decode(server, into: &received) {}
        #expect(received == message)

        try encode(server, Array("250 ok\r\n".utf8))
        try pump(server, to: client)
        var reply: [UInt8] = []
        _ = try decode(client, into: &reply)
        #expect(reply == Array("250 ok\r\n".utf8))
    }

    @Test(.enabled(if: runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func closeNotifyEndsTheStream() throws {
        let (server, client, _) = try pair()
        try handshake(server, client)
        #expect(client.close() == nil)
        try pump(client, to: server)
        var received: [UInt8] = []
        #expect(throws: NetError.closed) { try decode(server, into: &received) }
    }

    @Test(.enabled(if: runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func garbageInsteadOfClientHelloFailsTheHandshakeWithAReason() throws {
        let (server, _, _) = try pair()
        try Array("EHLO plaintext\r\nMAIL FROM:<a@b>\r\n".utf8).withUnsafeBytes { try server.receive($0) }
        do {
            _ = try server.handshake()
            Issue.record("a handshake over plaintext succeeded")
        } catch {
            #expect(error.description.contains("TLS handshake failed"))
        }
        // Every later use fails too, instead of touching a broken session.
        var sink: [UInt8] = []
        #expect(throws: NetError.self) { try decode(server, into: &sink) }
    }

    @Test(.enabled(if: runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func wrongKeyForCertificateIsRefused() throws {
        let one = try CertificateAndKey.selfSigned()
        let other = try CertificateAndKey.selfSigned()
        #expect(throws: TLSError.self) {
            try TLSContext.server(
                CertificateAndKey(certificatePEM: one.certificatePEM, privateKeyPEM: other.privateKeyPEM))
        }
        #expect(throws: TLSError.self) {
            try TLSContext.server(CertificateAndKey(certificatePEM: "not pem", privateKeyPEM: one.privateKeyPEM))
        }
    }

    @Test func missingLibraryNamesTheFileAndThePackage() {
        let result = OpenSSL.load(libssl: "libletterbox-missing.so.3", libcrypto: OpenSSL.libcryptoName)
        guard case .failure(let unavailable) = result else {
            Issue.record("loading a missing library succeeded")
            return
        }
        #expect(unavailable.file == "libletterbox-missing.so.3")
        #expect(unavailable.description.contains("libletterbox-missing.so.3"))
        #expect(unavailable.description.contains("libssl3"))
    }
}
