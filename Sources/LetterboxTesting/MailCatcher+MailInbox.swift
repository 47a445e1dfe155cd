import Letterbox

// A catcher is an inbox as it stands: `messages(matching:)`, `waitForMessages(_:)` and
// `deleteMessages(matching:)` are its own.
extension MailCatcher: MailInbox {}
