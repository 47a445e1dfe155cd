// The modules whose types the facade hands out (`Message`, `Envelope`, `MailAddress`, `FaultRule`,
// `Logger`, `SMTPConfiguration`, …), re-exported, so that `import Letterbox` is all a user writes.
// The typealiases in PublicTypes.swift name the types; their members are declared in these
// modules, and with the `MemberImportVisibility` feature (the default in a future language mode)
// a client may use a member only when its defining module is imported: without the re-export,
// `message.subject` failed to compile in a test that imported only `Letterbox`, as the README's
// examples do. Every public declaration of these modules is listed in Tests/PublicAPI already.
@_exported public import LetterboxFaults
@_exported public import LetterboxMIME
@_exported public import LetterboxNet
@_exported public import LetterboxSMTP
@_exported public import LetterboxStore
