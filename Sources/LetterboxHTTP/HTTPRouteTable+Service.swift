extension HTTPRouteTable {
    /// The service: health, metrics, certificate, this document.
    static let service: [Entry] = [
        Entry(
            "/healthz", { _ in .health },
            get: #"""
                {
                  "summary": "Liveness",
                  "tags": [
                    "service"
                  ],
                  "responses": {
                    "200": {
                      "description": "`ok`.",
                      "content": {
                        "text/plain": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/metrics", { _ in .metrics },
            get: #"""
                {
                  "summary": "Prometheus metrics",
                  "tags": [
                    "service"
                  ],
                  "responses": {
                    "200": {
                      "description": "Prometheus text exposition 0.0.4: messages and bytes stored, received, sessions open per protocol, protocol errors, faults injected.",
                      "content": {
                        "text/plain": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/tls/certificate.pem", { _ in .tlsCertificate },
            get: #"""
                {
                  "summary": "The mail ports' TLS certificate",
                  "description": "404 when TLS is off.",
                  "tags": [
                    "service"
                  ],
                  "responses": {
                    "200": {
                      "description": "PEM.",
                      "content": {
                        "application/x-pem-file": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/openapi.json", { _ in .openAPI },
            get: #"""
                {
                  "summary": "This document",
                  "tags": [
                    "service"
                  ],
                  "responses": {
                    "200": {
                      "description": "OpenAPI 3.1.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "type": "object"
                          }
                        }
                      }
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
    ]
}
