import LetterboxFaults
import LetterboxHTTP
import LetterboxStore
import Testing

@Suite("Inspection API: /faults")
struct HTTPRouterFaultTests {
    let faults = FaultInjector()
    var router: HTTPRouter { HTTPRouter(store: MemoryStore(), faults: faults) }

    private func post(_ body: String, headers: HTTPHeaders = [:]) async throws -> HTTPResponse {
        await router.respond(
            to: try HTTPRequest(method: "POST", target: "/faults", headers: headers, body: Array(body.utf8)))
    }

    @Test("POST adds a rule and answers 201 with its line; GET lists id, rule, hits and state")
    func addAndList() async throws {
        let added = try await post("rcpt=bounce@*:550 5.1.1 times=1\r\n")
        #expect(added.status == .created)
        #expect(added.headers["Location"] == "/faults/1")
        #expect(added.bodyText == "1\trcpt=bounce@*:550 5.1.1 times=1\thits=0\tactive\n")
        _ = faults.decide(.rcpt, subjects: ["bounce@example.com"])
        #expect(try await router.get("/faults").bodyText == "1\trcpt=bounce@*:550 5.1.1 times=1\thits=1\texpired\n")
        #expect(try await router.get("/faults/1").bodyText == "1\trcpt=bounce@*:550 5.1.1 times=1\thits=1\texpired\n")
    }

    @Test("JSON on request, like the other endpoints")
    func json() async throws {
        let added = try await post("data:delay 5s", headers: ["Accept": "application/json"])
        #expect(
            added.bodyText
                == #"{"id":1,"rule":"data:delay 5s","stage":"data","pattern":null,"action":"delay 5s","times":null,"hits":0,"expired":false}"#
        )
        #expect(try await router.get("/faults.json").bodyText.hasPrefix(#"[{"id":1,"#))
    }

    @Test("bad rule text is a 400 with a one-line reason; nothing is added")
    func badText() async throws {
        let response = try await post("rcpt=bounce@*:250 2.0.0")
        #expect(response.status == .badRequest)
        #expect(response.bodyText == "bad fault rule: reply code must be 400-599, got 250\n")
        #expect(faults.rules.isEmpty)
    }

    @Test("DELETE removes one rule or all; unknown ids are 404, malformed ids 400")
    func delete() async throws {
        _ = try await post("mail:451")
        _ = try await post("rcpt:452")
        _ = try await post("data:drop")
        #expect(try await router.respond("DELETE", "/faults/2").bodyText == "1\n")
        #expect(try await router.respond("DELETE", "/faults/2").status == .notFound)
        #expect(try await router.get("/faults/x").status == .badRequest)
        #expect(try await router.respond("DELETE", "/faults").bodyText == "2\n")
        #expect(try await router.get("/faults").bodyText == "")
        #expect(try await router.respond("POST", "/faults/1").status == .methodNotAllowed)
    }
}
