import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// Letterbox's IMAP answers compared with Dovecot's: both servers hold every message of
/// `Fixtures/messages` in the same order and get the same command script over raw sockets
/// (ENVELOPE, BODYSTRUCTURE, BODY, RFC822.SIZE, BODY[] sections of every part, SEARCH, SORT). Only what
/// must differ is normalised; every other difference fails, unless it is one of the
/// ``acceptedDifferences`` below, each with its reason. An accepted difference that no longer
/// occurs fails too, so the list stays true.
///
/// Needs Dovecot's IMAP server (`apt-get install dovecot-imapd`; `.ci/run` installs it).
@Suite(.timeLimit(.minutes(5))) struct DovecotDifferentialTests {
    // MARK: Known, accepted differences

    /// Where Letterbox answers differently from Dovecot on purpose, or where Dovecot is the odd
    /// one out. `replace` edits Dovecot's answer (as rendered in failure messages) into
    /// Letterbox's; `ignore` leaves the item out of the comparison.
    static let acceptedDifferences: [AcceptedDifference] = [
        // RFC 5322 §2.2.3 unfolds by removing the CRLF only; Dovecot also turns each fold's
        // whitespace (here a tab) into one space.
        .replace(
            "continuation-lines-odd.eml", "ENVELOPE", #""Folded subject with tabs""#, #""Folded  subject with\ttabs""#,
            reason: "Dovecot collapses folding whitespace; RFC 5322 §2.2.3 keeps it"),
        // Dovecot keeps the whitespace that ends a header value; Letterbox trims it (RFC 5322
        // §3.3 gives the date no trailing whitespace, so either is a faithful reading).
        .replace(
            "encoded-headers.eml", "ENVELOPE", #""Thu, 6 Mar 2025 08:00:00 -0500  ""#,
            #""Thu, 6 Mar 2025 08:00:00 -0500""#, reason: "Dovecot keeps trailing whitespace of the Date value"),
        // Raw Latin-1 octets in a header (invalid since RFC 6532 allows only UTF-8): Dovecot
        // passes the octets through; Letterbox reads them as Latin-1 and, to a client that did
        // not enable UTF8=ACCEPT, sends the text as RFC 2047 encoded words (RFC 6855 §7).
        .replace(
            "headers-8bit-latin1.eml", "ENVELOPE", #""Caf\xE9 \xE0 la cr\xE8me""#,
            #""=?utf-8?b?Q2Fmw6kgw6A=?= la =?utf-8?b?Y3LDqG1l?=""#,
            reason: "invalid 8-bit header: Letterbox converts to UTF-8 and downgrades it to encoded words"),
        // A raw UTF-8 header (RFC 6532): Dovecot 2.3 (no UTF8=ACCEPT) passes it through to any
        // client; Letterbox downgrades it for clients that did not enable UTF8=ACCEPT (RFC 6855
        // §7, RFC 6857 §3.1): encoded words, a non-ASCII address as an empty group naming it.
        .ignore(
            "headers-8bit-utf8.eml", "ENVELOPE",
            reason: "UTF-8 header downgraded for a client without UTF8=ACCEPT; Dovecot sends it raw"),
        // Letterbox parses MIME nesting to MIMEPart.maximumDepth (40) by design, against hostile
        // input; deeper parts stay one text body. Dovecot goes on to the 60th level.
        .ignore("deep-nesting-over-limit.eml", "BODYSTRUCTURE", reason: "nesting beyond Letterbox's depth limit"),
        .ignore("deep-nesting-over-limit.eml", "BODY", reason: "nesting beyond Letterbox's depth limit"),
        .ignore(
            "deep-nesting-over-limit.eml",
            "BODY[1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1",
            reason: "parts beyond Letterbox's depth limit do not exist there"),
        // A multipart without a boundary parameter (RFC 2046 §5.1.1 requires one): Dovecot reports
        // a multipart with one empty part; Letterbox reads the body as text/plain, as mail readers
        // show it.
        .ignore(
            "no-content-type-multipart-boundary-missing.eml", "BODYSTRUCTURE", reason: "multipart without boundary"),
        .ignore("no-content-type-multipart-boundary-missing.eml", "BODY", reason: "multipart without boundary"),
        .ignore("no-content-type-multipart-boundary-missing.eml", "BODY[1", reason: "multipart without boundary"),
        // A message/rfc822 part in base64 (RFC 2046 §5.2.1 allows only 7bit, 8bit or binary):
        // Dovecot parses the encoded text as if it were the message and gives the part its line
        // break before the boundary; Letterbox leaves it opaque (empty envelope and body).
        .ignore("message-rfc822-base64.eml", "BODYSTRUCTURE", reason: "message/rfc822 in base64"),
        .ignore("message-rfc822-base64.eml", "BODY", reason: "message/rfc822 in base64"),
        .ignore("message-rfc822-base64.eml", "BODY[2", reason: "message/rfc822 in base64"),
        // The body of a multipart nested in another ends before the CRLF that precedes the outer
        // delimiter (RFC 2046 §5.1.1: that CRLF is part of the delimiter); Dovecot includes it.
        .multipartBodyEndsWithCRLF(reason: "Dovecot gives a nested multipart the CRLF of the next delimiter"),
    ]

    /// SEARCH commands, each run on both servers; results are sequence numbers, so they compare
    /// directly. Non-ASCII keys go as LITERAL+ literals (RFC 7888), which both servers offer.
    static let searches: [SearchCase] = [
        SearchCase("SUBJECT \"inner original\""),
        SearchCase("SUBJECT digest"),
        SearchCase("SUBJECT parcel"),
        SearchCase(
            "CHARSET UTF-8 SUBJECT café",
            // Raw Latin-1 "Café" in headers-8bit-latin1: Letterbox reads the octets as Latin-1
            // (see the ENVELOPE difference above), Dovecot cannot match them as UTF-8.
            onlyLetterbox: ["headers-8bit-latin1.eml"], reason: "invalid 8-bit header read as Latin-1"),
        SearchCase("CHARSET UTF-8 SUBJECT Résumé"),
        SearchCase("CHARSET UTF-8 SUBJECT Привет"),
        SearchCase("FROM ana"),
        SearchCase("FROM example.net"),
        SearchCase("FROM \"Lima\""),
        SearchCase("CHARSET UTF-8 FROM María"),
        SearchCase("TO bob"),
        SearchCase("CC dave"),
        SearchCase("TEXT report"),
        SearchCase("TEXT attachment"),
        SearchCase("TEXT Bilan"),
        SearchCase("TEXT \"this text was sent as base64\""),
        SearchCase("TEXT bottom"),
        SearchCase("BODY \"Every line\""),
        SearchCase("BODY chips"),
        SearchCase(
            "BODY Ola",
            // "Olá": Dovecot compares decomposed text (i;unicode-casemap, RFC 5051: NFKD), where
            // "Ola" is a prefix of "Ola" + combining acute; Letterbox compares whole characters.
            // RFC 3501 §6.4.4 leaves the comparison to the server.
            onlyDovecot: ["8bit-latin1-body.eml", "base64-text.eml"],
            reason: "Dovecot matches base letters in accented ones"),
        SearchCase(
            "BODY shown",
            // html-only.eml says "shown" only inside an HTML comment: Letterbox searches the text a
            // reader sees (markup, comments and scripts left out), Dovecot the decoded HTML source.
            onlyDovecot: ["html-only.eml"], reason: "Letterbox searches HTML as rendered text"),
        SearchCase("HEADER Content-Type multipart"),
        SearchCase("HEADER X-Empty \"\""),
        SearchCase("HEADER Message-ID example.com"),
        SearchCase("LARGER 1000"),
        SearchCase("SMALLER 200"),
        SearchCase("LARGER 100000"),
        SearchCase("NOT FROM ana"),
        SearchCase("OR SUBJECT digest FROM news"),
    ]

    static let subjectSortExclusions = [
        "headers-8bit-latin1.eml", "unknown-charset.eml", "headers-8bit-utf8.eml", "latin1-qp.eml",
        "subject-iso-8859-1.eml",
    ]

    /// SORT commands (RFC 5256) over every fixture but `excluding`; the orders must be the same.
    static let sorts: [(criteria: String, excluding: [String], reason: String)] = [
        (
            "SUBJECT", Self.subjectSortExclusions,
            "subjects Letterbox decodes (raw Latin-1, an unknown charset read as UTF-8) and Dovecot does not; "
                + "subjects starting with an accented letter: Dovecot compares with i;unicode-casemap (RFC 5051: "
                + "next to the base letter), Letterbox with i;ascii-casemap (RFC 5256 §2.1: after every ASCII letter)"
        ),
        (
            "REVERSE SUBJECT", Self.subjectSortExclusions,
            "as SUBJECT"
        ),
        ("FROM", [], ""),
        ("TO CC", [], ""),
        ("DATE", [], ""),
        ("REVERSE DATE", [], ""),
        ("SIZE", [], ""),
        ("ARRIVAL", [], ""),
        ("REVERSE ARRIVAL SUBJECT", [], ""),
    ]

    // MARK: The test

    @Test func letterboxAnswersLikeDovecot() async throws {
        _ = try DovecotIMAPServer.executable()
        let fixtures = try Self.fixtures()
        try await DovecotIMAPServer.withRunning(messages: fixtures.map(\.bytes)) { dovecot in
            try await withCatcher({
                $0.smtpPort = nil; $0.pop3Port = nil; $0.httpPort = nil
            }) { catcher in
                for (index, fixture) in fixtures.enumerated() {
                    _ = try await catcher.store.append(
                        fixture.bytes,
                        envelope: Envelope(
                            sender: "differential@example.com", recipients: ["test@example.com"],
                            receivedAt: DovecotIMAPServer.internalDate(ofMessage: index)))
                }
                let reference = try IMAPScriptClient(port: dovecot.port)
                let candidate = try IMAPScriptClient(port: catcher.ports.imap)
                for client in [reference, candidate] {
                    _ = try await client.greeting()
                    let login = try await client.send("LOGIN \(DovecotIMAPServer.user) \(DovecotIMAPServer.password)")
                    try #require(login.status == "OK", "LOGIN: \(login.completion)")
                    let select = try await client.send("SELECT INBOX")
                    try #require(select.status == "OK", "SELECT: \(select.completion)")
                    let exists = select.untagged.map { String(decoding: $0, as: UTF8.self) }.first {
                        $0.hasSuffix(" EXISTS")
                    }
                    try #require(
                        exists == "* \(fixtures.count) EXISTS",
                        "SELECT: \(select.untagged.count) lines, \(exists ?? "no EXISTS")\n\(dovecot.log.suffix(2000))")
                }

                var comparison = Comparison()
                for (index, fixture) in fixtures.enumerated() {
                    try await compareFetches(of: fixture.name, number: index + 1, reference, candidate, &comparison)
                }
                let numbers = Dictionary(
                    uniqueKeysWithValues: fixtures.enumerated().map { ($0.element.name, $0.offset + 1) })
                for search in Self.searches {
                    try await compare(search, numbers: numbers, reference, candidate, &comparison)
                }
                for (criteria, excluding, _) in Self.sorts {
                    let key =
                        excluding.isEmpty
                        ? "ALL" : excluding.compactMap { numbers[$0] }.map { "NOT \($0)" }.joined(separator: " ")
                    let sort = "SORT (\(criteria)) UTF-8 \(key)"
                    let expected = try await reference.send(sort)
                    let actual = try await candidate.send(sort)
                    comparison.commands += 1
                    func line(_ response: IMAPScriptClient.Response) -> String {
                        response.untagged.map { String(decoding: $0, as: UTF8.self) }.first { $0.hasPrefix("* SORT") }
                            ?? response.completion
                    }
                    if line(expected) != line(actual) {
                        comparison.differences.append(
                            "\(sort):\n  dovecot:   \(line(expected))\n  letterbox: \(line(actual))")
                    }
                }
                for stale in Self.acceptedDifferences.indices where !comparison.usedAcceptances.contains(stale) {
                    comparison.differences.append(
                        "accepted difference no longer seen (remove it from the list): \(Self.acceptedDifferences[stale])"
                    )
                }
                await reference.close()
                await candidate.close()
                if !comparison.differences.isEmpty {
                    let report = comparison.differences.joined(separator: "\n\n")
                    Issue.record(
                        "\(comparison.differences.count) differences from Dovecot in \(comparison.commands) commands:\n\n\(report)"
                    )
                }
            }
        }
    }

    // MARK: The script

    /// The messages in file-name order, as both servers number them.
    private static func fixtures() throws -> [(name: String, bytes: [UInt8])] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/messages")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
            .sorted()
        try #require(!names.isEmpty, "no fixtures in \(folder.path)")
        return try names.map { ($0, Array(try Data(contentsOf: folder.appendingPathComponent($0)))) }
    }

    /// ENVELOPE, BODYSTRUCTURE, BODY, RFC822.SIZE and the body sections of one message: the
    /// whole, HEADER, TEXT, HEADER.FIELDS, and for every part Dovecot lists its content and MIME
    /// header, and HEADER and TEXT of an encapsulated message.
    private func compareFetches(
        of fixture: String, number: Int, _ reference: IMAPScriptClient, _ candidate: IMAPScriptClient,
        _ comparison: inout Comparison
    ) async throws {
        var items = [
            "ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE", "BODY[]", "BODY[HEADER]", "BODY[TEXT]",
            "BODY[HEADER.FIELDS (SUBJECT FROM X-EMPTY)]",
        ]
        let structure = try await reference.send("FETCH \(number) (BODYSTRUCTURE)")
        var multipartSections: Set<String> = []
        if let line = structure.untagged.first, let value = try? IMAPValue.parse(line).fetchItem("BODYSTRUCTURE") {
            for part in BodyStructure.parts(of: value) {
                let section = part.path.map(String.init).joined(separator: ".")
                items += ["BODY[\(section)]", "BODY[\(section).MIME]"]
                if part.isMessage { items += ["BODY[\(section).HEADER]", "BODY[\(section).TEXT]"] }
                if part.isMultipart { multipartSections.insert("BODY[\(section)]") }
            }
        }
        for item in items {
            // BODY.PEEK, so that nothing sets \Seen on either side.
            let command = "FETCH \(number) (\(item.hasPrefix("BODY[") ? "BODY.PEEK" + item.dropFirst(4) : item))"
            let expected = try await reference.send(command)
            let actual = try await candidate.send(command)
            comparison.commands += 1
            let context = ItemContext(
                fixture: fixture, item: item, isMultipartSection: multipartSections.contains(item))
            comparison.compare(expected, actual, command: "\(fixture): \(command)", context: context)
        }
    }

    private func compare(
        _ search: SearchCase, numbers: [String: Int], _ reference: IMAPScriptClient, _ candidate: IMAPScriptClient,
        _ comparison: inout Comparison
    ) async throws {
        let command = search.command
        let expected = try await reference.send(command)
        let actual = try await candidate.send(command)
        comparison.commands += 1
        let label = "SEARCH \(search.key)"
        guard expected.status == actual.status else {
            comparison.differences.append("\(label): dovecot \(expected.completion), letterbox \(actual.completion)")
            return
        }
        func results(_ response: IMAPScriptClient.Response) -> Set<Int> {
            let line =
                response.untagged.map { String(decoding: $0, as: UTF8.self) }.first { $0.hasPrefix("* SEARCH") } ?? ""
            return Set(line.split(separator: " ").dropFirst(2).compactMap { Int($0) })
        }
        var dovecot = results(expected)
        let letterbox = results(actual)
        // The accepted differences, checked to be still there.
        let onlyLetterbox = Set(search.onlyLetterbox.compactMap { numbers[$0] })
        let onlyDovecot = Set(search.onlyDovecot.compactMap { numbers[$0] })
        if !search.reason.isEmpty {
            if onlyLetterbox.isSubset(of: letterbox.subtracting(dovecot))
                && onlyDovecot.isSubset(of: dovecot.subtracting(letterbox))
            {
                dovecot = dovecot.union(onlyLetterbox).subtracting(onlyDovecot)
            } else {
                comparison.differences.append("\(label): accepted difference no longer seen (\(search.reason))")
            }
        }
        guard dovecot != letterbox else { return }
        let name = Dictionary(uniqueKeysWithValues: numbers.map { ($0.value, $0.key) })
        func describe(_ set: Set<Int>) -> String {
            set.sorted().map { "\($0) (\(name[$0] ?? "?"))" }.joined(separator: ", ")
        }
        comparison.differences.append(
            "\(label): only dovecot: [\(describe(dovecot.subtracting(letterbox)))], only letterbox: [\(describe(letterbox.subtracting(dovecot)))]"
        )
    }
}

