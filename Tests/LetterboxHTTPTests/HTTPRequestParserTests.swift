import Foundation
import LetterboxHTTP
import Testing

/// Parses `text` (LF line breaks become CRLF) as one complete request.
private func parse(_ text: String, limits: HTTPRequestParser.Limits = .init()) throws -> HTTPRequest? {
    try HTTPRequestParser.parse(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8), limits: limits)
}

/// The error parsing `text` throws, or nil.
private func parseError(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPRequestError? {
    do {
        _ = try parse(text, limits: limits)
        return nil
    } catch let error as HTTPRequestError {
        return error
    } catch {
        return nil
    }
}

@Suite("Request parsing")
struct HTTPRequestParserTests {
    @Test("a GET with headers becomes method, path, query, version and fields")
    func validRequest() throws {
        let request = try #require(
            try parse(
                "GET /messages?to=ana%40example.com HTTP/1.1\nHost: localhost:8025\nAccept:  application/json \n\n"))
        #expect(request.method == "GET")
        #expect(request.path == "/messages")
        #expect(request.target.pathSegments == ["messages"])
        #expect(request.query("to") == "ana@example.com")
        #expect(request.version == .http1_1)
        #expect(request.headers["host"] == "localhost:8025")
        #expect(request.headers["Accept"] == "application/json")
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
    }

    @Test("bare LF line endings and one leading empty line are accepted")
    func lenientFraming() throws {
        let bytes = Array("\r\nGET /healthz HTTP/1.1\nHost: x\n\n".utf8)
        let request = try #require(try HTTPRequestParser.parse(bytes))
        #expect(request.path == "/healthz")
    }

    @Test("a Content-Length body is read exactly")
    func body() throws {
        let request = try #require(try parse("DELETE /messages HTTP/1.1\nContent-Length: 5\n\nhello"))
        #expect(request.body == Array("hello".utf8))
    }

    @Test("a request cut short is incomplete, not an error")
    func incomplete() throws {
        #expect(try parse("GET /messages HTTP/1.1\nHost: x\n") == nil)
        #expect(try parse("POST /x HTTP/1.1\nContent-Length: 10\n\nshort") == nil)
    }

    @Test("the parser asks for exactly the body length")
    func stepwise() throws {
        var parser = HTTPRequestParser()
        #expect(parser.isIdle)
        #expect(try parser.receive(line: Array("PUT /x HTTP/1.1".utf8)) == .needLine)
        #expect(!parser.isIdle)
        #expect(try parser.receive(line: Array("Content-Length: 3".utf8)) == .needLine)
        #expect(try parser.receive(line: []) == .needBody(3))
        let request = try parser.receive(body: [1, 2, 3])
        #expect(request.body == [1, 2, 3])
    }

    @Test(
        "keep-alive: HTTP/1.1 by default unless Connection: close; HTTP/1.0 only with keep-alive",
        arguments: [
            ("HTTP/1.1", nil, true),
            ("HTTP/1.1", "close", false),
            ("HTTP/1.1", "Keep-Alive, Close", false),
            ("HTTP/1.1", "keep-alive", true),
            ("HTTP/1.0", nil, false),
            ("HTTP/1.0", "keep-alive", true),
            ("HTTP/1.0", "Keep-Alive", true),
        ] as [(String, String?, Bool)])
    func keepAlive(version: String, connection: String?, expected: Bool) throws {
        let field = connection.map { "Connection: \($0)\n" } ?? ""
        let request = try #require(try parse("GET / \(version)\n\(field)\n"))
        #expect(request.keepAlive == expected)
    }

    @Test("path segments and query items are percent-decoded; + is a space only in the query")
    func percentDecoding() throws {
        let request = try #require(
            try parse("GET /a+b/caf%C3%A9/x%2Fy?subject=Hello+World%21&to=a%2Bb%40x.org&flag HTTP/1.1\n\n"))
        #expect(request.path == "/a+b/café/x/y")
        #expect(request.target.pathSegments == ["a+b", "café", "x/y"])
        #expect(request.query("subject") == "Hello World!")
        #expect(request.query("to") == "a+b@x.org")
        #expect(request.query("flag") == "")
        #expect(request.query("missing") == nil)
    }

    @Test("a trailing slash adds no segment; an absolute-form target is reduced to its path")
    func targetForms() throws {
        #expect(try HTTPRequestTarget(parsing: "/messages/").pathSegments == ["messages"])
        #expect(try HTTPRequestTarget(parsing: "/").pathSegments == [])
        let absolute = try HTTPRequestTarget(parsing: "http://localhost:8025/messages?to=ana")
        #expect(absolute.path == "/messages")
        #expect(absolute.query("to") == "ana")
    }

    @Test(
        "malformed requests are refused with 400 and a reason",
        arguments: [
            ("GARBAGE\n\n", "request line must be \"METHOD /path HTTP/1.1\""),
            ("GET  /x HTTP/1.1\n\n", "request line must be \"METHOD /path HTTP/1.1\""),
            ("GET /x HTTP/1.1 extra\n\n", "request line must be \"METHOD /path HTTP/1.1\""),
            ("G(T /x HTTP/1.1\n\n", "invalid method \"G(T\""),
            ("GET /x HTTP/one\n\n", "invalid protocol version \"HTTP/one\"; expected HTTP/1.1"),
            ("GET messages HTTP/1.1\n\n", "request target must be a path such as /messages, got \"messages\""),
            ("GET /x%G1 HTTP/1.1\n\n", "invalid percent-encoding in path"),
            ("GET /x?a=%4 HTTP/1.1\n\n", "invalid percent-encoding in query"),
            ("GET /x%FF HTTP/1.1\n\n", "path is not valid UTF-8 after percent-decoding"),
            ("GET /x HTTP/1.1\nHost : x\n\n", "invalid header field name \"Host \""),
            ("GET /x HTTP/1.1\nNo colon here\n\n", "header line without a colon"),
            ("GET /x HTTP/1.1\nX-A: 1\n  continued\n\n", "obsolete header line folding is not accepted"),
            ("POST /x HTTP/1.1\nContent-Length: ten\n\n", "invalid Content-Length"),
            ("POST /x HTTP/1.1\nContent-Length: 5\nContent-Length: 6\n\n", "invalid Content-Length"),
        ])
    func badRequests(text: String, reason: String) {
        let error = parseError(text)
        #expect(error?.status == .badRequest)
        #expect(error?.reason == reason)
    }

    @Test("control characters in the request line or a header value are refused")
    func controlCharacters() {
        #expect(parseError("GET /x\u{01} HTTP/1.1\n\n")?.status == .badRequest)
        #expect(parseError("GET /x HTTP/1.1\nX-A: a\u{00}b\n\n")?.status == .badRequest)
    }

    @Test("identical repeated Content-Length values count as one")
    func repeatedContentLength() throws {
        let request = try #require(try parse("POST /x HTTP/1.1\nContent-Length: 2, 2\n\nok"))
        #expect(request.body == Array("ok".utf8))
    }

    @Test("a request line over 8 KiB is 414")
    func requestLineTooLong() {
        let error = parseError("GET /\(String(repeating: "a", count: 8_192)) HTTP/1.1\n\n")
        #expect(error == .requestLineTooLong(limit: 8_192))
        #expect(error?.status.code == 414)
    }

    @Test("more than 100 header fields is 431")
    func tooManyHeaders() {
        let fields = (0...100).map { "X-\($0): v\n" }.joined()
        #expect(parseError("GET / HTTP/1.1\n\(fields)\n") == .tooManyHeaders(limit: 100))
        let exactly100 = (0..<100).map { "X-\($0): v\n" }.joined()
        #expect(parseError("GET / HTTP/1.1\n\(exactly100)\n") == nil)
    }

    @Test("a header section over 64 KiB is 431")
    func headerSectionTooLarge() {
        let big = String(repeating: "b", count: 40_000)
        let error = parseError("GET / HTTP/1.1\nX-A: \(big)\nX-B: \(big)\n\n")
        #expect(error == .headerSectionTooLarge(limit: 65_536))
        #expect(error?.status.code == 431)
    }

    @Test("a body over 64 KiB is 413")
    func bodyTooLarge() {
        let error = parseError("POST /x HTTP/1.1\nContent-Length: 65537\n\n")
        #expect(error?.status == .contentTooLarge)
        #expect(error?.reason == "request body of 65537 octets exceeds 65536 octets")
        #expect(parseError("POST /x HTTP/1.1\nContent-Length: 99999999999999999999999\n\n")?.status == .contentTooLarge)
    }

    @Test("chunked request bodies are refused with 411; other transfer codings with 501")
    func transferEncoding() {
        let chunked = parseError("POST /x HTTP/1.1\nTransfer-Encoding: chunked\n\n")
        #expect(chunked?.status == .lengthRequired)
        #expect(chunked?.reason == "chunked request bodies are not supported; send Content-Length")
        let gzip = parseError("POST /x HTTP/1.1\nTransfer-Encoding: gzip, chunked\n\n")
        #expect(gzip?.status == .notImplemented)
        #expect(gzip?.reason == "transfer coding \"gzip\" is not supported")
    }

    @Test("HTTP/2.0 in a request line is 505")
    func unsupportedVersion() {
        #expect(parseError("GET / HTTP/2.0\n\n")?.status == .httpVersionNotSupported)
    }

    @Test("custom limits apply")
    func customLimits() {
        let limits = HTTPRequestParser.Limits(requestLine: 20, headerCount: 1, headerSection: 100, body: 4)
        #expect(parseError("GET /0123456789012345 HTTP/1.1\n\n", limits: limits)?.status == .uriTooLong)
        #expect(parseError("GET / HTTP/1.1\nA: 1\nB: 2\n\n", limits: limits) == .tooManyHeaders(limit: 1))
        #expect(parseError("POST / HTTP/1.1\nContent-Length: 5\n\n", limits: limits)?.status == .contentTooLarge)
    }
}
