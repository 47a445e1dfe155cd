import LetterboxFaults

/// `/faults` and `/faults/{id}`: list, add and remove SMTP fault rules while sessions run.
enum FaultEndpoints {
    /// `GET` lists every rule, `POST` adds the rule in the body, `DELETE` removes them all.
    static func respond(to request: HTTPRequest, faults: FaultInjector, json: Bool) throws(HTTPRequestError)
        -> HTTPResponse
    {
        switch request.method {
        case "POST":
            let rule = try rule(in: request.body)
            let id = faults.add(rule)
            let status = FaultStatus(id: id, rule: rule, hits: 0)
            var response =
                json ? HTTPResponse.json(object(status), status: .created) : .text(line(status), status: .created)
            response.headers["Location"] = "/faults/\(id)"
            return response
        case "DELETE":
            return .text("\(faults.removeAll())\n")
        default:
            let rules = faults.rules
            return json ? .json(.array(rules.map(object))) : .text(rules.map(line).joined())
        }
    }

    /// `GET` shows one rule, `DELETE` removes it; 404 when there is no rule with that id.
    static func respond(to request: HTTPRequest, faults: FaultInjector, id idText: String, json: Bool)
        throws(HTTPRequestError) -> HTTPResponse
    {
        guard let id = DecimalParameter.unsigned(idText, as: UInt.self).map({ Int(clamping: $0) }) else {
            throw .badRequest("fault id must be a number, got \"\(idText)\"")
        }
        if request.method == "DELETE" {
            guard faults.remove(id: id) else { throw noSuchRule(id) }
            return .text("1\n")
        }
        guard let status = faults.rule(id: id) else { throw noSuchRule(id) }
        return json ? .json(object(status)) : .text(line(status))
    }

    /// The one rule a `POST` body holds (a trailing line break is allowed).
    private static func rule(in body: [UInt8]) throws(HTTPRequestError) -> FaultRule {
        var text = String(decoding: body, as: UTF8.self)
        while text.last?.isNewline == true { text.removeLast() }
        guard !text.contains(where: \.isNewline) else {
            throw .badRequest("bad fault rule: POST /faults takes one rule per request, on one line")
        }
        do {
            return try FaultRule(parsing: text)
        } catch {
            throw .badRequest("bad fault rule: \(error.description)")
        }
    }

    private static func noSuchRule(_ id: Int) -> HTTPRequestError {
        HTTPRequestError(.notFound, "no fault rule with id \(id)")
    }

    /// `id<TAB>rule<TAB>hits=N<TAB>active|expired` and a line feed.
    static func line(_ status: FaultStatus) -> String {
        let state = status.isExpired ? "expired" : "active"
        return "\(status.id)\t\(status.rule.description.singleLine)\thits=\(status.hits)\t\(state)\n"
    }

    static func object(_ status: FaultStatus) -> JSONValue {
        let rule = status.rule
        return .object([
            ("id", .int(status.id)),
            ("rule", .string(rule.description)),
            ("stage", .string(rule.trigger.stage.rawValue)),
            ("pattern", rule.trigger.pattern.map { .string($0.description) } ?? .null),
            ("action", .string(rule.action.description)),
            ("times", rule.times.map { .int($0) } ?? .null),
            ("hits", .int(status.hits)),
            ("expired", .bool(status.isExpired)),
        ])
    }
}
