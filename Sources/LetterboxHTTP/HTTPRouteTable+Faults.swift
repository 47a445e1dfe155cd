extension HTTPRouteTable {
    /// SMTP fault rules.
    static let faults: [Entry] = [
        Entry(
            "/faults", { _ in .faults(json: false) },
            get: #"""
                {
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
                }
                """#,
            post: #"""
                {
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
                }
                """#,
            delete: deleteFaults
        ),
        Entry(
            "/faults.json", { _ in .faults(json: true) },
            get: #"""
                {
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
                }
                """#,
            post: #"""
                {
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
                }
                """#,
            delete: deleteFaults
        ),
        Entry(
            "/faults/{id}", { .fault(id: $0.id, json: false) },
            get: #"""
                {
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
                }
                """#,
            delete: deleteFaultsId
        ),
        Entry(
            "/faults/{id}.json", { .fault(id: $0.id, json: true) },
            get: #"""
                {
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
                }
                """#,
            delete: deleteFaultsId
        ),
    ]

    /// Described once for the plain-text and JSON forms of the path.
    private static let deleteFaults = #"""
        {
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
        """#

    /// Described once for the plain-text and JSON forms of the path.
    private static let deleteFaultsId = #"""
        {
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
        """#
}
