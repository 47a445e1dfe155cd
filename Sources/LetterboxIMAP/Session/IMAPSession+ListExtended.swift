import LetterboxStore

/// What an extended LIST asks for (RFC 5258 §3, RFC 5819 LIST-STATUS, RFC 6154 §3 SPECIAL-USE).
package struct ListOptions: Sendable, Equatable {
    /// Selection `SUBSCRIBED`: list subscribed names (existing or not) instead of mailboxes.
    package var subscribedOnly = false
    /// Selection `RECURSIVEMATCH`: also list a name whose descendant was selected (RFC 5258 §3.5).
    package var recursiveMatch = false
    /// Selection `SPECIAL-USE`: list only mailboxes with a special use (RFC 6154 §3).
    package var specialUseOnly = false
    package var reference = ""
    /// One or more patterns; a name is listed when any of them matches it.
    package var patterns: [String] = []
    /// Return `SUBSCRIBED`: `\Subscribed` on subscribed names.
    package var returnSubscribed = false
    /// Return `CHILDREN`: `\HasChildren` / `\HasNoChildren` (RFC 5258 §4).
    package var returnChildren = false
    /// Return `SPECIAL-USE`: the RFC 6154 attributes.
    package var returnSpecialUse = false
    /// Return `STATUS (…)`: a STATUS response after each selectable mailbox (RFC 5819 §2).
    package var status: [String]?

    package init() {}
}

/// LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819) of ``IMAPSession``.
extension IMAPSession {
    /// One name of an extended LIST's answer.
    private struct ListedName {
        var attributes: [String]
        /// `CHILDINFO ("SUBSCRIBED")`: a descendant is selected though no pattern names it.
        var childInfo: Bool
        /// Whether a STATUS may follow (the mailbox exists and is selectable).
        var selectable: Bool
    }

    mutating func extendedList(_ options: ListOptions, into out: inout IMAPWriter) -> String {
        // Unknown STATUS items make the whole command BAD (RFC 5819 §2), before any LIST line.
        if let items = options.status {
            var probe = IMAPWriter()
            let check = status(Mailbox.inbox, items: items, into: &probe)
            if check.hasPrefix("BAD") { return check }
        }
        let patterns = options.patterns.filter { !$0.isEmpty }.map { Self.canonicalPattern(options.reference + $0) }
        guard !patterns.isEmpty else {
            // RFC 5258 §3: an empty pattern asks for the delimiter, as in RFC 3501 §6.3.8.
            out.raw("* LIST (\\Noselect) \"/\" \"\"\r\n")
            return "OK LIST completed"
        }
        for (name, listed) in listedNames(options, patterns: patterns).sorted(by: { $0.key < $1.key }) {
            out.raw("* LIST (\(listed.attributes.joined(separator: " "))) \"/\" ")
            out.astring(wireName(name))
            // The tag is an astring (RFC 5258 §6); written as an atom, as Dovecot does.
            if listed.childInfo { out.raw(" (CHILDINFO (\"SUBSCRIBED\"))") }
            out.raw("\r\n")
            if listed.selectable, let items = options.status { _ = status(name, items: items, into: &out) }
        }
        return "OK LIST completed"
    }

    /// The names an extended LIST answers with, and what it says of each.
    private func listedNames(_ options: ListOptions, patterns: [String]) -> [String: ListedName] {
        func matches(_ name: String) -> Bool { patterns.contains { Self.wildcardMatches(pattern: $0, name: name) } }
        let mailboxes = store.mailboxes()
        let byName = Dictionary(mailboxes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let subscriptions = store.subscriptions
        var selected: Set<String>
        if options.subscribedOnly {
            selected = subscriptions
        } else {
            selected = Set(mailboxes.map(\.name))
        }
        if options.specialUseOnly { selected = selected.filter { byName[$0]?.specialUse != nil } }
        var names = selected.filter(matches)
        // RFC 5258 §3.5: with RECURSIVEMATCH, a name the pattern matches whose descendant was
        // selected but not matched is listed too; every listed name with a selected descendant
        // carries CHILDINFO (as Dovecot does, also when the descendant is listed itself).
        var childInfo: Set<String> = []
        if options.recursiveMatch {
            for name in selected {
                for parent in Mailbox.ancestors(of: name) where matches(parent) {
                    childInfo.insert(parent)
                    if !matches(name) { names.insert(parent) }
                }
            }
        }
        let showSubscribed = options.subscribedOnly || options.returnSubscribed
        let showSpecialUse = options.specialUseOnly || options.returnSpecialUse
        var listed: [String: ListedName] = [:]
        for name in names {
            // In Dovecot's order: subscription, existence, children, special use.
            let mailbox = byName[name]
            var attributes: [String] = []
            if showSubscribed && subscriptions.contains(name) { attributes.append("\\Subscribed") }
            if mailbox == nil { attributes.append("\\NonExistent") }  // implies \Noselect (RFC 5258 §3.4)
            if options.returnChildren {
                let hasChildren = mailboxes.contains { Mailbox.isInferior($0.name, of: name) }
                attributes.append(hasChildren ? "\\HasChildren" : "\\HasNoChildren")
            }
            if showSpecialUse, let use = mailbox?.specialUse { attributes.append(use.attribute) }
            listed[name] = ListedName(
                attributes: attributes, childInfo: childInfo.contains(name) && names.contains(name),
                selectable: mailbox != nil)
        }
        return listed
    }
}
