public import LetterboxFaults
public import LetterboxMIME
public import LetterboxNet
public import LetterboxSMTP
public import LetterboxStore

// The types a user of `Letterbox` names, re-exported so `import Letterbox` is enough.

/// One captured message: raw bytes, envelope, id, parsed views.
public typealias Message = LetterboxStore.Message
/// What the SMTP transaction said: sender, every recipient (Bcc too), HELO, AUTH, peer, time.
public typealias Envelope = LetterboxStore.Envelope
/// Criteria that select messages.
public typealias MessageFilter = LetterboxStore.MessageFilter
/// What a wait is for: a filter, how many messages, a predicate, a timeout.
public typealias MessageWait = LetterboxStore.MessageWait
/// One criterion of a ``MessageFilter``'s search terms, or its negation.
public typealias SearchTerm = LetterboxStore.SearchTerm
/// The tests a search term can make (to, from, subject, body, attachment, read, dates, size).
public typealias MessageCriterion = LetterboxStore.MessageCriterion
/// The `q=` search syntax: parses and writes a ``MessageFilter``'s terms.
public typealias SearchQuery = LetterboxStore.SearchQuery
/// Who may log in.
public typealias Credentials = LetterboxStore.Credentials
/// SMTP limits and greeting name.
public typealias SMTPConfiguration = LetterboxSMTP.SMTPConfiguration
/// A parsed e-mail address with its display name.
public typealias MailAddress = LetterboxMIME.MailAddress
/// Leveled logging to standard error.
public typealias Logger = LetterboxNet.Logger
/// One SMTP fault to inject: trigger, action, how often.
public typealias FaultRule = LetterboxFaults.FaultRule
/// When a fault applies: an SMTP stage and optionally an address pattern.
public typealias FaultTrigger = LetterboxFaults.FaultTrigger
/// What a fault does: delay, fail with a reply, or drop the connection.
public typealias FaultAction = LetterboxFaults.FaultAction
/// A failure reply: code, enhanced status, text.
public typealias FaultReply = LetterboxFaults.FaultReply
/// The SMTP stages faults apply to.
public typealias FaultStage = LetterboxFaults.FaultStage
/// An exact address, a domain or a glob.
public typealias AddressPattern = LetterboxFaults.AddressPattern
/// The rules in force, with hit counts; thread-safe.
public typealias FaultInjector = LetterboxFaults.FaultInjector
/// A rule with its id and hits.
public typealias FaultStatus = LetterboxFaults.FaultStatus
/// Why rule text could not be read.
public typealias FaultRuleSyntaxError = LetterboxFaults.FaultRuleSyntaxError

extension MessageFilter {
    /// The filter that selects every message captured over SMTP.
    public static var any: MessageFilter { MessageFilter() }
}
