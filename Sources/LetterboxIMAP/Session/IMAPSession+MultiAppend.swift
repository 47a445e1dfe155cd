package import LetterboxStore

#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif

/// One message of an APPEND: its flags, date and octets (RFC 3501 §6.3.11, RFC 3502).
package struct AppendMessage: Sendable, Equatable {
    package var flags: MessageFlags
    package var date: Date?
    package var message: [UInt8]
    /// Sent as `UTF8 (~{n}…)`: allowed once the client enabled UTF8=ACCEPT (RFC 6855 §4).
    package var utf8: Bool
    /// Sent as `CATENATE (…)` (RFC 4469): the message is these parts joined, ``message`` empty
    /// until then (`Catenate/`).
    package var catenate: [CatenatePart]?

    package init(flags: MessageFlags, date: Date?, message: [UInt8], utf8: Bool, catenate: [CatenatePart]? = nil) {
        self.flags = flags
        self.date = date
        self.message = message
        self.utf8 = utf8
        self.catenate = catenate
    }
}

/// MULTIAPPEND (RFC 3502) of ``IMAPSession``: several messages in one APPEND, all or none.
extension IMAPSession {
    /// Appends every message or none (RFC 3502 §3): when one cannot be stored, those already
    /// stored are removed again and the NO says why. APPENDUID names every new UID (RFC 4315 §3).
    func appendAll(_ messages: [AppendMessage], to mailbox: String) async -> String {
        // CATENATE parts joined first, so a bad URL leaves nothing to undo (RFC 4469 §5).
        var messages = messages
        for index in messages.indices {
            guard let parts = messages[index].catenate else { continue }
            switch await catenated(parts) {
            case .success(let bytes): messages[index].message = bytes
            case .failure(let refusal): return refusal.response
            }
        }
        if messages.contains(where: \.utf8) && !utf8Accepted {
            return "BAD APPEND with UTF8 needs ENABLE UTF8=ACCEPT first (RFC 6855 §4)"
        }
        // Checked before anything is stored, so the usual refusals leave nothing to undo.
        guard !messages.contains(where: { $0.message.isEmpty }) else {
            return "NO [CANNOT] an empty message cannot be appended"
        }
        guard store.mailbox(named: mailbox) != nil else { return Self.no(MailboxError.tryCreate(mailbox)) }
        var appended: [(id: UInt64, uid: UInt64)] = []
        for message in messages {
            do {
                let (stored, uid) = try await store.append(
                    message.message, to: mailbox, flags: message.flags, receivedAt: message.date ?? Date())
                appended.append((stored.id, uid))
            } catch {
                let undone = store.removeEach(ids: appended.map(\.id))
                let note = undone.kept.isEmpty ? "" : " (\(undone.kept.count) appended messages could not be removed)"
                return Self.no(error) + note
            }
        }
        let validity = store.mailbox(named: mailbox)?.uidValidity ?? 0
        return "OK [APPENDUID \(validity) \(Self.uidSet(appended.map(\.uid)))] APPEND completed"
    }
}
