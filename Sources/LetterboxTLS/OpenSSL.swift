#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The functions of the system's OpenSSL 3 that Letterbox uses, loaded at run time with `dlopen`
/// (no headers and no link-time dependency: the package builds where OpenSSL is absent).
///
/// Loaded once per process (``shared``). Every member is the address of a C function of a library
/// that stays loaded for the life of the process; OpenSSL 3 functions are safe to call from any
/// thread on objects not shared between threads, hence `Sendable`.
package struct OpenSSL: @unchecked Sendable {
    /// The versioned sonames. Unversioned names are never tried: on macOS `dlopen("libssl.dylib")`
    /// loads Apple's private LibreSSL shim, which aborts the process.
    static let libsslName = "libssl.so.3"
    static let libcryptoName = "libcrypto.so.3"
    /// Test-only: an environment variable naming another libssl file, to exercise the path where
    /// the library is missing.
    static let overrideVariable = "LETTERBOX_TLS_LIBSSL"

    /// The library, or why TLS is unavailable in this process.
    package static let shared: Result<OpenSSL, TLSUnavailable> = {
        let name = getenv(overrideVariable).map { String(cString: $0) } ?? libsslName
        return load(libssl: name, libcrypto: libcryptoName)
    }()

    // libssl
    let TLS_server_method: @convention(c) () -> OpaquePointer?
    let TLS_client_method: @convention(c) () -> OpaquePointer?
    let SSL_CTX_new: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let SSL_CTX_free: @convention(c) (OpaquePointer?) -> Void
    let SSL_CTX_ctrl: @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let SSL_CTX_set_options: @convention(c) (OpaquePointer?, UInt64) -> UInt64
    let SSL_CTX_use_certificate: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    let SSL_CTX_use_PrivateKey: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    let SSL_CTX_check_private_key: @convention(c) (OpaquePointer?) -> Int32
    let SSL_CTX_set_num_tickets: @convention(c) (OpaquePointer?, Int) -> Int32
    let SSL_CTX_set_ciphersuites: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    let SSL_CTX_set_default_read_buffer_len: @convention(c) (OpaquePointer?, Int) -> Void
    let SSL_new: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let SSL_free: @convention(c) (OpaquePointer?) -> Void
    let SSL_set_bio: @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Void
    let SSL_set_accept_state: @convention(c) (OpaquePointer?) -> Void
    let SSL_set_connect_state: @convention(c) (OpaquePointer?) -> Void
    let SSL_do_handshake: @convention(c) (OpaquePointer?) -> Int32
    let SSL_read: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Int32
    let SSL_write: @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int32) -> Int32
    let SSL_shutdown: @convention(c) (OpaquePointer?) -> Int32
    let SSL_free_buffers: @convention(c) (OpaquePointer?) -> Int32
    /// Whether ``SSL_free_buffers`` is safe on this library (``freesBuffersSafely(version:)``).
    let canFreeBuffers: Bool
    let SSL_get_error: @convention(c) (OpaquePointer?, Int32) -> Int32
    let SSL_get_version: @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    let SSL_get_current_cipher: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let SSL_CIPHER_get_name: @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?

    // libcrypto: errors, memory BIOs, PEM
    let ERR_clear_error: @convention(c) () -> Void
    let ERR_get_error: @convention(c) () -> UInt
    let ERR_error_string_n: @convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void
    let BIO_s_mem: @convention(c) () -> OpaquePointer?
    let BIO_new: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let BIO_new_mem_buf: @convention(c) (UnsafeRawPointer?, Int32) -> OpaquePointer?
    let BIO_new_socket: @convention(c) (Int32, Int32) -> OpaquePointer?
    let BIO_free: @convention(c) (OpaquePointer?) -> Int32
    let BIO_read: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Int32
    let BIO_write: @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int32) -> Int32
    let BIO_ctrl_pending: @convention(c) (OpaquePointer?) -> Int
    // libcrypto: a BIO of our own (SocketWriter)
    let BIO_get_new_index: @convention(c) () -> Int32
    let BIO_meth_new: @convention(c) (Int32, UnsafePointer<CChar>?) -> OpaquePointer?
    let BIO_meth_set_write: @convention(c) (OpaquePointer?, SocketWriter.WriteFunction?) -> Int32
    let BIO_meth_set_ctrl: @convention(c) (OpaquePointer?, SocketWriter.ControlFunction?) -> Int32
    let BIO_set_data: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void
    let BIO_get_data: @convention(c) (OpaquePointer?) -> UnsafeMutableRawPointer?
    let BIO_set_init: @convention(c) (OpaquePointer?, Int32) -> Void
    let BIO_set_flags: @convention(c) (OpaquePointer?, Int32) -> Void
    let BIO_clear_flags: @convention(c) (OpaquePointer?, Int32) -> Void
    let PEM_read_bio_X509:
        @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) ->
            OpaquePointer?
    let PEM_read_bio_PrivateKey:
        @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) ->
            OpaquePointer?
    let PEM_write_bio_X509: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    let PEM_write_bio_PrivateKey:
        @convention(c) (
            OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafeMutableRawPointer?, Int32, UnsafeMutableRawPointer?,
            UnsafeMutableRawPointer?
        ) -> Int32
    let X509_free: @convention(c) (OpaquePointer?) -> Void
    let EVP_PKEY_free: @convention(c) (OpaquePointer?) -> Void

    // libcrypto: key and certificate generation
    let EVP_PKEY_CTX_new_from_name:
        @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> OpaquePointer?
    let EVP_PKEY_CTX_free: @convention(c) (OpaquePointer?) -> Void
    let EVP_PKEY_keygen_init: @convention(c) (OpaquePointer?) -> Int32
    let EVP_PKEY_CTX_set_group_name: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    let EVP_PKEY_generate: @convention(c) (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    let EVP_sha256: @convention(c) () -> OpaquePointer?
    let X509_new: @convention(c) () -> OpaquePointer?
    let X509_set_version: @convention(c) (OpaquePointer?, Int) -> Int32
    let X509_get_serialNumber: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let ASN1_INTEGER_set: @convention(c) (OpaquePointer?, Int) -> Int32
    let X509_getm_notBefore: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let X509_getm_notAfter: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let X509_gmtime_adj: @convention(c) (OpaquePointer?, Int) -> OpaquePointer?
    let X509_set_pubkey: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    let X509_get_subject_name: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let X509_set_issuer_name: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    let X509_NAME_add_entry_by_txt:
        @convention(c) (
            OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<UInt8>?, Int32, Int32, Int32
        ) -> Int32
    let X509V3_set_ctx:
        @convention(c) (
            UnsafeMutableRawPointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, Int32
        ) -> Void
    let X509V3_EXT_nconf:
        @convention(c) (
            OpaquePointer?, UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?
        ) -> OpaquePointer?
    let X509_add_ext: @convention(c) (OpaquePointer?, OpaquePointer?, Int32) -> Int32
    let X509_EXTENSION_free: @convention(c) (OpaquePointer?) -> Void
    let X509_sign: @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32

    /// Loads `libssl` and `libcrypto` by file name and resolves every function, or says why not.
    static func load(libssl: String, libcrypto: String) -> Result<OpenSSL, TLSUnavailable> {
        guard let ssl = dlopen(libssl, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(TLSUnavailable(file: libssl, reason: dynamicLinkerError()))
        }
        guard let crypto = dlopen(libcrypto, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(TLSUnavailable(file: libcrypto, reason: dynamicLinkerError()))
        }
        do {
            return .success(
                try OpenSSL(
                    ssl: SymbolTable(handle: ssl, file: libssl), crypto: SymbolTable(handle: crypto, file: libcrypto)))
        } catch {
            return .failure(error)
        }
    }

    /// Whether `SSL_free_buffers` may be called on a session that is waiting for input, given
    /// `OpenSSL_version_num()` (`0xMNN00PP0` for 3.x). Before 3.0.14, 3.1.6, 3.2.2 and 3.3.1 it
    /// frees a buffer that still holds a partly received record, which the next read then uses
    /// (CVE-2024-4741): a peer that sends half a record would make us touch freed memory.
    static func freesBuffersSafely(version: UInt) -> Bool {
        let (major, minor, patch) = (version >> 28, (version >> 20) & 0xFF, (version >> 4) & 0xFF)
        guard major == 3 else { return major > 3 }
        switch minor {
        case 0: return patch >= 14
        case 1: return patch >= 6
        case 2: return patch >= 2
        case 3: return patch >= 1
        default: return true
        }
    }

    private init(ssl: SymbolTable, crypto: SymbolTable) throws(TLSUnavailable) {
        TLS_server_method = try ssl.function("TLS_server_method")
        TLS_client_method = try ssl.function("TLS_client_method")
        SSL_CTX_new = try ssl.function("SSL_CTX_new")
        SSL_CTX_free = try ssl.function("SSL_CTX_free")
        SSL_CTX_ctrl = try ssl.function("SSL_CTX_ctrl")
        SSL_CTX_set_options = try ssl.function("SSL_CTX_set_options")
        SSL_CTX_use_certificate = try ssl.function("SSL_CTX_use_certificate")
        SSL_CTX_use_PrivateKey = try ssl.function("SSL_CTX_use_PrivateKey")
        SSL_CTX_check_private_key = try ssl.function("SSL_CTX_check_private_key")
        SSL_CTX_set_num_tickets = try ssl.function("SSL_CTX_set_num_tickets")
        SSL_CTX_set_ciphersuites = try ssl.function("SSL_CTX_set_ciphersuites")
        SSL_CTX_set_default_read_buffer_len = try ssl.function("SSL_CTX_set_default_read_buffer_len")
        SSL_new = try ssl.function("SSL_new")
        SSL_free = try ssl.function("SSL_free")
        SSL_set_bio = try ssl.function("SSL_set_bio")
        SSL_set_accept_state = try ssl.function("SSL_set_accept_state")
        SSL_set_connect_state = try ssl.function("SSL_set_connect_state")
        SSL_do_handshake = try ssl.function("SSL_do_handshake")
        SSL_read = try ssl.function("SSL_read")
        SSL_write = try ssl.function("SSL_write")
        SSL_shutdown = try ssl.function("SSL_shutdown")
        SSL_free_buffers = try ssl.function("SSL_free_buffers")
        let versionNumber: @convention(c) () -> UInt = try crypto.function("OpenSSL_version_num")
        canFreeBuffers = Self.freesBuffersSafely(version: versionNumber())
        SSL_get_error = try ssl.function("SSL_get_error")
        SSL_get_version = try ssl.function("SSL_get_version")
        SSL_get_current_cipher = try ssl.function("SSL_get_current_cipher")
        SSL_CIPHER_get_name = try ssl.function("SSL_CIPHER_get_name")

        ERR_clear_error = try crypto.function("ERR_clear_error")
        ERR_get_error = try crypto.function("ERR_get_error")
        ERR_error_string_n = try crypto.function("ERR_error_string_n")
        BIO_s_mem = try crypto.function("BIO_s_mem")
        BIO_new = try crypto.function("BIO_new")
        BIO_new_mem_buf = try crypto.function("BIO_new_mem_buf")
        BIO_new_socket = try crypto.function("BIO_new_socket")
        BIO_free = try crypto.function("BIO_free")
        BIO_read = try crypto.function("BIO_read")
        BIO_write = try crypto.function("BIO_write")
        BIO_ctrl_pending = try crypto.function("BIO_ctrl_pending")
        BIO_get_new_index = try crypto.function("BIO_get_new_index")
        BIO_meth_new = try crypto.function("BIO_meth_new")
        BIO_meth_set_write = try crypto.function("BIO_meth_set_write")
        BIO_meth_set_ctrl = try crypto.function("BIO_meth_set_ctrl")
        BIO_set_data = try crypto.function("BIO_set_data")
        BIO_get_data = try crypto.function("BIO_get_data")
        BIO_set_init = try crypto.function("BIO_set_init")
        BIO_set_flags = try crypto.function("BIO_set_flags")
        BIO_clear_flags = try crypto.function("BIO_clear_flags")
        PEM_read_bio_X509 = try crypto.function("PEM_read_bio_X509")
        PEM_read_bio_PrivateKey = try crypto.function("PEM_read_bio_PrivateKey")
        PEM_write_bio_X509 = try crypto.function("PEM_write_bio_X509")
        PEM_write_bio_PrivateKey = try crypto.function("PEM_write_bio_PrivateKey")
        X509_free = try crypto.function("X509_free")
        EVP_PKEY_free = try crypto.function("EVP_PKEY_free")

        EVP_PKEY_CTX_new_from_name = try crypto.function("EVP_PKEY_CTX_new_from_name")
        EVP_PKEY_CTX_free = try crypto.function("EVP_PKEY_CTX_free")
        EVP_PKEY_keygen_init = try crypto.function("EVP_PKEY_keygen_init")
        EVP_PKEY_CTX_set_group_name = try crypto.function("EVP_PKEY_CTX_set_group_name")
        EVP_PKEY_generate = try crypto.function("EVP_PKEY_generate")
        EVP_sha256 = try crypto.function("EVP_sha256")
        X509_new = try crypto.function("X509_new")
        X509_set_version = try crypto.function("X509_set_version")
        X509_get_serialNumber = try crypto.function("X509_get_serialNumber")
        ASN1_INTEGER_set = try crypto.function("ASN1_INTEGER_set")
        X509_getm_notBefore = try crypto.function("X509_getm_notBefore")
        X509_getm_notAfter = try crypto.function("X509_getm_notAfter")
        X509_gmtime_adj = try crypto.function("X509_gmtime_adj")
        X509_set_pubkey = try crypto.function("X509_set_pubkey")
        X509_get_subject_name = try crypto.function("X509_get_subject_name")
        X509_set_issuer_name = try crypto.function("X509_set_issuer_name")
        X509_NAME_add_entry_by_txt = try crypto.function("X509_NAME_add_entry_by_txt")
        X509V3_set_ctx = try crypto.function("X509V3_set_ctx")
        X509V3_EXT_nconf = try crypto.function("X509V3_EXT_nconf")
        X509_add_ext = try crypto.function("X509_add_ext")
        X509_EXTENSION_free = try crypto.function("X509_EXTENSION_free")
        X509_sign = try crypto.function("X509_sign")
    }

    /// Empties this thread's error queue; done before every call whose failure is read from it.
    func clearErrors() { ERR_clear_error() }

    /// Drains this thread's error queue into one line (before any suspension, so the queue read is
    /// the one the failing call filled).
    func takeErrors() -> String {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
    }
}

/// Resolves symbols of one loaded library.
private struct SymbolTable {
    let handle: UnsafeMutableRawPointer
    let file: String

    func function<Function>(_ name: String) throws(TLSUnavailable) -> Function {
        guard let address = dlsym(handle, name) else {
            throw TLSUnavailable(file: file, reason: "missing symbol \(name) (not OpenSSL 3?)")
        }
        return unsafeBitCast(address, to: Function.self)
    }
}

private func dynamicLinkerError() -> String {
    dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
}

/// Why TLS cannot be offered: the OpenSSL 3 library could not be loaded.
package struct TLSUnavailable: Error, Sendable, CustomStringConvertible {
    /// The file that could not be loaded.
    package let file: String
    package let reason: String

    package var description: String {
        "TLS is disabled: \(file) could not be loaded (\(reason)); install OpenSSL 3 (the libssl3 package, "
            + "e.g. apt-get install libssl3) for STARTTLS and implicit TLS. Serving plaintext only."
    }
}
