/// Turns the lines of one HTTP/1.1 request into an ``HTTPRequest`` (RFC 9112 §2–§6), enforcing limits.
///
/// Does no I/O: a driver reads lines (at most ``lineLimit`` octets, terminator excluded) and feeds
/// them to ``receive(line:)`` until it answers ``Step/complete(_:)`` or asks for a body with
/// ``Step/needBody(_:)``, which the driver reads and passes to ``receive(body:)``. One parser
/// reads one request; make a new one for the next request on the connection.
package struct HTTPRequestParser: Sendable {
    /// Bounds on what a client may send.
    package struct Limits: Sendable, Equatable {
        /// Longest request line in octets (414 beyond it).
        package var requestLine: Int
        /// Most header fields (431 beyond it).
        package var headerCount: Int
        /// Longest header section in octets, line terminators included (431 beyond it).
        package var headerSection: Int
        /// Largest Content-Length accepted (413 beyond it).
        package var body: Int

        /// The defaults: 8 KiB request line, 100 fields, 64 KiB header section, 64 KiB body.
        package init(
            requestLine: Int = 8_192, headerCount: Int = 100, headerSection: Int = 65_536, body: Int = 65_536
        ) {
            self.requestLine = requestLine
            self.headerCount = headerCount
            self.headerSection = headerSection
            self.body = body
        }
    }

    /// What the parser needs next.
    package enum Step: Sendable, Equatable {
        /// Another line.
        case needLine
        /// Exactly this many body octets, to pass to ``HTTPRequestParser/receive(body:)``.
        case needBody(Int)
        /// The request is complete.
        case complete(HTTPRequest)
    }

    private enum State: Equatable { case requestLine, headers, body, done }

    /// The bounds this parser enforces.
    package let limits: Limits
    private var state = State.requestLine
    private var method = ""
    private var target: HTTPRequestTarget?
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders()
    private var headerOctets = 0
    private var skippedEmptyLines = 0
    /// RFC 9112 §2.2: ignore at least one empty line before the request line; a few more are tolerated.
    private static let maxLeadingEmptyLines = 8

    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether no part of a request has arrived yet, so the connection is between requests.
    package var isIdle: Bool { state == .requestLine && skippedEmptyLines == 0 }

    /// Whether the header section so far carries `Expect: 100-continue` (RFC 9110 §10.1.1).
    package var expectsContinue: Bool { headers.tokens(for: "Expect").contains("100-continue") }

    /// The longest next line accepted, in octets without its terminator.
    package var lineLimit: Int {
        state == .requestLine ? limits.requestLine : max(0, limits.headerSection - headerOctets)
    }

    /// The error for a line longer than ``lineLimit``: 414 for the request line, 431 for a header.
    package var lineTooLong: HTTPRequestError {
        state == .requestLine
            ? .requestLineTooLong(limit: limits.requestLine) : .headerSectionTooLarge(limit: limits.headerSection)
    }

    /// Consumes one line (without CRLF).
    ///
    /// - Throws: ``HTTPRequestError`` for malformed syntax (400), a line or header section over
    ///   the limits (414, 431), a transfer coding (411 for chunked, 501 otherwise), a body over the
    ///   limit (413), or a version other than HTTP/1.x (505).
    package mutating func receive(line: [UInt8]) throws(HTTPRequestError) -> Step {
        guard line.count <= lineLimit else { throw lineTooLong }
        switch state {
        case .requestLine:
            if line.isEmpty {
                skippedEmptyLines += 1
                guard skippedEmptyLines <= Self.maxLeadingEmptyLines else {
                    throw .badRequest("too many empty lines before the request line")
                }
                return .needLine
            }
            try parseRequestLine(line)
            state = .headers
            return .needLine
        case .headers:
            if line.isEmpty { return try endOfHeaders() }
            headerOctets += line.count + 2
            guard headerOctets <= limits.headerSection else {
                throw .headerSectionTooLarge(limit: limits.headerSection)
            }
            guard headers.count < limits.headerCount else { throw .tooManyHeaders(limit: limits.headerCount) }
            try parseHeaderLine(line)
            return .needLine
        case .body, .done:
            throw .badRequest("request already complete")
        }
    }

    /// Consumes the body that ``Step/needBody(_:)`` asked for and returns the complete request.
    package mutating func receive(body: [UInt8]) throws(HTTPRequestError) -> HTTPRequest {
        guard state == .body else { throw .badRequest("no request body expected") }
        return try complete(body: body)
    }

    // MARK: Request line (RFC 9112 §3)

    private mutating func parseRequestLine(_ line: [UInt8]) throws(HTTPRequestError) {
        guard line.allSatisfy({ $0 == UInt8(ascii: " ") || (0x21...0x7E).contains($0) }) else {
            throw .badRequest("request line contains control or non-ASCII characters")
        }
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .badRequest("request line must be \"METHOD /path HTTP/1.1\"")
        }
        guard parts[0].utf8.allSatisfy(\.isTokenCharacter) else {
            throw .badRequest("invalid method \"\(parts[0])\"")
        }
        guard let version = HTTPVersion(parsing: parts[2]) else {
            throw .badRequest("invalid protocol version \"\(parts[2])\"; expected HTTP/1.1")
        }
        guard version.major == 1 else { throw .unsupportedVersion(version) }
        method = String(parts[0])
        target = try HTTPRequestTarget(parsing: String(parts[1]))
        self.version = version
    }

    // MARK: Header fields (RFC 9112 §5)

    private mutating func parseHeaderLine(_ line: [UInt8]) throws(HTTPRequestError) {
        if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
            throw .badRequest("obsolete header line folding is not accepted")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw .badRequest("header line without a colon")
        }
        let name = line[..<colon]
        // RFC 9112 §5.1: no whitespace between the field name and the colon.
        guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter) else {
            throw .badRequest("invalid header field name \"\(String(decoding: name, as: UTF8.self))\"")
        }
        let value = line[(colon + 1)...]
        guard value.allSatisfy({ $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw .badRequest("header field \(String(decoding: name, as: UTF8.self)) contains control characters")
        }
        headers.add(
            name: String(decoding: name, as: UTF8.self),
            value: String(decoding: value, as: UTF8.self).trimmingHTTPWhitespace())
    }

    // MARK: Message body length (RFC 9112 §6)

    private mutating func endOfHeaders() throws(HTTPRequestError) -> Step {
        let codings = headers.tokens(for: "Transfer-Encoding")
        if let unsupported = codings.first(where: { $0 != "chunked" }) {
            throw .unsupportedTransferCoding(unsupported)
        }
        if !codings.isEmpty { throw .chunkedBody }

        let lengths = headers.values(for: "Content-Length").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingHTTPWhitespace() }
        guard let declared = lengths.first else { return .complete(try complete(body: [])) }
        // RFC 9110 §8.6: a list of identical values may be taken as one; anything else is an error.
        guard lengths.allSatisfy({ $0 == declared }), !declared.isEmpty,
            declared.utf8.allSatisfy({ $0.asciiDigitValue != nil })
        else { throw .badRequest("invalid Content-Length") }
        guard let length = Int(declared), length <= limits.body else {
            throw .bodyTooLarge(declared: declared, limit: limits.body)
        }
        guard length > 0 else { return .complete(try complete(body: [])) }
        state = .body
        return .needBody(length)
    }

    private mutating func complete(body: [UInt8]) throws(HTTPRequestError) -> HTTPRequest {
        guard let target else { throw .badRequest("request line missing") }
        state = .done
        return HTTPRequest(method: method, target: target, version: version, headers: headers, body: body)
    }
}

extension HTTPRequestParser {
    /// Parses a request held entirely in memory (lines end in CRLF or a bare LF).
    ///
    /// - Returns: the request, or nil if `bytes` end before it is complete.
    /// - Throws: ``HTTPRequestError`` as ``receive(line:)`` does.
    package static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(HTTPRequestError) -> HTTPRequest? {
        var parser = HTTPRequestParser(limits: limits)
        var start = 0
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = Array(bytes[start..<end])
            start = newline + 1
            switch try parser.receive(line: line) {
            case .needLine:
                continue
            case .needBody(let count):
                guard bytes.count - start >= count else { return nil }
                return try parser.receive(body: Array(bytes[start..<start + count]))
            case .complete(let request):
                return request
            }
        }
        return nil
    }
}

extension UInt8 {
    /// Whether the byte may appear in a token such as a method or field name (RFC 9110 §5.6.2).
    var isTokenCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
