import LetterboxNet

/// How often an idling session (RFC 2177) walks its mailbox to send updates: at every change of
/// the store would be once per delivery for every idling client, each walk as long as the
/// mailbox, so a steady stream of mail to a large INBOX watched by many clients would keep the
/// machine busy with walks. Changes that arrive within ``interval`` of a walk are sent together,
/// by one walk at the end of the interval; the first change after a quiet spell goes out at once.
struct IdleUpdatePacing {
    /// At most five walks a second per idling session; RFC 2177 asks for no particular delay.
    static let interval = Duration.milliseconds(200)

    private var nextWalk = ContinuousClock.now
    private var wakeUp: Task<Void, Never>?

    /// Whether the session may walk now; if not, `handle` is woken when it may.
    mutating func mayWalkNow(waking handle: ConnectionHandle) -> Bool {
        let now = ContinuousClock.now
        guard now >= nextWalk else {
            if wakeUp == nil {
                let at = nextWalk
                wakeUp = Task {
                    guard (try? await Task.sleep(until: at, clock: .continuous)) != nil else { return }
                    handle.wake()
                }
            }
            return false
        }
        wakeUp?.cancel()
        wakeUp = nil
        nextWalk = now + Self.interval
        return true
    }

    /// Ends a pending wake-up (the session leaves IDLE).
    func cancel() { wakeUp?.cancel() }
}
