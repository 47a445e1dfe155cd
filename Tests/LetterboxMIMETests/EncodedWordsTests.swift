import LetterboxMIME
import Testing

@Suite("RFC 2047 encoded words")
struct EncodedWordsTests {
    @Test("B encoding")
    func base64Word() {
        #expect(EncodedWords.decode("=?UTF-8?B?w4lsw6huZQ==?=") == "Élène")
    }

    @Test("Q encoding: underscores are spaces, hex in either case")
    func quotedWord() {
        #expect(EncodedWords.decode("=?utf-8?q?caf=C3=A9_cr=c3=a8me?=") == "café crème")
    }

    @Test("charset and encoding letter are case-insensitive")
    func caseInsensitive() {
        #expect(EncodedWords.decode("=?uTf-8?b?w6k=?= =?UTF-8?Q?=C3=A9?=") == "éé")
    }

    @Test("whitespace between adjacent encoded words is dropped (§6.2), kept next to plain text")
    func adjacentWords() {
        #expect(EncodedWords.decode("=?utf-8?q?Hello,?=  \t =?utf-8?q?_world?=") == "Hello, world")
        #expect(EncodedWords.decode("Re: =?utf-8?q?caf=C3=A9?= time") == "Re: café time")
        #expect(EncodedWords.decode("=?utf-8?q?a?= b =?utf-8?q?c?=") == "a b c")
    }

    @Test("a character split across two words of the same charset is rejoined")
    func splitCharacter() {
        // "€" is E2 82 AC; the encoder cut it after the first byte.
        #expect(EncodedWords.decode("=?utf-8?Q?price_=E2?= =?utf-8?Q?=82=AC5?=") == "price €5")
    }

    @Test("ISO-8859-1 and Windows-1252")
    func latinCharsets() {
        #expect(EncodedWords.decode("=?ISO-8859-1?Q?Fran=E7ois_M=FCller?=") == "François Müller")
        #expect(EncodedWords.decode("=?windows-1252?Q?=93quoted=94_=80?=") == "“quoted” €")
        #expect(EncodedWords.decode("=?iso-8859-15?q?=A4?=") == "€")
    }

    @Test("RFC 2231 language suffix is ignored")
    func languageSuffix() {
        #expect(EncodedWords.decode("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore")
    }

    @Test("an unknown charset falls back to UTF-8 when valid, else Latin-1")
    func unknownCharset() {
        #expect(EncodedWords.decode("=?x-unknown?Q?caf=C3=A9?=") == "café")
        #expect(EncodedWords.decode("=?x-unknown?Q?caf=E9?=") == "café")
    }

    @Test("malformed words are left as written")
    func malformed() {
        for value in [
            "=?utf-8?B?not base64!!?=",
            "=?utf-8?X?abc?=",
            "=?utf-8?Q?unterminated",
            "=??Q?no_charset?=",
            "=?utf-8?Q?",
            "=?",
            "plain = text ?= with marks",
        ] {
            #expect(EncodedWords.decode(value) == value)
        }
    }

    @Test("invalid UTF-8 in a word becomes replacement characters, not a failure")
    func invalidBytes() {
        #expect(EncodedWords.decode("=?utf-8?Q?a=FFb?=") == "a\u{FFFD}b")
    }

    @Test("text without encoded words is returned unchanged")
    func passthrough() {
        #expect(EncodedWords.decode("") == "")
        #expect(EncodedWords.decode("Olá, plain UTF-8 subject") == "Olá, plain UTF-8 subject")
    }
}
