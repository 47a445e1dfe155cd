// libFuzzer target: HTTP requests, framed as HTTPServer reads them (lines up to the parser's
// limit, then a body of Content-Length octets), parsed by HTTPRequestParser and answered by
// HTTPRouter over a fresh in-memory store holding FuzzSupport's seed messages. Long polls
// (`/messages/wait`) are parsed but not answered (they would wait for their timeout).
//
// Invariants: every response is a well-formed HTTP/1.1 message (status line, `name: value`
// fields without CR, LF or NUL, Content-Length equal to the body), a refused request gets a 4xx
// or 5xx, and `HTTPRequestParser.parse` agrees with the line-by-line parse.

import LetterboxStore

@testable import LetterboxHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    fuzzBlocking { await runHTTP(raw) }
    return 0
}

private func runHTTP(_ raw: [UInt8]) async {
    let options = FuzzOptions(raw)
    let store = await seededStore()
    let router = HTTPRouter(store: store)
    let limits =
        options.has(1)
        ? HTTPRequestParser.Limits(requestLine: 64, headerCount: 4, headerSection: 256, body: 64)
        : HTTPRequestParser.Limits()
    var connection = FuzzConnection(raw, from: options.start, chunk: options.chunk)
    for _ in 0..<64 {
        var parser = HTTPRequestParser(limits: limits)
        let request: HTTPRequest
        do {
            guard let read = try readRequest(&connection, parser: &parser) else { return }
            request = read
        } catch {
            let response = HTTPResponse.error(error.status, error.reason)
            guard (400...599).contains(response.status.code) else { fuzzFailure("refusal with \(response.status)") }
            checkHTTPResponse(response)
            return  // the server closes after a refused request
        }
        if router.mayWait(request) { continue }
        let response = await router.respond(to: request)
        checkHTTPResponse(response)
        if !request.keepAlive { return }
    }
}

/// Reads one request as `HTTPServer.readRequest` does; nil when the peer closed first.
private func readRequest(_ connection: inout FuzzConnection, parser: inout HTTPRequestParser) throws(HTTPRequestError)
    -> HTTPRequest?
{
    while true {
        let line: [UInt8]
        do {
            guard let read = try connection.readLine(maxLength: parser.lineLimit + 1) else { return nil }
            line = read
        } catch {
            throw parser.lineTooLong
        }
        switch try parser.receive(line: line) {
        case .needLine:
            continue
        case .needBody(let count):
            guard count >= 0 else { fuzzFailure("negative body length") }
            guard let body = connection.readExactly(count) else { return nil }
            return try parser.receive(body: body)
        case .complete(let request):
            return request
        }
    }
}

/// A response on the wire: `HTTP/1.1 ddd reason`, fields, empty line, exactly Content-Length octets.
private func checkHTTPResponse(_ response: HTTPResponse) {
    let wire = response.serialized(date: "Mon, 07 Dec 2026 03:00:00 GMT")
    let head = response.head(date: "Mon, 07 Dec 2026 03:00:00 GMT")
    guard wire.count == head.count + response.body.count else { fuzzFailure("body length") }
    let lines = crlfLines(head, what: "HTTP head")
    guard let status = lines.first, status.starts(with: Array("HTTP/1.1 ".utf8)), status.count >= 12,
        status[status.startIndex + 9..<status.startIndex + 12].allSatisfy({ (0x30...0x39).contains($0) }),
        (100...599).contains(response.status.code)
    else { fuzzFailure("status line \(show(lines.first ?? []))") }
    guard lines.last?.isEmpty == true else { fuzzFailure("head does not end with an empty line") }
    var length: Int?
    for field in lines.dropFirst().dropLast() {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")), colon > field.startIndex,
            field[field.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !field.contains(0)
        else { fuzzFailure("header field \(show(field))") }
        let name = String(decoding: field[..<colon], as: UTF8.self).lowercased()
        if name == "content-length" {
            guard length == nil else { fuzzFailure("two Content-Length fields") }
            length = Int(String(decoding: field[(colon + 1)...], as: UTF8.self).trimmingPrefix(" "))
        }
    }
    guard length == response.body.count else {
        fuzzFailure("Content-Length \(length ?? -1) for \(response.body.count) octets")
    }
}
