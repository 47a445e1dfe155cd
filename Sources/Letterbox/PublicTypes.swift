import LetterboxMIME
import LetterboxNet
import LetterboxSMTP
import LetterboxStore

// The types a user of `Letterbox` names, re-exported so `import Letterbox` is enough.

/// One captured message: raw bytes, envelope, id, parsed views.
public typealias Message = LetterboxStore.Message
/// What the SMTP transaction said: sender, every recipient (Bcc too), HELO, AUTH, peer, time.
public typealias Envelope = LetterboxStore.Envelope
/// Criteria that select messages.
public typealias MessageFilter = LetterboxStore.MessageFilter
/// Where captured messages live.
public typealias MessageStore = LetterboxStore.MessageStore
/// The default, in-memory store.
public typealias MemoryStore = LetterboxStore.MemoryStore
/// Who may log in.
public typealias Credentials = LetterboxStore.Credentials
/// SMTP limits and greeting name.
public typealias SMTPConfiguration = LetterboxSMTP.SMTPConfiguration
/// A parsed e-mail address with its display name.
public typealias MailAddress = LetterboxMIME.MailAddress
/// Leveled logging to standard error.
public typealias Logger = LetterboxNet.Logger
