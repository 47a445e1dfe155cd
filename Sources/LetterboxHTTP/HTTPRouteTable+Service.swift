extension HTTPRouteTable {
    /// The service: health, metrics, certificate, this document.
    static let service: [Entry] = [
        Entry(
            "/healthz", { _ in .health },
            get: OpenAPIOperation("Liveness", tag: "service", responses: [.ok("`ok`.", .plainText)])
        ),
        Entry(
            "/metrics", { _ in .metrics },
            get: OpenAPIOperation(
                "Prometheus metrics", tag: "service",
                responses: [
                    .ok(
                        "Prometheus text exposition 0.0.4: messages and bytes stored, received, sessions open per protocol, protocol errors, faults injected.",
                        .plainText)
                ])
        ),
        Entry(
            "/tls/certificate.pem", { _ in .tlsCertificate },
            get: OpenAPIOperation(
                "The mail ports' TLS certificate", description: "404 when TLS is off.", tag: "service",
                responses: [.ok("PEM.", .init("application/x-pem-file", .string)), .notFound])
        ),
        Entry(
            "/openapi.json", { _ in .openAPI },
            get: OpenAPIOperation("This document", tag: "service", responses: [.ok("OpenAPI 3.1.", .json(.object))])
        ),
    ]
}
