/// What a SEARCH or SORT says before its criteria that the session judges against its own state
/// rather than the parser: the `CHARSET` it named (RFC 6855 §3 forbids one once UTF8=ACCEPT is
/// enabled) and whether `RETURN (…)` asked for SAVE (RFC 5182 §2.1: a NO then empties `$`).
package struct SearchPreamble: Sendable, Equatable {
    /// The charset named, uppercased; nil when the command named none (SEARCH without CHARSET).
    package var charset: String?
    /// Whether the RETURN options include SAVE.
    package var saves: Bool

    package init(charset: String? = nil, saves: Bool = false) {
        self.charset = charset
        self.saves = saves
    }
}
