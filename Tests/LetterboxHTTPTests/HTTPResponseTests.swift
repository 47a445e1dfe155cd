import LetterboxHTTP
import Testing

@Suite("Response serialisation")
struct HTTPResponseTests {
    @Test("a text response carries its type and length")
    func text() {
        let wire = HTTPResponse.text("ok\n").serialized()
        #expect(
            String(decoding: wire, as: UTF8.self)
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nok\n")
    }

    @Test("Content-Type defaults to UTF-8 plain text; Content-Length is always computed")
    func defaults() {
        let response = HTTPResponse(status: .ok, headers: ["Content-Length": "999", "X-A": "1"], body: [1, 2])
        #expect(
            String(decoding: response.head(), as: UTF8.self)
                == "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\n")
    }

    @Test("an empty body still announces Content-Length: 0")
    func emptyBody() {
        let text = String(decoding: HTTPResponse(status: .ok).serialized(), as: UTF8.self)
        #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))
    }

    @Test("HEAD gets the header section only, with the length GET would get")
    func head() {
        let response = HTTPResponse.text("hello\n")
        let wire = response.serialized(includingBody: false)
        #expect(wire == response.head())
        #expect(String(decoding: wire, as: UTF8.self).contains("Content-Length: 6\r\n"))
    }

    @Test("the Date field comes right after the status line")
    func date() {
        let text = String(decoding: HTTPResponse.text("").head(date: "Fri, 27 Nov 2026 06:12:13 GMT"), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\nDate: Fri, 27 Nov 2026 06:12:13 GMT\r\n"))
    }

    @Test("an error is one line of plain text ending in a line feed")
    func error() {
        let response = HTTPResponse.error(.notFound, "no such\nthing")
        #expect(response.status == .notFound)
        #expect(response.bodyText == "no such thing\n")
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test("setting a header replaces every field of that name, case-insensitively")
    func headerReplacement() {
        var headers: HTTPHeaders = ["X-A": "1", "Other": "o", "x-a": "2"]
        headers["X-a"] = "3"
        #expect(headers.values(for: "x-A") == ["3"])
        #expect(Array(headers).map(\.name) == ["X-a", "Other"])
        headers["x-a"] = nil
        #expect(headers.count == 1)
    }
}

@Suite("IMF-fixdate")
struct HTTPDateTests {
    @Test("formats seconds since 1970 as RFC 9110 IMF-fixdate")
    func format() {
        #expect(HTTPDate.format(seconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(seconds: 1_795_759_933) == "Fri, 27 Nov 2026 06:12:13 GMT")
    }
}
