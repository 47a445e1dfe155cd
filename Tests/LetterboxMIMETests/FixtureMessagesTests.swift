import LetterboxMIME
import TestSupport
import Testing

/// Every fixture parses into a consistent tree; a few shapes are checked in detail.
@Suite("Fixture messages")
struct FixtureMessagesTests {
    @Test("every fixture and fuzzing regression parses into nested, in-bounds ranges with exact counts")
    func invariants() throws {
        let names = try Fixture.allMessages() + Fixture.fuzzRegressions()
        #expect(names.count >= 40)
        for name in names {
            let raw = try Fixture.bytes(name)
            let root = MIMEPart(parsing: raw)
            check(root, raw, name)
            for (path, part) in root.numberedParts() {
                #expect(root.part(at: path)?.range == part.range, "\(name) \(path)")
                _ = part.decodedBody(in: raw)
            }
            _ = MessageBody.text(of: raw, root: root)
            _ = MessageBody.attachments(of: root)
        }
    }

    private func check(_ part: MIMEPart, _ raw: [UInt8], _ name: String) {
        #expect(part.range.upperBound <= raw.count, "\(name)")
        #expect(part.headerRange.lowerBound == part.range.lowerBound, "\(name)")
        #expect(part.bodyRange.upperBound == part.range.upperBound, "\(name)")
        #expect(part.bodyLineCount == LineCounter.lineFeeds(raw, part.bodyRange), "\(name)")
        #expect(part.lineCount == LineCounter.lineFeeds(raw, part.range), "\(name)")
        var end = part.bodyRange.lowerBound
        for child in part.children {
            #expect(child.range.lowerBound >= end && child.range.upperBound <= part.bodyRange.upperBound, "\(name)")
            end = child.range.upperBound
            check(child, raw, name)
        }
    }

    @Test("bare LF everywhere: parts split, text keeps its lines")
    func bareLF() throws {
        let raw = try Fixture.bytes("bare-lf.eml")
        #expect(MessageBody.text(of: raw) == "Every line ends in LF.\nNo CR at all.")
        #expect(MessageBody.html(of: raw) == "<p>Every line ends in LF.</p>")
    }

    @Test("nested multiparts without close delimiters still yield every part")
    func missingFinalBoundaries() throws {
        let raw = try Fixture.bytes("missing-final-boundary-nested.eml")
        let root = MIMEPart(parsing: raw)
        #expect(root.numberedParts().map { MIMEPart.sectionString($0.path) } == ["1", "1.1", "1.2", "2"])
        #expect(root.part(at: [2])?.decodedBody(in: raw).starts(with: Array("%PDF-1.4".utf8)) == true)
    }

    @Test("truncated base64 decodes what is there")
    func truncatedBase64() throws {
        let raw = try Fixture.bytes("truncated-base64.eml")
        let pdf = try #require(MIMEPart(parsing: raw).part(at: [2]))
        let decoded = pdf.decodedBody(in: raw)
        #expect(decoded.count == pdf.decodedSize(in: raw))
        #expect(decoded.starts(with: Array("%PDF-1.4".utf8)))
        #expect(decoded.count == 117)
    }

    @Test("base64 with spaces, odd line lengths and no padding")
    func base64Whitespace() throws {
        #expect(MessageBody.text(of: try Fixture.bytes("base64-no-padding-whitespace.eml")) == "Hello world 🌏")
    }

    @Test("deep nesting: 30 levels are followed, 60 are cut at the limit")
    func deepNesting() throws {
        #expect(MessageBody.text(of: try Fixture.bytes("deep-nesting.eml")) == "At the bottom.")
        let deeper = MIMEPart(parsing: try Fixture.bytes("deep-nesting-over-limit.eml"))
        var depth = 0
        var part = deeper
        while let child = part.children.first {
            part = child
            depth += 1
        }
        #expect(depth == MIMEPart.maximumDepth)
        #expect(MessageBody.text(of: try Fixture.bytes("deep-nesting-over-limit.eml")) == "")
    }

    @Test("a huge header section: 1,500 Received fields, 2,000 references, a 40 KB field")
    func hugeHeader() throws {
        let raw = try Fixture.bytes("huge-header.eml")
        let headers = MessageHeaders(parsing: raw)
        #expect(headers.values("Received").count == 1500)
        #expect(headers.subject == "A huge header section")
        #expect(headers.first("References")?.split(separator: " ").count == 2000)
        #expect(MessageBody.text(of: raw) == "Small body.\n")
    }

    @Test("groups: an empty group, a named group's members, comments in names")
    func groups() throws {
        let headers = MessageHeaders(parsing: try Fixture.bytes("group-addresses.eml"))
        #expect(headers.to.isEmpty)
        #expect(headers.cc.map(\.address) == ["bob@example.com", "carl@example.com", "dee@example.com"])
        #expect(headers.cc[1].name == "Carl (ops)")
        let envelope = MessageEnvelope(headers: headers)
        #expect(envelope.to == [.groupStart(name: "undisclosed-recipients"), .groupEnd])
        #expect(envelope.cc.first == .groupStart(name: "Team"))
    }

    @Test("multipart/digest parts default to message/rfc822 and number as 1.1, 2.1, 3.1")
    func digest() throws {
        let root = MIMEPart(parsing: try Fixture.bytes("digest.eml"))
        #expect(root.children.map(\.contentType.mimeType) == Array(repeating: "message/rfc822", count: 3))
        #expect(root.part(at: [2, 1])?.contentType.mimeType == "text/plain")
        #expect(root.part(at: [3])?.encapsulatedMessage?.headers.subject == "Digest entry 3")
    }

    @Test("attachments: inline images and files listed; readable bodies and attached message contents not")
    func attachments() throws {
        func listed(_ name: String) throws -> [String] {
            MessageBody.attachments(of: MIMEPart(parsing: try Fixture.bytes(name))).map {
                "\(MIMEPart.sectionString($0.path)) \($0.part.filename ?? "-")"
            }
        }
        #expect(try listed("related-inline-images.eml") == ["2.2 one.png", "2.3 -"])
        #expect(try listed("mixed-attachments.eml") == ["2 report.pdf", "3 totals.csv", "4 archive.zip"])
        #expect(try listed("forward-nested.eml") == ["2 -"])
        #expect(try listed("calendar-invite.eml") == ["1.3 -", "2 invite.ics"])
        #expect(try listed("plain-7bit.eml") == [])
    }

    @Test("HTML-only mail in windows-1252 renders as readable text")
    func htmlOnly() throws {
        let text = MessageBody.text(of: try Fixture.bytes("html-only-entities.eml"))
        #expect(text.contains("Price\u{A0}list") || text.contains("Price list"))
        #expect(text.contains("Café & crème – € 3"))
        #expect(text.contains("one\ntwo"))
        #expect(!text.contains("color"))
    }

    @Test("RFC 2231 file names: continuations, charsets, the name parameter with encoded words")
    func fileNames() throws {
        let continued = MIMEPart(parsing: try Fixture.bytes("rfc2231-continuations.eml"))
        #expect(continued.part(at: [2])?.filename == "Relatório anual 2026.pdf")
        #expect(continued.part(at: [3])?.filename == "a very long file name that goes on.txt")
        let named = MIMEPart(parsing: try Fixture.bytes("name-parameter-only.eml"))
        #expect(named.part(at: [2])?.filename == "Bilan été.xls")
    }
}
