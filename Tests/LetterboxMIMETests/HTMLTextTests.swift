import Testing

@testable import LetterboxMIME

@Suite("HTML to readable text")
struct HTMLTextTests {
    @Test("tags are stripped and whitespace collapses as in a browser")
    func stripping() {
        #expect(HTMLText.render("<b>bold</b>and <i>italic</i>\n   text") == "boldand italic text")
    }

    @Test("script, style and title content is dropped, even unterminated")
    func hiddenContent() {
        #expect(HTMLText.render("<style>p{}</style><script type='x'>if (a < b) {}</script>shown") == "shown")
        #expect(HTMLText.render("shown<SCRIPT>never") == "shown")
    }

    @Test("block elements and <br> become line breaks, blank runs collapse")
    func blocks() {
        #expect(
            HTMLText.render("<div>a</div><div>b</div>c<br/>d<p>e</p><p></p><p></p><p>f</p>")
                == "a\nb\nc\nd\n\ne\n\nf")
        #expect(HTMLText.render("<ul><li>one</li><li>two</li></ul>") == "one\ntwo")
        #expect(HTMLText.render("<table><tr><td>1</td><td>2</td></tr></table>") == "1 2")
    }

    @Test("character references: named, decimal, hex, unknown and invalid")
    func entities() {
        #expect(HTMLText.render("&amp;&lt;&gt;&quot;&#39;&nbsp;x&#233;&#xE9;&#XE9;") == "&<>\"' xééé")
        #expect(HTMLText.render("&bogus; &amp &#xD800; &#0;") == "&bogus; &amp \u{FFFD} \u{FFFD}")
    }

    @Test("<pre> keeps its whitespace")
    func preformatted() {
        #expect(HTMLText.render("<pre>a\n  b</pre>after") == "a\n  b\n\nafter")
    }

    @Test("comments, doctype and a stray < are handled")
    func oddities() {
        #expect(HTMLText.render("<!DOCTYPE html><!-- <p>hidden</p> -->1 < 2 <3") == "1 < 2 <3")
        #expect(HTMLText.render("<a href='x>y' title=\"a>b\">link</a>") == "link")
        #expect(HTMLText.render("<!-- unterminated") == "")
        #expect(HTMLText.render("<p") == "")
    }
}
