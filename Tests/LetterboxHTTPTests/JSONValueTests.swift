import Foundation
import LetterboxHTTP
import Testing

@Suite("JSON encoding")
struct JSONValueTests {
    @Test("output is compact and keeps key order")
    func compactOrdered() {
        let value = JSONValue.object([
            ("z", .int(1)), ("a", .array([.bool(true), .null, .string("x")])), ("m", .object([])),
        ])
        #expect(value.description == #"{"z":1,"a":[true,null,"x"],"m":{}}"#)
    }

    @Test("strings escape quotes, backslashes and control characters (RFC 8259 §7)")
    func escaping() {
        let value = JSONValue.string("q\"b\\n\nr\rt\tc\u{01}\u{1F}é/😀")
        #expect(value.description == #""q\"b\\n\nr\rt\tc\u0001\u001fé/😀""#)
    }

    @Test("Foundation reads back every escaped string unchanged")
    func roundTrip() throws {
        var text = ""
        for scalar in (0..<0x80).compactMap(Unicode.Scalar.init) { text.unicodeScalars.append(scalar) }
        text += "ünïcødé ☃ 😀"
        let decoded = try JSONSerialization.jsonObject(with: Data(JSONValue.array([.string(text)]).encoded()))
        #expect((decoded as? [String])?.first == text)
    }

    @Test("a nil string is null")
    func stringOrNull() {
        #expect(JSONValue.stringOrNull(nil).description == "null")
        #expect(JSONValue.stringOrNull("a").description == #""a""#)
    }
}