// MARK: - Comparison

/// One accepted difference; see ``DovecotDifferentialTests/acceptedDifferences``.
struct AcceptedDifference: Sendable, CustomStringConvertible {
    enum Change: Sendable {
        /// Replace every occurrence of the first text in Dovecot's rendered answer with the second.
        case replace(String, String)
        /// Leave the item out of the comparison (it must still differ).
        case ignore
        /// BODY[n] of a multipart part: Dovecot's answer ends with one more CRLF.
        case multipartCRLF
    }

    let fixture: String?
    /// The FETCH item, or a prefix of it ending inside a section number: `"BODY[2"` covers
    /// `BODY[2]`, `BODY[2.MIME]`, `BODY[2.1]`…
    let item: String?
    let change: Change
    let reason: String

    static func replace(_ fixture: String, _ item: String, _ dovecot: String, _ letterbox: String, reason: String)
        -> Self
    {
        Self(fixture: fixture, item: item, change: .replace(dovecot, letterbox), reason: reason)
    }

    static func ignore(_ fixture: String, _ item: String, reason: String) -> Self {
        Self(fixture: fixture, item: item, change: .ignore, reason: reason)
    }

    static func multipartBodyEndsWithCRLF(reason: String) -> Self {
        Self(fixture: nil, item: nil, change: .multipartCRLF, reason: reason)
    }

