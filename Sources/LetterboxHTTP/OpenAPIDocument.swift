/// The OpenAPI 3.1 description of every route, served at `GET /openapi.json`: hand-written and
/// embedded in the binary (the image has no files beside it). `OpenAPIDocumentTests` checks that
/// every route of ``HTTPRoute`` is described and that validators accept it; keep it in step when a
/// route or a response changes.
enum OpenAPIDocument {
    /// The document as UTF-8 JSON.
    static let json: [UInt8] = Array(text.utf8)

    static let text = #"""
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
          "paths": {
            "/messages": {
              "get": {
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
              },
              "delete": {
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
            },
            "/messages.json": {
              "get": {
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
              },
              "delete": {
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
            },
            "/messages/wait": {
              "get": {
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
            },
            "/messages/wait.json": {
              "get": {
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
            },
            "/messages/{id}": {
              "get": {
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
              },
              "delete": {
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
            },
            "/messages/{id}.json": {
              "get": {
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
              },
              "delete": {
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
            },
            "/messages/{id}/raw": {
              "get": {
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
            },
            "/messages/{id}/html": {
              "get": {
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
            },
            "/messages/{id}/headers": {
              "get": {
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
            },
            "/messages/{id}/headers.json": {
              "get": {
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
            },
            "/messages/{id}/parts": {
              "get": {
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
            },
            "/messages/{id}/parts.json": {
              "get": {
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
            },
            "/messages/{id}/parts/{path}": {
              "get": {
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
            },
            "/faults": {
              "get": {
                "summary": "List SMTP fault rules",
                "tags": [
                  "faults"
                ],
                "responses": {
                  "200": {
                    "description": "One line per rule: `id⇥rule⇥hits=N⇥active|expired`.",
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
                            "$ref": "#/components/schemas/FaultRule"
                          }
                        }
                      }
                    }
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              },
              "post": {
                "summary": "Add an SMTP fault rule",
                "tags": [
                  "faults"
                ],
                "requestBody": {
                  "required": true,
                  "description": "One rule on one line, e.g. `rcpt=bounce@*:550 5.1.1 no such user`.",
                  "content": {
                    "text/plain": {
                      "schema": {
                        "type": "string",
                        "minLength": 1,
                        "examples": [
                          "rcpt=bounce@*:550 5.1.1 no such user"
                        ]
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The rule's line; `Location: /faults/{id}`.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/FaultRule"
                        }
                      }
                    },
                    "headers": {
                      "Location": {
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
              },
              "delete": {
                "summary": "Remove every fault rule",
                "tags": [
                  "faults"
                ],
                "responses": {
                  "200": {
                    "description": "The number removed.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/faults.json": {
              "get": {
                "summary": "List SMTP fault rules",
                "tags": [
                  "faults"
                ],
                "responses": {
                  "200": {
                    "description": "Every rule.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/FaultRule"
                          }
                        }
                      }
                    }
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              },
              "post": {
                "summary": "Add an SMTP fault rule",
                "tags": [
                  "faults"
                ],
                "requestBody": {
                  "required": true,
                  "description": "One rule on one line, e.g. `rcpt=bounce@*:550 5.1.1 no such user`.",
                  "content": {
                    "text/plain": {
                      "schema": {
                        "type": "string",
                        "minLength": 1,
                        "examples": [
                          "rcpt=bounce@*:550 5.1.1 no such user"
                        ]
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The rule added; `Location: /faults/{id}`.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/FaultRule"
                        }
                      }
                    },
                    "headers": {
                      "Location": {
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
              },
              "delete": {
                "summary": "Remove every fault rule",
                "tags": [
                  "faults"
                ],
                "responses": {
                  "200": {
                    "description": "The number removed.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/faults/{id}": {
              "get": {
                "summary": "Show one fault rule",
                "tags": [
                  "faults"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "A fault rule's id.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0,
                      "examples": [
                        1
                      ]
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The rule's line.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/FaultRule"
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
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              },
              "delete": {
                "summary": "Remove one fault rule",
                "tags": [
                  "faults"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "A fault rule's id.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0,
                      "examples": [
                        1
                      ]
                    }
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
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/faults/{id}.json": {
              "get": {
                "summary": "Show one fault rule",
                "tags": [
                  "faults"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "A fault rule's id.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0,
                      "examples": [
                        1
                      ]
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The rule.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/FaultRule"
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
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              },
              "delete": {
                "summary": "Remove one fault rule",
                "tags": [
                  "faults"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "A fault rule's id.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0,
                      "examples": [
                        1
                      ]
                    }
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
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/healthz": {
              "get": {
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
            },
            "/metrics": {
              "get": {
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
            },
            "/tls/certificate.pem": {
              "get": {
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
            },
            "/openapi.json": {
              "get": {
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
            },
            "/": {
              "get": {
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
            },
            "/events": {
              "get": {
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
            },
            "/inbox.js": {
              "get": {
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
            },
            "/inbox.css": {
              "get": {
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
            },
            "/inbox/list.json": {
              "get": {
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
            },
            "/inbox/mailboxes.json": {
              "get": {
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
            },
            "/inbox/entries.json": {
              "get": {
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
            },
            "/messages/{id}/view": {
              "get": {
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
            },
            "/messages/{id}/seen": {
              "put": {
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
              },
              "delete": {
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
            }
          },
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
