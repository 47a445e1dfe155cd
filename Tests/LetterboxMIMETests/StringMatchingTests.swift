import LetterboxText
import Testing

@testable import LetterboxMIME

/// The string helpers that replace Foundation's ICU-backed ones in the server modules.
@Suite("String matching without Foundation")
struct StringMatchingTests {
    @Test("contains ignoring case: full case mapping, canonical equivalence, empty never occurs")
    func containsIgnoringCase() {
        #expect("Welcome to Letterbox".containsIgnoringCase("LETTERBOX"))
        #expect("Straße".containsIgnoringCase("STRASSE"))
        #expect("ÉCOLE".containsIgnoringCase("école"))
        #expect("e\u{301}cole".containsIgnoringCase("É"))
        #expect(!"abc".containsIgnoringCase("abd"))
        #expect(!"abc".containsIgnoringCase(""))
    }

    @Test("equal ignoring case")
    func equalsIgnoringCase() {
        #expect("INBOX".equalsIgnoringCase("inbox"))
        #expect("Ana@Example.com".equalsIgnoringCase("ana@example.COM"))
        #expect(!"\\Seen".equalsIgnoringCase("\\Seen2"))
    }

    @Test("trimming whitespace and chosen scalars at both ends only")
    func trimming() {
        #expect(" \t MAIL FROM:<a@b> \r\n".trimmingWhitespace() == "MAIL FROM:<a@b>")
        #expect("   ".trimmingWhitespace() == "")
        #expect("<<a@b>>".trimming { $0 == "<" || $0 == ">" } == "a@b")
        #expect("a < b".trimming { $0 == "<" } == "a < b")
    }
}