    func applies(to context: ItemContext) -> Bool {
        if let fixture, fixture != context.fixture { return false }
        guard let item else { return true }
        if item.hasPrefix("BODY["), item != context.item, !item.hasSuffix("]") {
            // A section prefix: the next character must end the section number.
            guard context.item.hasPrefix(item), let next = context.item.dropFirst(item.count).first else {
                return false
            }
            return next == "." || next == "]"
        }
        return item == context.item
    }

    var description: String {
        let change: String
        switch self.change {
        case .replace(let from, let to): change = "\(from) → \(to)"
        case .ignore: change = "ignored"
        case .multipartCRLF: change = "multipart section ends with CRLF"
        }
        return "\(fixture ?? "every fixture") \(item ?? "BODY[n]"): \(change) (\(reason))"
    }
}

/// What is being compared: the fixture, the FETCH item (`BODY[1.MIME]`, PEEK dropped), and
/// whether that section is a multipart part in Dovecot's BODYSTRUCTURE.
struct ItemContext {
    let fixture: String
    let item: String
    let isMultipartSection: Bool
}

/// One SEARCH of the script, with the fixtures only one server finds and why.
struct SearchCase: Sendable {
    let key: String
    let onlyLetterbox: [String]
    let onlyDovecot: [String]
    let reason: String

