/// HTML character references: the common named ones and numeric `&#NNN;` / `&#xHH;`.
enum HTMLEntities {
    /// Decodes the reference starting at `start` (which holds `&`). Returns the text and the
    /// index after the `;`, or nil when there is no reference this table knows (the `&` then
    /// stays literal). Numeric references outside Unicode become U+FFFD.
    static func decode(_ input: [Unicode.Scalar], at start: Int) -> (String?, Int) {
        var cursor = start + 1
        var body = String.UnicodeScalarView()
        while cursor < input.count, cursor - start <= 32 {
            let scalar = input[cursor]
            if scalar == ";" { break }
            guard scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "#" else {
                return (nil, start)
            }
            body.append(scalar)
            cursor += 1
        }
        guard cursor < input.count, input[cursor] == ";", !body.isEmpty else { return (nil, start) }
        let name = String(body)
        let end = cursor + 1
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value: UInt32?
            if digits.first == "x" || digits.first == "X" {
                value = UInt32(digits.dropFirst(), radix: 16)
            } else {
                value = UInt32(digits, radix: 10)
            }
            guard let value else { return (nil, start) }
            // Scalar(_:) rejects surrogates and values past U+10FFFF; NUL is not text either.
            let scalar = value == 0 ? nil : Unicode.Scalar(value)
            return (String(scalar ?? "\u{FFFD}"), end)
        }
        guard let text = named[name] else { return (nil, start) }
        return (text, end)
    }

    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'",
        // A non-breaking space reads as a space in plain text.
        "nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ",
        "zwnj": "", "zwj": "", "shy": "",
        "copy": "©", "reg": "®", "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "laquo": "«", "raquo": "»",
        "bull": "•", "middot": "·", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢",
        "times": "×", "divide": "÷", "deg": "°", "sect": "§", "para": "¶", "iexcl": "¡", "iquest": "¿",
    ]
}
