/// Shared TLS settings and identity (an OpenSSL `SSL_CTX`): made once, then one ``TLSTransport``
/// per connection.
///
/// Servers offer TLS 1.2 and 1.3 only, ignore a peer that closes without `close_notify`
/// (`SSL_OP_IGNORE_UNEXPECTED_EOF`: mail clients often do), and refuse renegotiation. They keep
/// no session cache and issue no session tickets: mail clients rarely resume, and both cost
/// CPU on every handshake.
/// Safe to share between tasks: the `SSL_CTX` is configured completely before the context is
/// returned and never changed afterwards, which OpenSSL documents as safe for concurrent `SSL_new`.
package final class TLSContext: @unchecked Sendable {
    private let ssl: OpenSSL
    private let context: OpaquePointer
    private let isServer: Bool
    /// The certificate (chain) a server presents, as PEM; nil for a client.
    package let certificatePEM: String?

    private static let setMinimumProtocolVersion: Int32 = 123  // SSL_CTRL_SET_MIN_PROTO_VERSION
    private static let setMode: Int32 = 33  // SSL_CTRL_MODE
    private static let setReadAhead: Int32 = 41  // SSL_CTRL_SET_READ_AHEAD
    private static let addExtraChainCertificate: Int32 = 14  // SSL_CTRL_EXTRA_CHAIN_CERT
    private static let setSessionCacheMode: Int32 = 44  // SSL_CTRL_SET_SESS_CACHE_MODE (SSL_SESS_CACHE_OFF = 0)
    private static let tls12: Int = 0x0303
    private static let ignoreUnexpectedEOF: UInt64 = 1 << 7
    private static let noCompression: UInt64 = 1 << 17
    private static let noRenegotiation: UInt64 = 1 << 30
    private static let serverPreference: UInt64 = 1 << 22
    /// TLS 1.3 suites, the server's order first: AES-128-GCM costs fewer rounds than AES-256-GCM
    /// for the same protection a mail catcher needs.
    private static let tls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
    private static let acceptMovingWriteBuffer = 0x2

    private init(ssl: OpenSSL, context: OpaquePointer, isServer: Bool, certificatePEM: String?) {
        self.ssl = ssl
        self.context = context
        self.isServer = isServer
        self.certificatePEM = certificatePEM
    }

    deinit { ssl.SSL_CTX_free(context) }

    /// A server context presenting `identity`.
    ///
    /// - Throws: ``TLSUnavailable`` without OpenSSL 3; ``TLSError`` naming the problem when the
    ///   certificate or key cannot be read or do not belong together.
    package static func server(_ identity: CertificateAndKey) throws -> TLSContext {
        let ssl = try OpenSSL.shared.get()
        let tls = try make(
            ssl, method: ssl.TLS_server_method(), isServer: true, certificatePEM: identity.certificatePEM)
        _ = ssl.SSL_CTX_ctrl(tls.context, setSessionCacheMode, 0, nil)
        _ = ssl.SSL_CTX_set_num_tickets(tls.context, 0)
        _ = ssl.SSL_CTX_set_options(tls.context, serverPreference)
        _ = ssl.SSL_CTX_set_ciphersuites(tls.context, tls13Suites)
        try tls.use(identity)
        return tls
    }

    /// A client context that does not verify the server (for benchmarks and tests of the server).
    package static func unverifiedClient() throws -> TLSContext {
        let ssl = try OpenSSL.shared.get()
        return try make(ssl, method: ssl.TLS_client_method(), isServer: false, certificatePEM: nil)
    }

    private static func make(
        _ ssl: OpenSSL, method: OpaquePointer?, isServer: Bool, certificatePEM: String?
    ) throws(TLSError) -> TLSContext {
        ssl.clearErrors()
        guard let context = ssl.SSL_CTX_new(method) else { throw TLSError("SSL_CTX_new failed: \(ssl.takeErrors())") }
        let tls = TLSContext(ssl: ssl, context: context, isServer: isServer, certificatePEM: certificatePEM)
        guard ssl.SSL_CTX_ctrl(context, setMinimumProtocolVersion, tls12, nil) == 1 else {
            throw TLSError("cannot require TLS 1.2: \(ssl.takeErrors())")
        }
        _ = ssl.SSL_CTX_set_options(context, ignoreUnexpectedEOF | noCompression | noRenegotiation)
        // A write that must wait is retried from a buffer that may have moved (Swift arrays do).
        // (Not SSL_MODE_RELEASE_BUFFERS: freeing the buffers after every record cost bulk
        // transfers a fifth of their rate; see TLSTransport.releaseBuffers for idle sessions.)
        _ = ssl.SSL_CTX_ctrl(context, setMode, acceptMovingWriteBuffer, nil)
        // Read several records per recv when they are there (fewer system calls in bulk).
        _ = ssl.SSL_CTX_ctrl(context, setReadAhead, 1, nil)
        ssl.SSL_CTX_set_default_read_buffer_len(context, 64 * 1024)
        return tls
    }

    /// Loads the certificate, any intermediates after it, and the private key.
    private func use(_ identity: CertificateAndKey) throws(TLSError) {
        ssl.clearErrors()
        let certificates = try MemoryBIO.reading(ssl, identity.certificatePEM) { bio in
            var certificates: [OpaquePointer] = []
            while let certificate = ssl.PEM_read_bio_X509(bio, nil, nil, nil) { certificates.append(certificate) }
            return certificates
        }
        ssl.clearErrors()  // reading stops at the end of the text with a "no start line" error
        guard let leaf = certificates.first else {
            throw TLSError("the certificate file holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        defer { ssl.X509_free(leaf) }
        guard ssl.SSL_CTX_use_certificate(context, leaf) == 1 else {
            certificates.dropFirst().forEach { ssl.X509_free($0) }
            throw TLSError("the certificate was refused: \(ssl.takeErrors())")
        }
        for intermediate in certificates.dropFirst() {
            // On success the context owns the intermediate.
            if ssl.SSL_CTX_ctrl(context, Self.addExtraChainCertificate, 0, UnsafeMutableRawPointer(intermediate)) != 1 {
                ssl.X509_free(intermediate)
            }
        }
        let key = try MemoryBIO.reading(ssl, identity.privateKeyPEM) { ssl.PEM_read_bio_PrivateKey($0, nil, nil, nil) }
        guard let key else { throw TLSError("the key file holds no readable PEM private key: \(ssl.takeErrors())") }
        defer { ssl.EVP_PKEY_free(key) }
        guard ssl.SSL_CTX_use_PrivateKey(context, key) == 1, ssl.SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError("the private key does not match the certificate: \(ssl.takeErrors())")
        }
    }

    /// A new TLS endpoint for one connection, server or client as this context is, reading the
    /// peer's bytes from `socket` (non-blocking) or, without one, from ``TLSTransport/receive(_:)``.
    package func makeTransport(socket: Int32? = nil) throws(TLSError) -> TLSTransport {
        try TLSTransport(ssl: ssl, context: context, isServer: isServer, socket: socket)
    }
}