    init(_ key: String, onlyLetterbox: [String] = [], onlyDovecot: [String] = [], reason: String = "") {
        self.key = key
        self.onlyLetterbox = onlyLetterbox
        self.onlyDovecot = onlyDovecot
        self.reason = reason
    }

    /// `SEARCH key`, a non-ASCII last argument sent as a LITERAL+ literal.
    var command: [UInt8] {
        var words = key.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let last = words.last, last.utf8.contains(where: { $0 >= 0x80 }) else {
            return Array("SEARCH \(key)".utf8)
        }
        words.removeLast()
        return Array("SEARCH \(words.joined(separator: " ")) {\(last.utf8.count)+}\r\n".utf8) + Array(last.utf8)
    }
}

struct Comparison {
    var differences: [String] = []
    var usedAcceptances: Set<Int> = []
    var commands = 0

    /// Compares two replies: the tagged status, and every untagged response after normalising
    /// (see ``IMAPValue/normalizedFetch()``) and applying the accepted differences to Dovecot's.
    mutating func compare(
        _ expected: IMAPScriptClient.Response, _ actual: IMAPScriptClient.Response, command: String,
        context: ItemContext
    ) {
        // The text after the status is free-form (RFC 3501 §7.1); only the status must agree.
        guard expected.status == actual.status else {
            differences.append("\(command)\n  dovecot:   \(expected.completion)\n  letterbox: \(actual.completion)")
            return
        }
        func render(_ response: IMAPScriptClient.Response) -> [String] {
            response.untagged.map { line in
                (try? IMAPValue.parse(line).normalizedFetch().rendered)
                    ?? "unparsable: \(String(decoding: line, as: UTF8.self))"
            }
        }
        var dovecot = render(expected)
        let letterbox = render(actual)
        for (index, accepted) in DovecotDifferentialTests.acceptedDifferences.enumerated()
        where accepted.applies(to: context) {
            switch accepted.change {
            case .ignore:
                if dovecot != letterbox {
                    usedAcceptances.insert(index)
                    dovecot = letterbox
                }
            case .replace(let from, let to):
                let replaced = dovecot.map { $0.replacingOccurrences(of: from, with: to) }
                if replaced != dovecot { usedAcceptances.insert(index) }
                dovecot = replaced
            case .multipartCRLF:
                guard context.isMultipartSection else { continue }
                let trimmed = dovecot.map { $0.replacingOccurrences(of: #"\r\n")"#, with: #"")"#) }
                if trimmed != dovecot && trimmed == letterbox {
                    usedAcceptances.insert(index)
                    dovecot = trimmed
                }
            }
        }
        guard dovecot != letterbox else { return }
        var report = command
        for index in 0..<max(dovecot.count, letterbox.count) {
            let left = index < dovecot.count ? dovecot[index] : "(nothing)"
            let right = index < letterbox.count ? letterbox[index] : "(nothing)"
            guard left != right else { continue }
            report += "\n" + Self.diff(left, right)
        }
        differences.append(report)
    }

    /// Both texts around their first difference (up to 300 characters before it).
    static func diff(_ dovecot: String, _ letterbox: String) -> String {
        let left = Array(dovecot), right = Array(letterbox)
        var first = 0
        while first < left.count && first < right.count && left[first] == right[first] { first += 1 }
        let start = max(0, first - 300)
        func excerpt(_ text: [Character]) -> String {
            let end = min(text.count, first + 300)
            return (start > 0 ? "…" : "") + String(text[min(start, text.count)..<end]) + (end < text.count ? "…" : "")
        }
        return
            "  first difference at character \(first):\n  dovecot:   \(excerpt(left))\n  letterbox: \(excerpt(right))"
    }
}

// MARK: - Response values

/// An IMAP response value (RFC 3501 §4): atoms, strings (quoted or literal: the same value),
/// NIL and parenthesised lists.
indirect enum IMAPValue: Equatable {
    case atom(String)
    case string([UInt8])
    case nilValue
    case list([IMAPValue])

    struct ParseError: Error {}

    /// Parses a whole response line (literals inline) into its values.
    static func parse(_ bytes: [UInt8]) throws -> IMAPValue {
        var parser = Parser(bytes: bytes)
        var values: [IMAPValue] = []
        while true {
            parser.skipSpaces()
            if parser.atEnd { return .list(values) }
            values.append(try parser.value())
        }
    }

    /// The value after `name` in a FETCH response (`* n FETCH (name value …)`).
    func fetchItem(_ name: String) -> IMAPValue? {
        guard case .list(let top) = self, top.count == 4, case .list(let items) = top[3] else { return nil }
        var index = 0
        while index + 1 < items.count {
            if items[index] == .atom(name) { return items[index + 1] }
            index += 2
        }
        return nil
    }

    /// The response with BODYSTRUCTURE and BODY values normalised (``BodyStructure/normalized(_:)``).
    func normalizedFetch() -> IMAPValue {
        guard case .list(var top) = self, top.count == 4, top[2] == .atom("FETCH"), case .list(var items) = top[3]
        else {
            return self
        }
        var index = 0
        while index + 1 < items.count {
            if items[index] == .atom("BODYSTRUCTURE") || items[index] == .atom("BODY") {
                items[index + 1] = BodyStructure.normalized(items[index + 1])
            }
            index += 2
        }
        top[3] = .list(items)
        return .list(top)
    }

    /// One line of text: strings always quoted, octets outside printable ASCII as `\xNN`, CR and
    /// LF as `\r` and `\n`.
    var rendered: String {
        switch self {
        case .atom(let text): return text
        case .nilValue: return "NIL"
        case .list(let items): return "(" + items.map(\.rendered).joined(separator: " ") + ")"
        case .string(let bytes):
            var text = "\""
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): text += "\\\""
                case UInt8(ascii: "\\"): text += "\\\\"
                case 0x0D: text += "\\r"
                case 0x0A: text += "\\n"
                case 0x09: text += "\\t"
                case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
                default: text += String(format: "\\x%02X", byte)
                }
            }
            return text + "\""
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        mutating func skipSpaces() {
            while position < bytes.count && bytes[position] == 0x20 { position += 1 }
        }

        mutating func value() throws -> IMAPValue {
            guard position < bytes.count else { throw ParseError() }
            switch bytes[position] {
            case UInt8(ascii: "("):
                position += 1
                var items: [IMAPValue] = []
                while true {
                    skipSpaces()
                    guard position < bytes.count else { throw ParseError() }
                    if bytes[position] == UInt8(ascii: ")") {
                        position += 1
                        return .list(items)
                    }
                    items.append(try value())
                }
            case UInt8(ascii: "\""):
                position += 1
                var text: [UInt8] = []
                while position < bytes.count && bytes[position] != UInt8(ascii: "\"") {
                    if bytes[position] == UInt8(ascii: "\\") { position += 1 }
                    guard position < bytes.count else { throw ParseError() }
                    text.append(bytes[position])
                    position += 1
                }
                guard position < bytes.count else { throw ParseError() }
                position += 1
                return .string(text)
            case UInt8(ascii: "{"):
                guard let close = bytes[position...].firstIndex(of: UInt8(ascii: "}")),
                    let count = Int(String(decoding: bytes[(position + 1)..<close], as: UTF8.self)),
                    close + 3 + count <= bytes.count
                else { throw ParseError() }
                position = close + 3 + count
                return .string(Array(bytes[(close + 3)..<(close + 3 + count)]))
            default:
                // An atom; a section in brackets (`BODY[HEADER.FIELDS (A B)]`) is part of it.
                let start = position
                while position < bytes.count, ![0x20, UInt8(ascii: "("), UInt8(ascii: ")")].contains(bytes[position]) {
                    if bytes[position] == UInt8(ascii: "["),
                        let close = bytes[position...].firstIndex(of: UInt8(ascii: "]"))
                    {
                        position = close
                    }
                    position += 1
                }
                let atom = String(decoding: bytes[start..<position], as: UTF8.self)
                return atom.uppercased() == "NIL" ? .nilValue : .atom(atom)
            }
        }
    }
}

