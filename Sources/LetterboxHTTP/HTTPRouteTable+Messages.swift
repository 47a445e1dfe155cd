extension HTTPRouteTable {
    /// Messages: list, wait, read, delete.
    static let messages: [Entry] = [
        Entry(
            "/messages", { _ in .messages(json: false) },
            get: #"""
                {
                  "summary": "List messages",
                  "description": "Plain text by default; JSON with the `.json` suffix or `Accept: application/json`. Without `mailbox`, the messages captured over SMTP, wherever an IMAP client moved them.",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/to"
                    },
                    {
                      "$ref": "#/components/parameters/from"
                    },
                    {
                      "$ref": "#/components/parameters/subject"
                    },
                    {
                      "$ref": "#/components/parameters/since"
                    },
                    {
                      "$ref": "#/components/parameters/contains"
                    },
                    {
                      "$ref": "#/components/parameters/mailbox"
                    },
                    {
                      "$ref": "#/components/parameters/q"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "One line per matching message, oldest first: `id⇥receivedAt⇥envelope sender⇥envelope recipients⇥subject` (or the JSON array).",
                      "content": {
                        "text/plain": {
                          "schema": {
                            "type": "string"
                          }
                        },
                        "application/json": {
                          "schema": {
                            "type": "array",
                            "items": {
                              "$ref": "#/components/schemas/MessageSummary"
                            }
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#,
            delete: deleteMessages
        ),
        Entry(
            "/messages.json", { _ in .messages(json: true) },
            get: #"""
                {
                  "summary": "List messages as JSON",
                  "description": "JSON array. Without `mailbox`, the messages captured over SMTP, wherever an IMAP client moved them.",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/to"
                    },
                    {
                      "$ref": "#/components/parameters/from"
                    },
                    {
                      "$ref": "#/components/parameters/subject"
                    },
                    {
                      "$ref": "#/components/parameters/since"
                    },
                    {
                      "$ref": "#/components/parameters/contains"
                    },
                    {
                      "$ref": "#/components/parameters/mailbox"
                    },
                    {
                      "$ref": "#/components/parameters/q"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The matching messages, oldest first.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "type": "array",
                            "items": {
                              "$ref": "#/components/schemas/MessageSummary"
                            }
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#,
            delete: deleteMessages
        ),
        Entry(
            "/messages/wait", { _ in .wait(json: false) },
            get: #"""
                {
                  "summary": "Wait for a matching message (long poll)",
                  "description": "Answers at once when a stored message matches (messages that arrived before the request count), else when one arrives, else 408 at the timeout. Woken by arrival, never by polling.",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/to"
                    },
                    {
                      "$ref": "#/components/parameters/from"
                    },
                    {
                      "$ref": "#/components/parameters/subject"
                    },
                    {
                      "$ref": "#/components/parameters/since"
                    },
                    {
                      "$ref": "#/components/parameters/contains"
                    },
                    {
                      "$ref": "#/components/parameters/mailbox"
                    },
                    {
                      "$ref": "#/components/parameters/q"
                    },
                    {
                      "$ref": "#/components/parameters/timeout"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The first matching message: header lines, an empty line, the text body (or the detailed JSON object).",
                      "content": {
                        "text/plain": {
                          "schema": {
                            "type": "string"
                          }
                        },
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/MessageDetail"
                          }
                        }
                      },
                      "headers": {
                        "X-Message-Id": {
                          "description": "The message's id.",
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "408": {
                      "$ref": "#/components/responses/Timeout"
                    },
                    "503": {
                      "$ref": "#/components/responses/Busy"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/messages/wait.json", { _ in .wait(json: true) },
            get: #"""
                {
                  "summary": "Wait for a matching message (long poll)",
                  "description": "Answers at once when a stored message matches (messages that arrived before the request count), else when one arrives, else 408 at the timeout. Woken by arrival, never by polling.",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/to"
                    },
                    {
                      "$ref": "#/components/parameters/from"
                    },
                    {
                      "$ref": "#/components/parameters/subject"
                    },
                    {
                      "$ref": "#/components/parameters/since"
                    },
                    {
                      "$ref": "#/components/parameters/contains"
                    },
                    {
                      "$ref": "#/components/parameters/mailbox"
                    },
                    {
                      "$ref": "#/components/parameters/q"
                    },
                    {
                      "$ref": "#/components/parameters/timeout"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The first matching message, detailed.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/MessageDetail"
                          }
                        }
                      },
                      "headers": {
                        "X-Message-Id": {
                          "description": "The message's id.",
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "408": {
                      "$ref": "#/components/responses/Timeout"
                    },
                    "503": {
                      "$ref": "#/components/responses/Busy"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/messages/{id}", { .message(id: $0.id, json: false) },
            get: #"""
                {
                  "summary": "Show one message",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "Header lines a person reads (From, To, Cc, Subject, Date, Envelope-From, Envelope-To), an empty line, the text body (or the detailed JSON object).",
                      "content": {
                        "text/plain": {
                          "schema": {
                            "type": "string"
                          }
                        },
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/MessageDetail"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#,
            delete: deleteMessagesId
        ),
        Entry(
            "/messages/{id}.json", { .message(id: $0.id, json: true) },
            get: #"""
                {
                  "summary": "Show one message",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The message with its text, HTML, headers, attachments and part tree.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/MessageDetail"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#,
            delete: deleteMessagesId
        ),
        Entry(
            "/messages/{id}/raw", { .raw(id: $0.id) },
            get: #"""
                {
                  "summary": "The exact bytes received",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The message as received over SMTP (dot-unstuffed).",
                      "content": {
                        "message/rfc822": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/messages/{id}/html", { .html(id: $0.id) },
            get: #"""
                {
                  "summary": "The decoded HTML body",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The first inline text/html part, decoded; 404 when there is none.",
                      "content": {
                        "text/html": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/messages/{id}/headers", { .headers(id: $0.id, json: false) },
            get: #"""
                {
                  "summary": "The header section",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The raw header section, as received (or decoded name/value pairs as JSON).",
                      "content": {
                        "text/plain": {
                          "schema": {
                            "type": "string"
                          }
                        },
                        "application/json": {
                          "schema": {
                            "type": "array",
                            "items": {
                              "$ref": "#/components/schemas/HeaderField"
                            }
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/messages/{id}/headers.json", { .headers(id: $0.id, json: true) },
            get: #"""
                {
                  "summary": "The header section",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "Every header field in order, encoded words decoded.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "type": "array",
                            "items": {
                              "$ref": "#/components/schemas/HeaderField"
                            }
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/messages/{id}/parts", { .parts(id: $0.id, json: false) },
            get: #"""
                {
                  "summary": "The MIME parts",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "One line per numbered part: `section⇥content type⇥disposition⇥file name⇥decoded size` (or the part tree as JSON).",
                      "content": {
                        "text/plain": {
                          "schema": {
                            "type": "string"
                          }
                        },
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/Part"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/messages/{id}/parts.json", { .parts(id: $0.id, json: true) },
            get: #"""
                {
                  "summary": "The MIME parts",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The whole MIME part tree, root first.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/Part"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/messages/{id}/parts/{path}", { .part(id: $0.id, path: $0.path) },
            get: #"""
                {
                  "summary": "One part's decoded bytes",
                  "tags": [
                    "messages"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    },
                    {
                      "name": "path",
                      "in": "path",
                      "required": true,
                      "description": "IMAP section number, e.g. `1` or `1.2`.",
                      "schema": {
                        "type": "string",
                        "pattern": "^[0-9]+(\\.[0-9]+)*$",
                        "examples": [
                          "1",
                          "1.2"
                        ]
                      }
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The part's decoded body with its content type (and charset for text) and, when it has one, `Content-Disposition: inline; filename*=…`.",
                      "content": {
                        "*/*": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
                    },
                    "404": {
                      "$ref": "#/components/responses/NotFound"
                    },
                    "500": {
                      "$ref": "#/components/responses/Unreadable"
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
    ]

    /// Described once for the plain-text and JSON forms of the path.
    private static let deleteMessages = #"""
        {
          "summary": "Delete the matching messages (all without filters)",
          "description": "The same filters as the list, `q` included: the web inbox's \"delete all matching\".",
          "tags": [
            "messages"
          ],
          "parameters": [
            {
              "$ref": "#/components/parameters/to"
            },
            {
              "$ref": "#/components/parameters/from"
            },
            {
              "$ref": "#/components/parameters/subject"
            },
            {
              "$ref": "#/components/parameters/since"
            },
            {
              "$ref": "#/components/parameters/contains"
            },
            {
              "$ref": "#/components/parameters/mailbox"
            },
            {
              "$ref": "#/components/parameters/q"
            }
          ],
          "responses": {
            "200": {
              "description": "The number deleted.",
              "content": {
                "text/plain": {
                  "schema": {
                    "type": "string"
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "default": {
              "$ref": "#/components/responses/Error"
            }
          }
        }
        """#

    /// Described once for the plain-text and JSON forms of the path.
    private static let deleteMessagesId = #"""
        {
          "summary": "Delete one message, for every protocol",
          "tags": [
            "messages"
          ],
          "parameters": [
            {
              "$ref": "#/components/parameters/id"
            }
          ],
          "responses": {
            "200": {
              "description": "`1`.",
              "content": {
                "text/plain": {
                  "schema": {
                    "type": "string"
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "500": {
              "$ref": "#/components/responses/Unreadable"
            },
            "default": {
              "$ref": "#/components/responses/Error"
            }
          }
        }
        """#
}
