extension HTTPRouteTable {
    /// The web inbox and its live events.
    static let inbox: [Entry] = [
        Entry(
            "/", { _ in .inboxPage },
            get: #"""
                {
                  "summary": "The web inbox, or an index of the endpoints",
                  "tags": [
                    "inbox"
                  ],
                  "responses": {
                    "200": {
                      "description": "The inbox page for browsers (`Accept: text/html`); a plain-text index of the endpoints otherwise. Cached with an ETag.",
                      "content": {
                        "text/html": {
                          "schema": {
                            "type": "string"
                          }
                        },
                        "text/plain": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "304": {
                      "description": "Not modified (`If-None-Match`)."
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/events", { _ in .events },
            get: #"""
                {
                  "summary": "Live events (Server-Sent Events)",
                  "tags": [
                    "inbox"
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
                      "name": "Last-Event-ID",
                      "in": "header",
                      "required": false,
                      "description": "The last `id:` received; the stream resumes after it.",
                      "schema": {
                        "type": "string"
                      }
                    },
                    {
                      "name": "lastEventId",
                      "in": "query",
                      "required": false,
                      "description": "As `Last-Event-ID`, for clients that cannot set the field.",
                      "schema": {
                        "type": "integer",
                        "minimum": 0
                      }
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "An endless `text/event-stream` (WHATWG HTML §9.2):\n- `event: message`, `id: <message id>`, `data:` one `GET /messages.json` entry (see MessageSummary) — a message arrived that the filters select;\n- `event: deleted`, `data: {\"ids\":[…]}` (see DeletedEvent);\n- `event: flags`, `data: {\"id\":…,\"flags\":[…],\"seen\":…}` (see FlagsEvent) — e.g. read/unread;\n- `event: reset`, `data: {}` — a resume asked for events no longer kept: reload the list;\n- `retry: 1000` first, and comment lines (`: keep-alive`) every 15 s as heartbeats.\nReconnecting with `Last-Event-ID` (or `?lastEventId=`) resends the matching events after that id. A consumer that falls behind is disconnected, never buffered without limit. Counts against the long-poll limit (503 beyond it).",
                      "content": {
                        "text/event-stream": {
                          "schema": {
                            "type": "string"
                          },
                          "x-events": {
                            "message": {
                              "$ref": "#/components/schemas/MessageSummary"
                            },
                            "deleted": {
                              "$ref": "#/components/schemas/DeletedEvent"
                            },
                            "flags": {
                              "$ref": "#/components/schemas/FlagsEvent"
                            },
                            "reset": {
                              "type": "object"
                            }
                          }
                        }
                      }
                    },
                    "400": {
                      "$ref": "#/components/responses/BadRequest"
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
            "/inbox.js", { _ in .inboxScript },
            get: #"""
                {
                  "summary": "The inbox page's script",
                  "tags": [
                    "inbox"
                  ],
                  "responses": {
                    "200": {
                      "description": "The inbox page's script; `ETag`, revalidate with `If-None-Match`.",
                      "headers": {
                        "ETag": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      },
                      "content": {
                        "text/javascript": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "304": {
                      "description": "Not modified."
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/inbox.css", { _ in .inboxStyle },
            get: #"""
                {
                  "summary": "The inbox page's style",
                  "tags": [
                    "inbox"
                  ],
                  "responses": {
                    "200": {
                      "description": "The inbox page's style; `ETag`, revalidate with `If-None-Match`.",
                      "headers": {
                        "ETag": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      },
                      "content": {
                        "text/css": {
                          "schema": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "304": {
                      "description": "Not modified."
                    },
                    "default": {
                      "$ref": "#/components/responses/Error"
                    }
                  }
                }
                """#
        ),
        Entry(
            "/inbox/list.json", { _ in .inboxList },
            get: #"""
                {
                  "summary": "The inbox list: every matching id and the first entries",
                  "tags": [
                    "inbox"
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
                      "name": "limit",
                      "in": "query",
                      "description": "Entries to render, 100 by default, at most 500.",
                      "schema": {
                        "type": "integer",
                        "minimum": 0
                      }
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "Every matching id, newest first, and the list entries of the first `limit`.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "type": "object",
                            "required": [
                              "ids",
                              "entries"
                            ],
                            "properties": {
                              "ids": {
                                "type": "array",
                                "items": {
                                  "type": "integer"
                                }
                              },
                              "entries": {
                                "type": "array",
                                "items": {
                                  "$ref": "#/components/schemas/MessageSummary"
                                }
                              }
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
                """#
        ),
        Entry(
            "/inbox/mailboxes.json", { _ in .inboxMailboxes },
            get: #"""
                {
                  "summary": "The mailbox names, INBOX first",
                  "tags": [
                    "inbox"
                  ],
                  "responses": {
                    "200": {
                      "description": "Names.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "type": "array",
                            "items": {
                              "type": "string"
                            }
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
            "/inbox/entries.json", { _ in .inboxEntries },
            get: #"""
                {
                  "summary": "List entries of some messages",
                  "tags": [
                    "inbox"
                  ],
                  "parameters": [
                    {
                      "name": "ids",
                      "in": "query",
                      "description": "Message ids separated by commas, at most 500.",
                      "schema": {
                        "type": "string",
                        "pattern": "^[0-9]+(,[0-9]+)*$",
                        "examples": [
                          "1,2"
                        ]
                      }
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The entries of those ids still stored, in order.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "type": "object",
                            "required": [
                              "entries"
                            ],
                            "properties": {
                              "entries": {
                                "type": "array",
                                "items": {
                                  "$ref": "#/components/schemas/MessageSummary"
                                }
                              }
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
                """#
        ),
        Entry(
            "/messages/{id}/view", { .view(id: $0.id) },
            get: #"""
                {
                  "summary": "The HTML body for the inbox's sandboxed frame",
                  "tags": [
                    "inbox"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    },
                    {
                      "name": "remote",
                      "in": "query",
                      "description": "`1` allows remote images and fonts.",
                      "schema": {
                        "type": "string",
                        "enum": [
                          "0",
                          "1"
                        ]
                      }
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The HTML body as a document for a sandboxed frame: `cid:` images inlined, remote content blocked by its `Content-Security-Policy` unless `remote=1`.",
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
            "/messages/{id}/seen", { .seen(id: $0.id) },
            put: #"""
                {
                  "summary": "Mark read (IMAP `\\Seen`, for every protocol)",
                  "tags": [
                    "inbox"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The message's new flags.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/FlagsEvent"
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
                """#,
            delete: #"""
                {
                  "summary": "Mark unread",
                  "tags": [
                    "inbox"
                  ],
                  "parameters": [
                    {
                      "$ref": "#/components/parameters/id"
                    }
                  ],
                  "responses": {
                    "200": {
                      "description": "The message's new flags.",
                      "content": {
                        "application/json": {
                          "schema": {
                            "$ref": "#/components/schemas/FlagsEvent"
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
        ),
    ]
}
