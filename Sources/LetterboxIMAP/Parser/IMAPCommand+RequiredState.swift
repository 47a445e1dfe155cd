/// The state a command needs (RFC 3501 §6, RFC 9051 §6): the session checks it once, before the
/// command runs, and answers a command sent in the wrong state with a tagged `BAD`
/// (``IMAPSession/stateRefusal(_:)``).
package enum IMAPRequiredState: Sendable, Equatable, CaseIterable {
    /// Valid in every state (§6.1: CAPABILITY, NOOP, LOGOUT; RFC 2971 ID).
    case any
    /// Valid only before login (§6.2: LOGIN, AUTHENTICATE, STARTTLS).
    case notAuthenticated
    /// Valid once logged in, whether or not a mailbox is selected (§6.3).
    case authenticated
    /// Valid only with a mailbox selected (§6.4).
    case selected
}

extension IMAPCommand {
    /// The state this command is valid in.
    package var requiredState: IMAPRequiredState {
        switch self {
        case .capability, .noop, .logout, .id:
            return .any
        case .login, .authenticate, .starttls:
            return .notAuthenticated
        // RFC 3501 §6.3, ENABLE (RFC 5161 §3.1), NAMESPACE (RFC 2342), IDLE (RFC 2177 §3),
        // LIST-EXTENDED (RFC 5258), MULTIAPPEND (RFC 3502), CANCELUPDATE (RFC 5267 §4.5).
        // A UID command Letterbox does not offer is answered `NO [CANNOT]` once logged in.
        case .select, .examine, .create, .delete, .rename, .subscribe, .unsubscribe, .list, .extendedList, .lsub,
            .status, .append, .extendedAppend, .enable, .namespace, .idle, .cancelUpdate, .unsupported:
            return .authenticated
        // RFC 3501 §6.4, UNSELECT (RFC 3691), UID EXPUNGE (RFC 4315), MOVE (RFC 6851), SORT and
        // THREAD (RFC 5256), ESEARCH (RFC 4731); a search in an unknown charset is a search.
        case .check, .close, .unselect, .expunge, .uidExpunge, .search, .extendedSearch, .sort, .extendedSort,
            .thread, .fetch, .store, .copy, .move, .badCharset:
            return .selected
        }
    }
}

extension IMAPSession {
    /// The tagged answer (without the tag) to `command` sent in a state it is not valid in, or nil
    /// when it may run: the one place states are checked.
    func stateRefusal(_ command: IMAPCommand) -> String? {
        switch (command.requiredState, state) {
        case (.any, _), (.notAuthenticated, .notAuthenticated), (.authenticated, .authenticated),
            (.authenticated, .selected), (.selected, .selected):
            return nil
        case (.notAuthenticated, _):
            return command == .starttls ? startTLSRefusal : "BAD already authenticated"
        case (_, .notAuthenticated):
            return "BAD command not valid before login (not authenticated state)"
        case (.selected, .authenticated):
            return "BAD command not valid without a selected mailbox (SELECT INBOX first)"
        case (_, .logout):
            return "BAD command not valid in this state"
        }
    }
}
