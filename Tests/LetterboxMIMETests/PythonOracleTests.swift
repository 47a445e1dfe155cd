import Foundation
import LetterboxMIME
import TestSupport
import Testing

/// Compares this module with Python's `email` package (`policy=email.policy.default`) on every
/// fixture: decoded subject, From and To addresses, the content types of the part tree in
/// depth-first order, and file names. `Fixtures/messages/oracle.py` prints Python's view.
@Suite(
    "Python email package as an oracle",
    .enabled("python3 is not installed (apt-get install python3; .ci/run does this)") {
        await PythonOracle.isAvailable() || ThirdPartyProgram.isRequired
    })
struct PythonOracleTests {
    /// Where this module deliberately differs from Python, by fixture and field, and why.
    static let deliberateDifferences: [String: [String: String]] = [
        "headers-8bit-latin1.eml": [
            "subject":
                "8-bit header bytes that are not UTF-8 are read as ISO-8859-1 (what the sender most likely meant); "
                + "Python keeps them as undecodable bytes"
        ],
        "deep-nesting-over-limit.eml": [
            "types":
                "nesting deeper than MIMEPart.maximumDepth (40) is not parsed, so hostile input cannot exhaust "
                + "the stack; Python follows all 60 levels"
        ],
        "encoded-headers.eml": [
            "from":
                "whitespace between adjacent encoded words is dropped (RFC 2047 §6.2), so \"=?..?= =?..?=\" "
                + "gives \"María José\"; Python keeps it in display names and gives two spaces"
        ],
        "delivery-status.eml": [
            "types":
                "message/delivery-status is a leaf, as IMAP's BODYSTRUCTURE has it (RFC 3501 §7.4.2 nests only "
                + "message/rfc822); Python parses each group of its fields as a text/plain sub-message"
        ],
        "empty-parts.eml": [
            "types":
                "two delimiter lines in a row enclose an empty part, so part numbers follow the delimiters "
                + "(what an IMAP client sees); Python drops the empty part"
        ],
        "message-rfc822-base64.eml": [
            "types":
                "a message/rfc822 part with a base64 transfer encoding (forbidden by RFC 2046 §5.2.1) stays a leaf; "
                + "Python parses the still-encoded text as if it were a message"
        ],
    ]

    @Test("every fixture agrees with Python, except for the differences named above")
    func compare() async throws {
        let files = try Fixture.allMessages()
        #expect(files.count >= 40)
        let python = try await PythonOracle.describe(files.map { Fixture.directory.appendingPathComponent($0).path })
        try #require(python.count == files.count)
        var differencesSeen: Set<String> = []
        for (name, expected) in zip(files, python) {
            let ours = PythonOracle.Description(try Fixture.bytes(name))
            let deliberate = Self.deliberateDifferences[name] ?? [:]
            for (field, same) in ours.compare(with: expected) {
                if deliberate[field] != nil {
                    #expect(!same, "\(name): \(field) no longer differs from Python; remove it from the list")
                    differencesSeen.insert("\(name) \(field)")
                } else {
                    #expect(
                        same, "\(name): \(field) differs: ours \(ours.field(field)), Python \(expected.field(field))")
                }
            }
        }
        let listed = Self.deliberateDifferences.flatMap { name, fields in fields.keys.map { "\(name) \($0)" } }
        #expect(Set(listed) == differencesSeen)
    }
}

/// Runs `Fixtures/messages/oracle.py` and reads its JSON.
enum PythonOracle {
    static let script = Fixture.directory.appendingPathComponent("oracle.py")

    /// Whether `python3` with its `email` package runs here (waited for off the cooperative pool).
    static func isAvailable() async -> Bool {
        await runQuietly("/usr/bin/env", ["python3", "-c", "import email.policy"])
    }

    /// What both sides report for one message.
    struct Description: Equatable {
        var subject: String
        var from: [[String?]]
        var to: [[String?]]
        var types: [String]
        var filenames: [String]

        init(_ raw: [UInt8]) {
            let root = MIMEPart(parsing: raw)
            subject = root.headers.subject
            from = root.headers.from.map { [$0.name, $0.address] }
            to = root.headers.to.map { [$0.name, $0.address] }
            var types: [String] = []
            var filenames: [String] = []
            var stack = [root]
            while let part = stack.popLast() {
                types.append(part.contentType.mimeType)
                if let filename = part.filename, !filename.isEmpty { filenames.append(filename) }
                stack.append(contentsOf: part.children.reversed())
            }
            self.types = types
            self.filenames = filenames
        }

        init(json: [String: Any]) {
            func addresses(_ key: String) -> [[String?]] {
                ((json[key] as? [[Any]]) ?? []).map { pair in pair.map { $0 as? String } }
            }
            subject = json["subject"] as? String ?? ""
            from = addresses("from")
            to = addresses("to")
            types = json["types"] as? [String] ?? []
            filenames = json["filenames"] as? [String] ?? []
        }

        /// Each field's name and whether both sides agree on it.
        func compare(with other: Description) -> [(String, Bool)] {
            [
                ("subject", subject == other.subject), ("from", from == other.from), ("to", to == other.to),
                ("types", types == other.types), ("filenames", filenames == other.filenames),
            ]
        }

        func field(_ name: String) -> String {
            switch name {
            case "subject": subject.debugDescription
            case "from": "\(from)"
            case "to": "\(to)"
            case "types": "\(types)"
            default: "\(filenames)"
            }
        }
    }

    /// Runs the oracle on a thread of its own: waiting for Python must not hold one of the
    /// cooperative pool's few threads, nor one of Dispatch's (``onOwnThread(_:)``).
    static func describe(_ paths: [String]) async throws -> [Description] {
        try await onOwnThread { try describeNow(paths) }
    }

    private static func describeNow(_ paths: [String]) throws -> [Description] {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + paths
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { throw OracleError(status: process.terminationStatus) }
        return array.map(Description.init(json:))
    }

    struct OracleError: Error, CustomStringConvertible {
        var status: Int32
        var description: String { "oracle.py exited with status \(status)" }
    }
}
