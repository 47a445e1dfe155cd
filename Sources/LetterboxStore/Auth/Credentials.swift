/// Who may log in over SMTP AUTH, POP3 and IMAP, and how failed logins are answered.
///
/// By default anyone with any password (a catcher accepts everything); with a user list,
/// only those users with their passwords.
public struct Credentials: Sendable, Equatable {
    /// `nil`: anyone is accepted.
    public let users: [String: String]?
    /// How many failed logins a session may make, and how long each waits for its answer.
    public var loginFailures: LoginFailurePolicy

    /// Accepts any user name and password.
    public static let anyone = Credentials(users: nil)

    /// Accepts only these user names with these passwords (anyone when nil); failed logins are
    /// answered as `loginFailures` says.
    public init(users: [String: String]?, loginFailures: LoginFailurePolicy = .standard) {
        self.users = users
        self.loginFailures = loginFailures
    }

    /// Whether `user` may log in with `password`.
    public func accepts(user: String, password: String) -> Bool {
        guard let users else { return true }
        return users[user] == password
    }
}
