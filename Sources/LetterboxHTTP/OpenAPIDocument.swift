/// The OpenAPI 3.1 description of every route, served at `GET /openapi.json` and embedded in the
/// binary (the image has no files beside it): this head and the shared components, with the
/// paths of ``HTTPRouteTable``, the table the router resolves paths with.
enum OpenAPIDocument {
    /// The document as UTF-8 JSON.
    static let json: [UInt8] = Array(text.utf8)

    /// The document as text.
    static let text = head + "\n" + HTTPRouteTable.pathsJSON + ",\n" + components

    private static let head = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Letterbox",
            "version": "1",
            "description": "The HTTP API of Letterbox, a mail catcher. Every route answers HEAD where it answers GET. Errors are one line of plain text. Lists and details are plain text by default and JSON with a `.json` suffix or `Accept: application/json`."
          },
          "tags": [
            {
              "name": "messages"
            },
            {
              "name": "faults"
            },
            {
              "name": "service"
            },
            {
              "name": "inbox"
            }
          ],
        """#

    private static let components = #"""
          "components": {
            "parameters": {
              "to": {
                "name": "to",
                "in": "query",
                "description": "Envelope recipients (Bcc too) and To/Cc headers contain this (case-insensitive).",
                "schema": {
                  "type": "string"
                }
              },
              "from": {
                "name": "from",
                "in": "query",
                "description": "Envelope sender or From header contains this.",
                "schema": {
                  "type": "string"
                }
              },
              "subject": {
                "name": "subject",
                "in": "query",
                "description": "Decoded subject contains this.",
                "schema": {
                  "type": "string"
                }
              },
              "since": {
                "name": "since",
                "in": "query",
                "description": "Only messages with a greater id.",
                "schema": {
                  "type": "integer",
                  "minimum": 0
                }
              },
              "contains": {
                "name": "contains",
                "in": "query",
                "description": "Decoded text body or HTML source contains this.",
                "schema": {
                  "type": "string"
                }
              },
              "mailbox": {
                "name": "mailbox",
                "in": "query",
                "description": "What this IMAP mailbox holds (`INBOX`, `Sent`, …); `*` every mailbox. Without it: the messages captured over SMTP.",
                "schema": {
                  "type": "string"
                }
              },
              "q": {
                "name": "q",
                "in": "query",
                "description": "A search: whitespace-separated tokens, all of which must hold: `to:` `from:` `subject:` (as the filters), `has:attachment`, `is:unread`, `is:read`, `before:` and `after:` (a UTC day `2026-12-07`, an instant `2026-12-07T10:00:00Z`, or a time ago `30m` `2h` `3d` `1w`; `after:` includes its day), `larger:` and `smaller:` (octets; `10k`, `1M`, powers of 1024), plain words and `\"quoted phrases\"` (as `contains`); `-` negates any token. Combines with the other filters. An unknown key or bad value is a 400 saying why.",
                "schema": {
                  "type": "string",
                  "examples": [
                    "to:ana@example.com is:unread -has:attachment",
                    "subject:\"your order\" after:2h"
                  ]
                }
              },
              "timeout": {
                "name": "timeout",
                "in": "query",
                "description": "Seconds to wait (fractions allowed), 30 by default, at most 300.",
                "schema": {
                  "type": "number",
                  "minimum": 0
                }
              },
              "id": {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "A message id (also its IMAP UID in INBOX).",
                "schema": {
                  "type": "integer",
                  "minimum": 0,
                  "examples": [
                    1
                  ]
                }
              }
            },
            "responses": {
              "Error": {
                "description": "An error: one line of plain text saying why (e.g. 405 with `Allow`, 413, 414, 431).",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "BadRequest": {
                "description": "A parameter cannot be read; the line says which and why.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "NotFound": {
                "description": "No such message, part or rule.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "Forbidden": {
                "description": "A state-changing request from another site (`Origin`/`Sec-Fetch-Site`), or a `Host` not served (DNS rebinding).",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "Timeout": {
                "description": "Nothing matched within the timeout; the line says what was awaited.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "Busy": {
                "description": "Too many long polls or event streams at once; retry later.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "Unreadable": {
                "description": "The message's file cannot be read (removed by another program); the line says why, without a server path.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              }
            },
            "schemas": {
              "Address": {
                "type": "object",
                "required": [
                  "address"
                ],
                "properties": {
                  "name": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "address": {
                    "type": "string"
                  }
                }
              },
              "Envelope": {
                "type": "object",
                "required": [
                  "from",
                  "recipients",
                  "helo",
                  "auth",
                  "peer",
                  "tls"
                ],
                "properties": {
                  "from": {
                    "type": "string",
                    "description": "MAIL FROM, empty for the null sender."
                  },
                  "recipients": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    },
                    "description": "Every RCPT TO, Bcc included."
                  },
                  "helo": {
                    "type": "string"
                  },
                  "auth": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "peer": {
                    "type": "string"
                  },
                  "tls": {
                    "oneOf": [
                      {
                        "type": "null"
                      },
                      {
                        "type": "object",
                        "required": [
                          "protocol",
                          "cipher"
                        ],
                        "properties": {
                          "protocol": {
                            "type": "string"
                          },
                          "cipher": {
                            "type": "string"
                          }
                        }
                      }
                    ]
                  }
                }
              },
              "MessageSummary": {
                "description": "One entry of `GET /messages.json`; also the data of an SSE `message` event and the body of a webhook POST. More members may be added.",
                "allOf": [
                  {
                    "$ref": "#/components/schemas/MessageFields"
                  },
                  {
                    "type": "object",
                    "properties": {
                      "attachments": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "How many attachments the message has."
                      }
                    }
                  }
                ]
              },
              "MessageFields": {
                "type": "object",
                "description": "The members a list entry and a detailed message share.",
                "required": [
                  "id",
                  "receivedAt",
                  "envelope",
                  "size",
                  "mailbox",
                  "captured"
                ],
                "properties": {
                  "id": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "receivedAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "envelope": {
                    "$ref": "#/components/schemas/Envelope"
                  },
                  "from": {
                    "type": [
                      "array",
                      "null"
                    ],
                    "items": {
                      "$ref": "#/components/schemas/Address"
                    }
                  },
                  "to": {
                    "type": [
                      "array",
                      "null"
                    ],
                    "items": {
                      "$ref": "#/components/schemas/Address"
                    }
                  },
                  "cc": {
                    "type": [
                      "array",
                      "null"
                    ],
                    "items": {
                      "$ref": "#/components/schemas/Address"
                    }
                  },
                  "subject": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "date": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The Date header as written."
                  },
                  "size": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "mailbox": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "captured": {
                    "type": "boolean"
                  },
                  "uid": {
                    "type": [
                      "integer",
                      "null"
                    ],
                    "description": "The message's UID in its mailbox."
                  },
                  "flags": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    },
                    "description": "IMAP flags (`\\Seen`, keywords)."
                  },
                  "seen": {
                    "type": "boolean",
                    "description": "Whether `\\Seen` is set (read)."
                  },
                  "bcc": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    },
                    "description": "Envelope recipients named in neither To nor Cc."
                  },
                  "unreadable": {
                    "type": "string",
                    "description": "Present when the message's bytes cannot be read: why."
                  }
                }
              },
              "MessageDetail": {
                "description": "`GET /messages/{id}.json`: the list entry's members (with `attachments` as a list, not a count) and the message's content.",
                "allOf": [
                  {
                    "$ref": "#/components/schemas/MessageFields"
                  },
                  {
                    "type": "object",
                    "properties": {
                      "text": {
                        "type": "string"
                      },
                      "html": {
                        "type": [
                          "string",
                          "null"
                        ]
                      },
                      "headers": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/HeaderField"
                        }
                      },
                      "attachments": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/Attachment"
                        }
                      },
                      "parts": {
                        "$ref": "#/components/schemas/Part"
                      }
                    }
                  }
                ]
              },
              "HeaderField": {
                "type": "object",
                "description": "`{name, value}`; a last `{omitted: n}` when a message has more fields than are parsed.",
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "value": {
                    "type": "string"
                  },
                  "omitted": {
                    "type": "integer"
                  }
                }
              },
              "Attachment": {
                "type": "object",
                "required": [
                  "part",
                  "contentType",
                  "size"
                ],
                "properties": {
                  "part": {
                    "type": "string"
                  },
                  "filename": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "contentType": {
                    "type": "string"
                  },
                  "size": {
                    "type": "integer"
                  },
                  "contentId": {
                    "type": [
                      "string",
                      "null"
                    ]
                  }
                }
              },
              "Part": {
                "type": "object",
                "required": [
                  "part",
                  "contentType",
                  "size",
                  "children"
                ],
                "properties": {
                  "part": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "contentType": {
                    "type": "string"
                  },
                  "disposition": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "filename": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "contentId": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "size": {
                    "type": "integer"
                  },
                  "octets": {
                    "type": "integer"
                  },
                  "lines": {
                    "type": "integer"
                  },
                  "children": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Part"
                    }
                  }
                }
              },
              "FaultRule": {
                "type": "object",
                "required": [
                  "id",
                  "rule",
                  "stage",
                  "action",
                  "hits",
                  "expired"
                ],
                "properties": {
                  "id": {
                    "type": "integer"
                  },
                  "rule": {
                    "type": "string"
                  },
                  "stage": {
                    "type": "string"
                  },
                  "pattern": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "action": {
                    "type": "string"
                  },
                  "times": {
                    "type": [
                      "integer",
                      "null"
                    ]
                  },
                  "hits": {
                    "type": "integer"
                  },
                  "expired": {
                    "type": "boolean"
                  }
                }
              },
              "DeletedEvent": {
                "type": "object",
                "required": [
                  "ids"
                ],
                "properties": {
                  "ids": {
                    "type": "array",
                    "items": {
                      "type": "integer"
                    }
                  }
                }
              },
              "FlagsEvent": {
                "type": "object",
                "required": [
                  "id",
                  "flags",
                  "seen"
                ],
                "properties": {
                  "id": {
                    "type": "integer"
                  },
                  "flags": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    },
                    "description": "IMAP flags such as `\\Seen`."
                  },
                  "seen": {
                    "type": "boolean"
                  }
                }
              }
            }
          }
        }
        """#
}