/// BODYSTRUCTURE and BODY values (RFC 3501 §7.4.2): normalising and listing their parts.
enum BodyStructure {
    /// Normalises what RFC 2045 makes case-insensitive and what it gives a default, so that only
    /// real differences remain:
    /// - media type, subtype, parameter names, transfer encoding, disposition type and the
    ///   charset value are compared upper-cased (RFC 2045 §5.1, RFC 2183 §2; Dovecot sends them
    ///   as written, Letterbox upper-cased);
    /// - a text part without a charset parameter gets `CHARSET "US-ASCII"` (RFC 2045 §5.2's
    ///   default, which Dovecot writes out and Letterbox leaves implicit).
    static func normalized(_ value: IMAPValue) -> IMAPValue {
        guard case .list(var items) = value, !items.isEmpty else { return value }
        if case .list = items[0] {
            var index = 0
            while index < items.count, case .list = items[index] {
                items[index] = normalized(items[index])
                index += 1
            }
            if index < items.count { items[index] = upper(items[index]) }
            if index + 1 < items.count { items[index + 1] = parameters(items[index + 1], isText: false) }
            if index + 2 < items.count { items[index + 2] = disposition(items[index + 2]) }
            return .list(items)
        }
        guard items.count >= 7 else { return value }
        items[0] = upper(items[0])
        items[1] = upper(items[1])
        let (type, subtype) = (text(items[0]), text(items[1]))
        items[2] = parameters(items[2], isText: type == "TEXT")
        items[5] = upper(items[5])
        var extensions = 7
        if type == "MESSAGE" && (subtype == "RFC822" || subtype == "GLOBAL") && items.count >= 10 {
            items[8] = normalized(items[8])
            extensions = 10
        } else if type == "TEXT" {
            extensions = 8
        }
        if extensions + 1 < items.count { items[extensions + 1] = disposition(items[extensions + 1]) }
        return .list(items)
    }

