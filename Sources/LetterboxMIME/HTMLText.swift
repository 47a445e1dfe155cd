/// A readable plain-text rendering of HTML, for messages that have no text/plain part.
///
/// Not an HTML parser: it strips tags, drops the content of `<script>`, `<style>` and
/// `<title>`, turns block elements and `<br>` into line breaks, collapses whitespace as a
/// browser would (except inside `<pre>`), decodes character references, and leaves at most one
/// blank line in a row. Linear in the input; never fails.
enum HTMLText {
    static func render(_ html: String) -> String {
        var renderer = Renderer(Array(html.unicodeScalars))
        renderer.run()
        return tidy(renderer.output)
    }

    /// Elements whose start and end tags begin a new line.
    private static let lineBreakElements: Set<String> = [
        "div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "nav", "main", "aside",
        "address", "figure", "figcaption", "form", "fieldset", "center", "tbody", "thead", "tfoot", "caption",
    ]

    /// Elements whose start and end tags leave a blank line around them.
    private static let paragraphElements: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "blockquote", "pre", "hr",
    ]

    /// Elements whose content is not text to read.
    private static let hiddenElements: Set<String> = ["script", "style", "title", "template"]

    private struct Renderer {
        let input: [Unicode.Scalar]
        var index = 0
        /// UTF-8 of the rendering so far (appending bytes is much cheaper than scalars).
        var output: [UInt8] = []
        var pendingSpace = false
        var preDepth = 0

        init(_ input: [Unicode.Scalar]) { self.input = input }

        mutating func run() {
            while index < input.count {
                let scalar = input[index]
                switch scalar {
                case "<":
                    tag()
                case "&":
                    let (decoded, end) = HTMLEntities.decode(input, at: index)
                    if let decoded {
                        for character in decoded.unicodeScalars { text(character) }
                        index = end
                    } else {
                        text(scalar)
                        index += 1
                    }
                case " ", "\t", "\n", "\r", "\u{0C}":
                    if preDepth > 0 {
                        // Inside <pre> line breaks count; CR of a CRLF is dropped.
                        if scalar != "\r" { output.append(UInt8(truncatingIfNeeded: scalar.value)) }
                    } else {
                        pendingSpace = true
                    }
                    index += 1
                default:
                    text(scalar)
                    index += 1
                }
            }
        }

        /// Appends visible text, with one space for any whitespace run before it.
        mutating func text(_ scalar: Unicode.Scalar) {
            if pendingSpace, let last = output.last, last != 0x0A, last != 0x20 { output.append(0x20) }
            pendingSpace = false
            if scalar.isASCII {
                output.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                UTF8.encode(scalar) { output.append($0) }
            }
        }

        mutating func lineBreak() {
            output.append(0x0A)
            pendingSpace = false
        }

        /// Ensures the output ends with `count` line breaks (unless it is still empty).
        mutating func ensureLineBreaks(_ count: Int) {
            pendingSpace = false
            guard !output.isEmpty else { return }
            var trailing = 0
            var cursor = output.endIndex
            while cursor > output.startIndex, trailing < count {
                cursor -= 1
                guard output[cursor] == 0x0A else { break }
                trailing += 1
            }
            for _ in trailing..<count { output.append(0x0A) }
        }

        /// Handles the markup at `index` (which holds `<`).
        mutating func tag() {
            let next = index + 1 < input.count ? input[index + 1] : " "
            if next == "!" {
                if matches("<!--", at: index) {
                    index = find("-->", from: index + 4).map { $0 + 3 } ?? input.count
                } else {
                    index = (find(">", from: index) ?? input.count - 1) + 1
                }
                return
            }
            if next == "?" {
                index = (find(">", from: index) ?? input.count - 1) + 1
                return
            }
            let isEnd = next == "/"
            var cursor = index + (isEnd ? 2 : 1)
            var name = ""
            // A tag name starts with an ASCII letter (HTML §13.2.5.6); "<3" or "< b" is text.
            while cursor < input.count,
                ("a"..."z").contains(input[cursor]) || ("A"..."Z").contains(input[cursor])
                    || (!name.isEmpty && ("0"..."9").contains(input[cursor]))
            {
                name.unicodeScalars.append(input[cursor])
                cursor += 1
            }
            guard !name.isEmpty else {
                // Not a tag ("a < b"): the "<" is text.
                text("<")
                index += 1
                return
            }
            name = name.lowercased()
            index = tagEnd(from: cursor)
            let selfClosing = index >= 2 && input[index - 2] == "/"
            handle(name, isEnd: isEnd, selfClosing: selfClosing)
        }

        mutating func handle(_ name: String, isEnd: Bool, selfClosing: Bool) {
            if !isEnd, !selfClosing, HTMLText.hiddenElements.contains(name) {
                // Skip to the matching end tag; without one, the rest is hidden too.
                index = findEndTag(name).map(tagEnd(from:)) ?? input.count
                return
            }
            switch name {
            case "br":
                lineBreak()
            case "td", "th":
                pendingSpace = true
            case "pre":
                ensureLineBreaks(2)
                preDepth = max(0, preDepth + (isEnd ? -1 : 1))
            case _ where HTMLText.paragraphElements.contains(name):
                ensureLineBreaks(2)
            case _ where HTMLText.lineBreakElements.contains(name):
                ensureLineBreaks(1)
            default:
                break
            }
        }

        /// The index after the `>` that ends a tag, skipping quoted attribute values.
        func tagEnd(from start: Int) -> Int {
            var cursor = start
            var quote: Unicode.Scalar?
            while cursor < input.count {
                let scalar = input[cursor]
                if let open = quote {
                    if scalar == open { quote = nil }
                } else if scalar == "\"" || scalar == "'" {
                    quote = scalar
                } else if scalar == ">" {
                    return cursor + 1
                }
                cursor += 1
            }
            return input.count
        }

        /// The index just after `</name` (case-insensitive), searching from `index`.
        func findEndTag(_ name: String) -> Int? {
            let pattern = Array("</\(name)".unicodeScalars)
            var cursor = index
            while let found = find("</", from: cursor) {
                if found + pattern.count <= input.count,
                    zip(input[found..<(found + pattern.count)], pattern).allSatisfy({ lowercase($0) == $1 })
                {
                    return found + pattern.count
                }
                cursor = found + 2
            }
            return nil
        }

        func find(_ text: String, from start: Int) -> Int? {
            let pattern = Array(text.unicodeScalars)
            guard let first = pattern.first, start < input.count else { return nil }
            var cursor = start
            while cursor + pattern.count <= input.count {
                if input[cursor] == first, matches(pattern, at: cursor) { return cursor }
                cursor += 1
            }
            return nil
        }

        func matches(_ text: String, at position: Int) -> Bool {
            matches(Array(text.unicodeScalars), at: position)
        }

        func matches(_ pattern: [Unicode.Scalar], at position: Int) -> Bool {
            guard position + pattern.count <= input.count else { return false }
            return zip(input[position..<(position + pattern.count)], pattern).allSatisfy { $0 == $1 }
        }

        func lowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
        }
    }

    /// Trims each line's trailing spaces, keeps at most one blank line in a row, and drops
    /// leading and trailing blank lines. Works on UTF-8 bytes.
    private static func tidy(_ utf8: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count)
        var blankRun = 0
        var pendingBreaks = 0
        for line in utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var end = line.endIndex
            while end > line.startIndex {
                if line[end - 1] == 0x20 || line[end - 1] == 0x09 {
                    end -= 1
                } else if end - 2 >= line.startIndex, line[end - 2] == 0xC2, line[end - 1] == 0xA0 {
                    end -= 2  // U+00A0 NO-BREAK SPACE
                } else {
                    break
                }
            }
            if end == line.startIndex {
                blankRun += 1
                if blankRun == 1, !output.isEmpty { pendingBreaks += 1 }
                continue
            }
            blankRun = 0
            // Breaks are written only before more text, so trailing blank lines vanish.
            if !output.isEmpty { output.append(contentsOf: repeatElement(0x0A, count: pendingBreaks + 1)) }
            pendingBreaks = 0
            output.append(contentsOf: line[line.startIndex..<end])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
