extension HTTPRouteTable {
    /// SMTP fault rules.
    static let faults: [Entry] = [
        Entry(
            "/faults", { .faults(json: $0.json) },
            get: OpenAPIOperation(
                "List SMTP fault rules", tag: "faults",
                responses: [
                    .ok(
                        "One line per rule: `id⇥rule⇥hits=N⇥active|expired`.", .plainText,
                        .json(.array(of: .shared("FaultRule"))))
                ]),
            post: OpenAPIOperation(
                "Add an SMTP fault rule", tag: "faults",
                requestBody: #"""
                    {
                      "required": true,
                      "description": "One rule on one line, e.g. `rcpt=bounce@*:550 5.1.1 no such user`.",
                      "content": {
                        "text/plain": {
                          "schema": {
                            "type": "string",
                            "minLength": 1,
                            "examples": ["rcpt=bounce@*:550 5.1.1 no such user"]
                          }
                        }
                      }
                    }
                    """#,
                responses: [
                    .created(
                        "The rule's line; `Location: /faults/{id}`.", .plainText, .json(.shared("FaultRule")),
                        headers: [.init("Location")]),
                    .badRequest, .forbidden,
                ]),
            delete: OpenAPIOperation(
                "Remove every fault rule", tag: "faults",
                responses: [.ok("The number removed.", .plainText), .forbidden]),
            jsonGet: .init(ok: "Every rule."),
            jsonPost: .init(ok: "The rule added; `Location: /faults/{id}`.")
        ),
        Entry(
            "/faults/{id}", { .fault(id: $0.id, json: $0.json) },
            get: OpenAPIOperation(
                "Show one fault rule", tag: "faults", parameters: [ruleID],
                responses: [
                    .ok("The rule's line.", .plainText, .json(.shared("FaultRule"))), .badRequest, .notFound,
                ]),
            delete: OpenAPIOperation(
                "Remove one fault rule", tag: "faults", parameters: [ruleID],
                responses: [.ok("`1`.", .plainText), .badRequest, .forbidden, .notFound]),
            jsonGet: .init(ok: "The rule.")
        ),
    ]

    /// A fault rule's id, in the path.
    private static let ruleID = OpenAPIOperation.Parameter(
        "id", in: "path", required: true, description: "A fault rule's id.",
        schema: .init(#"{"type": "integer", "minimum": 0, "examples": [1]}"#))
}
