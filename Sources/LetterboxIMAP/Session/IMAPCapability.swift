/// One capability Letterbox implements (RFC 3501 §7.2.1), and when it is advertised: the one
/// table (``all``) from which CAPABILITY, the greeting's and LOGIN's `[CAPABILITY …]` and ENABLE
/// (RFC 5161) are derived. A new extension gets its row here once its commands are served.
package struct IMAPCapability: Sendable, Equatable {
    /// When, in the conversation, the capability is advertised.
    package enum Phase: Sendable, Equatable {
        case always
        /// Only before login: what concerns logging in itself (RFC 3501 §6.2).
        case beforeLogin
    }

    /// What the configuration and the connection must be for the capability to be advertised.
    package enum Condition: Sendable, Equatable {
        case always
        /// STARTTLS is offered and TLS is not yet in use (RFC 3501 §6.2.1).
        case startTLSAvailable
        /// Login is possible now: TLS is in use or not required.
        case loginAllowed
        /// Login waits for TLS (`requireTLS` without TLS yet): LOGINDISABLED (RFC 3501 §6.2.3).
        case loginDisabled
    }

    /// The name as CAPABILITY writes it.
    package let name: String
    package var phase = Phase.always
    package var condition = Condition.always
    /// Whether `ENABLE name` switches it on (RFC 5161 §3.1).
    package var enableable = false

    /// Every capability, in the order CAPABILITY lists them. The comment on each row names the
    /// RFC and where in `LetterboxIMAP` it is served.
    package static let all: [IMAPCapability] = [
        IMAPCapability(name: "IMAP4rev1"),  // RFC 3501: IMAPSession, IMAPParser
        IMAPCapability(name: "IMAP4rev2", enableable: true),  // RFC 9051: +Rev2
        IMAPCapability(name: "LITERAL+"),  // RFC 7888: IMAPServer.readCommand, IMAPCommandBudget
        IMAPCapability(name: "SASL-IR"),  // RFC 4959: AUTHENTICATE in IMAPSession
        IMAPCapability(name: "LOGINDISABLED", phase: .beforeLogin, condition: .loginDisabled),  // RFC 3501 §6.2.3
        IMAPCapability(name: "AUTH=PLAIN", condition: .loginAllowed),  // RFC 4616: IMAPSession.authenticatePlain
        IMAPCapability(name: "STARTTLS", phase: .beforeLogin, condition: .startTLSAvailable),  // RFC 3501 §6.2.1
        IMAPCapability(name: "IDLE"),  // RFC 2177: IMAPServer.idle
        IMAPCapability(name: "ID"),  // RFC 2971: IMAPSession
        IMAPCapability(name: "ENABLE"),  // RFC 5161: +CondStore enable(_:into:)
        IMAPCapability(name: "NAMESPACE"),  // RFC 2342: IMAPSession
        IMAPCapability(name: "UNSELECT"),  // RFC 3691: IMAPSession
        IMAPCapability(name: "UIDPLUS"),  // RFC 4315: +Mailboxes (APPENDUID, COPYUID), UID EXPUNGE
        IMAPCapability(name: "MOVE"),  // RFC 6851: +Mailboxes
        IMAPCapability(name: "CHILDREN"),  // RFC 3348: +Mailboxes LIST
        IMAPCapability(name: "SPECIAL-USE"),  // RFC 6154: +Mailboxes LIST
        IMAPCapability(name: "ESEARCH"),  // RFC 4731: +Search
        IMAPCapability(name: "SORT"),  // RFC 5256: SortOrder
        IMAPCapability(name: "ESORT"),  // RFC 5267 §3: +SearchResult
        IMAPCapability(name: "SEARCHRES"),  // RFC 5182: +SearchResult
        IMAPCapability(name: "LIST-EXTENDED"),  // RFC 5258: +ListExtended
        IMAPCapability(name: "LIST-STATUS"),  // RFC 5819: +ListExtended
        IMAPCapability(name: "STATUS=SIZE"),  // RFC 8438: STATUS in +Mailboxes
        IMAPCapability(name: "MULTIAPPEND"),  // RFC 3502: +MultiAppend
        IMAPCapability(name: "UTF8=ACCEPT", enableable: true),  // RFC 6855: +UTF8
        IMAPCapability(name: "SORT=DISPLAY"),  // RFC 5957: SortOrder
        IMAPCapability(name: "THREAD=ORDEREDSUBJECT"),  // RFC 5256: +Thread, ThreadOrder
        IMAPCapability(name: "BINARY"),  // RFC 3516: MessageRenderer+Binary
        IMAPCapability(name: "THREAD=REFERENCES"),  // RFC 5256: Threading/
        IMAPCapability(name: "CONTEXT=SEARCH"),  // RFC 5267 §4: +SearchContext
        IMAPCapability(name: "CONTEXT=SORT"),  // RFC 5267 §4: +SearchContext
        IMAPCapability(name: "CATENATE"),  // RFC 4469: Catenate/
        IMAPCapability(name: "CONDSTORE", enableable: true),  // RFC 7162: +CondStore
        IMAPCapability(name: "QRESYNC", enableable: true),  // RFC 7162: +CondStore
    ]

    /// Whether the capability is advertised to a session in this situation.
    package func isAdvertised(authenticated: Bool, startTLSAvailable: Bool, loginDisabled: Bool) -> Bool {
        if phase == .beforeLogin && authenticated { return false }
        switch condition {
        case .always: return true
        case .startTLSAvailable: return startTLSAvailable
        case .loginAllowed: return !loginDisabled
        case .loginDisabled: return loginDisabled
        }
    }

    /// The capability list, space-separated, for a session in this situation.
    package static func list(authenticated: Bool, startTLSAvailable: Bool, loginDisabled: Bool) -> String {
        all.filter {
            $0.isAdvertised(
                authenticated: authenticated, startTLSAvailable: startTLSAvailable, loginDisabled: loginDisabled)
        }.map(\.name).joined(separator: " ")
    }

    /// The capability `ENABLE` names (compared without regard to case), if it can be enabled.
    package static func enableable(_ name: String) -> IMAPCapability? {
        all.first { $0.enableable && $0.name.uppercased() == name.uppercased() }
    }
}
