import LetterboxStore

/// UTF8=ACCEPT (RFC 6855) of ``IMAPSession``: after `ENABLE UTF8=ACCEPT` the client names
/// mailboxes in UTF-8 and is answered in UTF-8, instead of modified UTF-7 (RFC 6855 §3); an
/// APPEND may carry a message as `UTF8 (~{n}…)` (§4, `IMAPSession+MultiAppend.swift`).
///
/// The store keeps the names IMAP clients have always used: modified UTF-7. So a name a UTF-8
/// client sends is encoded before it reaches the store, and a name the store gives is decoded
/// before it goes to such a client; clients that did not enable it see no change.
extension IMAPSession {
    /// Whether a SEARCH names a CHARSET although the client enabled UTF8=ACCEPT: RFC 6855 §3 has
    /// the server reject it with BAD (the client's strings are UTF-8 whatever it names).
    func refusesCharset(_ preamble: SearchPreamble?) -> Bool {
        utf8Accepted && preamble?.charset != nil
    }

    /// A mailbox name as this client writes and reads it.
    func wireName(_ name: String) -> String {
        answersInUTF8 ? ModifiedUTF7.decode(name) ?? name : name
    }

    /// `command` with the mailbox names (and LIST patterns) the client wrote in UTF-8 turned into
    /// the store's modified UTF-7; unchanged unless UTF8=ACCEPT is enabled.
    func storeNames(_ command: IMAPCommand) -> IMAPCommand {
        guard answersInUTF8 else { return command }
        let name = ModifiedUTF7.encode
        switch command {
        case .select(let mailbox, let parameters): return .select(name(mailbox), parameters)
        case .examine(let mailbox, let parameters): return .examine(name(mailbox), parameters)
        case .list(let reference, let pattern): return .list(reference: name(reference), pattern: name(pattern))
        case .lsub(let reference, let pattern): return .lsub(reference: name(reference), pattern: name(pattern))
        case .extendedList(var options):
            options.reference = name(options.reference)
            options.patterns = options.patterns.map(name)
            return .extendedList(options)
        case .status(let mailbox, let items): return .status(name(mailbox), items)
        case .create(let mailbox): return .create(name(mailbox))
        case .delete(let mailbox): return .delete(name(mailbox))
        case .rename(let old, let new): return .rename(name(old), to: name(new))
        case .subscribe(let mailbox): return .subscribe(name(mailbox))
        case .unsubscribe(let mailbox): return .unsubscribe(name(mailbox))
        case .append(let mailbox, let flags, let date, let message):
            return .append(mailbox: name(mailbox), flags: flags, date: date, message: message)
        case .extendedAppend(let mailbox, let messages):
            return .extendedAppend(mailbox: name(mailbox), messages: messages)
        case .copy(let set, let mailbox, let uid): return .copy(set, mailbox: name(mailbox), uid: uid)
        case .move(let set, let mailbox, let uid): return .move(set, mailbox: name(mailbox), uid: uid)
        default: return command
        }
    }
}
