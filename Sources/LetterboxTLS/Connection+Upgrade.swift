package import LetterboxNet

extension Connection {
    /// Accepts an in-band upgrade to TLS the same way for every protocol: STARTTLS (SMTP,
    /// RFC 3207 §4; IMAP, RFC 3501 §6.2.1) and STLS (POP3, RFC 2595 §4). Sends `goAhead` in
    /// plaintext, discards whatever the client sent after the command (CVE-2011-0411), and completes
    /// the handshake before the caller reads the next command.
    ///
    /// Sessions offer the upgrade only when their server has a context. Should `context` be nil
    /// anyway, the go-ahead is not sent (the client would start a handshake nobody answers) and the
    /// call throws.
    ///
    /// - Throws: ``NetError`` when there is no context, or the handshake fails, times out, or the
    ///   peer leaves; the connection should then be closed.
    package func upgrade(with context: TLSContext?, goAhead: String, transcript: Transcript) async throws {
        guard let context else { throw NetError.transport("STARTTLS accepted without a TLS context") }
        transcript.sent(goAhead)
        write(goAhead)
        try await startTLS(context)
        transcript.note("TLS started: \(tls?.protocolVersion ?? "?") \(tls?.cipher ?? "?")")
    }
}
