import LetterboxMIME
import Testing

@Suite("Address lists (RFC 5322 §3.4)")
struct MailAddressTests {
    @Test("display names, quoted strings holding commas, bare addresses")
    func mixedList() {
        let list = MailAddress.parseList(
            #""Lima, Ana" <ana@example.net>, Bob Stone <bob@example.com>, carol@example.com"#)
        #expect(
            list == [
                MailAddress(name: "Lima, Ana", address: "ana@example.net"),
                MailAddress(name: "Bob Stone", address: "bob@example.com"),
                MailAddress(address: "carol@example.com"),
            ])
    }

    @Test("angle address without a name")
    func angleOnly() {
        #expect(MailAddress.parseList("<ana@example.net>") == [MailAddress(address: "ana@example.net")])
    }

    @Test("groups are flattened into their members; empty groups give nothing")
    func groups() {
        let list = MailAddress.parseList(#"Team: dave@example.com, "Eve E." <eve@example.com>;, frank@example.com"#)
        #expect(list.map(\.address) == ["dave@example.com", "eve@example.com", "frank@example.com"])
        #expect(list[1].name == "Eve E.")
        #expect(MailAddress.parseList("undisclosed-recipients:;").isEmpty)
    }

    @Test("comments are ignored wherever they appear")
    func comments() {
        let list = MailAddress.parseList("ana@example.net (Ana (at work)), Bob (the builder) <bob@example.com>")
        #expect(
            list == [
                MailAddress(address: "ana@example.net"),
                MailAddress(name: "Bob", address: "bob@example.com"),
            ])
    }

    @Test("RFC 2047 display names, in atoms or (non-standard) inside quotes")
    func encodedNames() {
        let list = MailAddress.parseList(
            #"=?UTF-8?Q?Jos=C3=A9?= =?UTF-8?Q?_Garc=C3=ADa?= <jose@example.com>, "#
                + #""=?iso-8859-1?q?Andr=E9?=" <andre@example.fr>"#)
        #expect(list.map(\.name) == ["José García", "André"])
    }

    @Test("an encoded word holding a comma is not split")
    func encodedComma() {
        #expect(
            MailAddress.parseList("=?utf-8?Q?Lima,_Ana?= <ana@example.net>")
                == [MailAddress(name: "Lima, Ana", address: "ana@example.net")])
    }

    @Test("UTF-8 names and addresses (RFC 6532)")
    func utf8() {
        #expect(
            MailAddress.parseList("Zoë Ångström <zoë@bücher.example>")
                == [MailAddress(name: "Zoë Ångström", address: "zoë@bücher.example")])
    }

    @Test("quoted pairs, dotted names, quoted local parts, routes and domain literals")
    func rarerForms() {
        #expect(MailAddress.parseList(#""Ana \"Nan\" Lima" <a@x.example>"#).first?.name == #"Ana "Nan" Lima"#)
        #expect(MailAddress.parseList("John Q. Public <jqp@example.com>").first?.name == "John Q. Public")
        #expect(MailAddress.parseList(#""john doe"@example.com"#).first?.address == #""john doe"@example.com"#)
        #expect(MailAddress.parseList("<@relay.example:ana@example.net>").first?.address == "ana@example.net")
        #expect(MailAddress.parseList("root@[192.0.2.1]").first?.address == "root@[192.0.2.1]")
    }

    @Test("malformed lists yield what can be understood and never crash")
    func malformed() {
        #expect(MailAddress.parseList("").isEmpty)
        #expect(MailAddress.parseList(" , ,").isEmpty)
        #expect(
            MailAddress.parseList("Ana <ana@example.net, bob@example.com").map(\.address)
                == ["ana@example.net", "bob@example.com"])
        #expect(MailAddress.parseList("\"unterminated <a@b>").isEmpty == false)
        #expect(MailAddress.parseList("<>").isEmpty)
        #expect(MailAddress.parseList("MAILER DAEMON <>") == [MailAddress(name: "MAILER DAEMON", address: "")])
        #expect(MailAddress.parseList("a@b.example>;;: ,<<((").map(\.address).first == "a@b.example")
    }

    @Test("description quotes the name only when it needs quotes")
    func description() {
        #expect(MailAddress(name: "Ana Lima", address: "ana@example.net").description == "Ana Lima <ana@example.net>")
        #expect(
            MailAddress(name: "Lima, Ana", address: "ana@example.net").description
                == #""Lima, Ana" <ana@example.net>"#)
        #expect(MailAddress(name: #"Say "hi""#, address: "a@x").description == #""Say \"hi\"" <a@x>"#)
        #expect(MailAddress(address: "ana@example.net").description == "ana@example.net")
        #expect(MailAddress(name: "", address: "a@x").name == nil)
    }

    @Test("the shortcut for a bare addr-spec answers for plain fields and always as the full parser does")
    func bareAddressShortcut() {
        for plain in ["ana@example.com", "  bench@example.com\t", "a.b+tag@mail.example.org", "x!#$%&'*+-/=?^_`{|}~@y"]
        {
            #expect(MailAddress.bareAddress(plain) != nil, "\(plain.debugDescription) takes the shortcut")
        }
        let written = [
            "", " ", "@", "a@", "@b", "a@@b", "a@b@c", ".a@b", "a.@b", "a..b@c", "a@.b", "a@b.", "a@b..c", "a b@c",
            "a@b c", "<a@b>", "A <a@b>", "a@b, c@d", "a@b;", "\"a\"@b", "a@[192.0.2.1]", "a(c)@b", "ä@b", "a@b\r\n",
            "a\u{0}@b", "Ana@Example.COM", "a@b (Ana)",
        ]
        // Random fields over the octets that matter to the shortcut, from a fixed seed: a mostly
        // plain local part, `@`, a mostly plain domain, each octet sometimes one of the others.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let others = Array(".@ \t<>\",;:()[]\\ä+-".unicodeScalars)
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let random: [String] = (0..<5000).map { _ in
            var field = ""
            for position in 0..<(next() % 8 + 3) {
                if position == 3 {
                    field += "@"
                } else {
                    field.unicodeScalars.append(next() % 4 == 0 ? others[next() % others.count] : "a")
                }
            }
            return field
        }
        var shortcuts = 0
        for field in written + random {
            guard let address = MailAddress.bareAddress(field) else { continue }
            shortcuts += 1
            #expect([address] == MailAddress.parseListFully(field), "\(field.debugDescription)")
        }
        #expect(shortcuts > 100, "the random fields include bare addresses")
    }
}