    /// Every numbered part (RFC 3501 §6.4.5), depth-first: a multipart's children are numbered
    /// below it, an encapsulated message's parts below its message/rfc822 part; a single-part
    /// message is part 1.
    static func parts(of value: IMAPValue) -> [(path: [Int], isMultipart: Bool, isMessage: Bool)] {
        var result: [(path: [Int], isMultipart: Bool, isMessage: Bool)] = []
        func children(of value: IMAPValue) -> [IMAPValue] {
            guard case .list(let items) = value else { return [] }
            return items.prefix { if case .list = $0 { true } else { false } }
        }
        func visit(_ value: IMAPValue, _ path: [Int]) {
            guard case .list(let items) = value, !items.isEmpty else { return }
            let multipart = !children(of: value).isEmpty
            let message =
                !multipart && items.count >= 10 && text(upper(items[0])) == "MESSAGE"
                && ["RFC822", "GLOBAL"].contains(text(upper(items[1])))
            result.append((path, multipart, message))
            if multipart {
                for (offset, child) in children(of: value).enumerated() { visit(child, path + [offset + 1]) }
            } else if message {
                numbered(items[8], below: path)
            }
        }
        func numbered(_ message: IMAPValue, below path: [Int]) {
            let parts = children(of: message)
            if parts.isEmpty {
                visit(message, path + [1])
            } else {
                for (offset, child) in parts.enumerated() { visit(child, path + [offset + 1]) }
            }
        }
        numbered(value, below: [])
        return result
    }

    private static func upper(_ value: IMAPValue) -> IMAPValue {
        guard case .string(let bytes) = value else { return value }
        return .string(bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 })
    }

    private static func text(_ value: IMAPValue) -> String {
        guard case .string(let bytes) = value else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func parameters(_ value: IMAPValue, isText: Bool) -> IMAPValue {
        var pairs: [IMAPValue] = []
        if case .list(let items) = value { pairs = items }
        var hasCharset = false
        for index in stride(from: 0, to: pairs.count - 1, by: 2) {
            pairs[index] = upper(pairs[index])
            if text(pairs[index]) == "CHARSET" {
                hasCharset = true
                pairs[index + 1] = upper(pairs[index + 1])
            }
        }
        if isText && !hasCharset { pairs += [.string(Array("CHARSET".utf8)), .string(Array("US-ASCII".utf8))] }
        return pairs.isEmpty ? .nilValue : .list(pairs)
    }

    private static func disposition(_ value: IMAPValue) -> IMAPValue {
        guard case .list(let items) = value, items.count == 2 else { return value }
        return .list([upper(items[0]), parameters(items[1], isText: false)])
    }
}
