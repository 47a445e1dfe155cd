/// A certificate and its private key, both PEM text.
package struct CertificateAndKey: Sendable {
    /// `-----BEGIN CERTIFICATE-----` …; may be followed by intermediate certificates.
    package let certificatePEM: String
    /// `-----BEGIN PRIVATE KEY-----` … (or any key PEM OpenSSL reads).
    package let privateKeyPEM: String

    package init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// A new self-signed certificate for local use: EC P-256 key, X.509 v3 signed with SHA-256,
    /// `CN=localhost`, subjectAltName `DNS:localhost, IP:127.0.0.1, IP:::1`, valid from an hour ago
    /// for a year. Made in-process (a few milliseconds); a client can trust exactly this
    /// certificate and verify host names instead of turning verification off.
    ///
    /// - Throws: ``TLSUnavailable`` without OpenSSL 3, ``TLSError`` if OpenSSL refuses a step.
    package static func selfSigned(commonName: String = "localhost") throws -> CertificateAndKey {
        let ssl = try OpenSSL.shared.get()
        ssl.clearErrors()
        func check(_ ok: Bool, _ step: String) throws(TLSError) {
            if !ok { throw TLSError("self-signed certificate: \(step) failed: \(ssl.takeErrors())") }
        }

        let keyContext = ssl.EVP_PKEY_CTX_new_from_name(nil, "EC", nil)
        defer { ssl.EVP_PKEY_CTX_free(keyContext) }
        var key: OpaquePointer?
        try check(keyContext != nil && ssl.EVP_PKEY_keygen_init(keyContext) == 1, "EC key context")
        try check(ssl.EVP_PKEY_CTX_set_group_name(keyContext, "P-256") == 1, "choosing P-256")
        try check(ssl.EVP_PKEY_generate(keyContext, &key) == 1 && key != nil, "EC key generation")
        defer { ssl.EVP_PKEY_free(key) }

        guard let certificate = ssl.X509_new() else { throw TLSError("self-signed certificate: X509_new failed") }
        defer { ssl.X509_free(certificate) }
        try check(ssl.X509_set_version(certificate, 2) == 1, "setting version 3")
        try check(
            ssl.ASN1_INTEGER_set(ssl.X509_get_serialNumber(certificate), Int.random(in: 1...Int.max)) == 1, "serial")
        try check(ssl.X509_gmtime_adj(ssl.X509_getm_notBefore(certificate), -3600) != nil, "notBefore")
        try check(ssl.X509_gmtime_adj(ssl.X509_getm_notAfter(certificate), 365 * 86_400) != nil, "notAfter")
        try check(ssl.X509_set_pubkey(certificate, key) == 1, "public key")
        let name = ssl.X509_get_subject_name(certificate)
        let mbstringASCII: Int32 = 0x1001
        try check(
            ssl.X509_NAME_add_entry_by_txt(name, "CN", mbstringASCII, commonName, -1, -1, 0) == 1, "common name")
        try check(ssl.X509_set_issuer_name(certificate, name) == 1, "issuer")

        // X509V3_CTX is a small struct OpenSSL fills in; 256 zeroed bytes comfortably hold it.
        let extensionContext = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)
        extensionContext.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
        defer { extensionContext.deallocate() }
        ssl.X509V3_set_ctx(extensionContext, certificate, certificate, nil, nil, 0)
        let extensions = [
            ("basicConstraints", "critical,CA:FALSE"),
            ("keyUsage", "critical,digitalSignature"),
            ("extendedKeyUsage", "serverAuth"),
            ("subjectAltName", "DNS:localhost,IP:127.0.0.1,IP:::1"),
            ("subjectKeyIdentifier", "hash"),
            ("authorityKeyIdentifier", "keyid:always"),
        ]
        for (extensionName, value) in extensions {
            let created = ssl.X509V3_EXT_nconf(nil, extensionContext, extensionName, value)
            try check(created != nil, "extension \(extensionName)")
            defer { ssl.X509_EXTENSION_free(created) }
            try check(ssl.X509_add_ext(certificate, created, -1) == 1, "adding \(extensionName)")
        }
        try check(ssl.X509_sign(certificate, key, ssl.EVP_sha256()) > 0, "signing with SHA-256")

        let certificatePEM = try MemoryBIO.text(ssl) { bio in ssl.PEM_write_bio_X509(bio, certificate) == 1 }
        let keyPEM = try MemoryBIO.text(ssl) { bio in
            ssl.PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1
        }
        return CertificateAndKey(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
    }
}

/// Helpers for OpenSSL memory BIOs holding PEM text.
enum MemoryBIO {
    /// Runs `write` against a fresh memory BIO and returns what it wrote.
    static func text(_ ssl: OpenSSL, _ write: (OpaquePointer) -> Bool) throws(TLSError) -> String {
        guard let bio = ssl.BIO_new(ssl.BIO_s_mem()) else { throw TLSError("BIO_new failed") }
        defer { _ = ssl.BIO_free(bio) }
        guard write(bio) else { throw TLSError("writing PEM failed: \(ssl.takeErrors())") }
        let count = ssl.BIO_ctrl_pending(bio)
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = Int(max(0, ssl.BIO_read(bio, buffer.baseAddress, Int32(count))))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `read` against a read-only memory BIO over `text`.
    static func reading<T>(_ ssl: OpenSSL, _ text: String, _ read: (OpaquePointer) -> T) throws(TLSError) -> T {
        var bytes = Array(text.utf8)
        let result: T? = bytes.withUnsafeMutableBytes { raw -> T? in
            guard let bio = ssl.BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { _ = ssl.BIO_free(bio) }
            return read(bio)
        }
        guard let result else { throw TLSError("BIO_new_mem_buf failed") }
        return result
    }
}
