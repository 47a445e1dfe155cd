import LetterboxNet

/// How often an idling session (RFC 2177) walks its mailbox to send updates. Updates usually
/// come from the store's change log and cost what changed (`IMAPSession+Sync.swift`): those are
/// not paced. A walk happens when the log cannot answer (a bulk change, a renamed mailbox); at
/// every change of the store that would be once per change for every idling client, each walk
/// as long as the mailbox, so a steady stream of bulk changes to a large INBOX watched by many
/// clients would keep the machine busy with walks. After a walk the session waits ``costFactor`` times as long as the
/// walk took (at most ``maximumInterval``) before the next one; changes inside that pause are
/// sent together at its end. A cheap walk is followed at once, so new mail in a small mailbox
/// reaches an idling client without delay; a costly one spends at most about 1/``costFactor``
/// of the time walking.
struct IdleUpdatePacing {
    /// The pause after a walk, in multiples of the walk's own time.
    static let costFactor = 20
    /// The longest pause: at least five walks a second per idling session (RFC 2177 asks for no
    /// particular delay).
    static let maximumInterval = Duration.milliseconds(200)

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
        return true
    }

    /// Records a walk that started at `start` and has just ended.
    mutating func walked(from start: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        nextWalk = now + min(Self.maximumInterval, (now - start) * Self.costFactor)
    }

    /// Ends a pending wake-up (the session leaves IDLE).
    func cancel() { wakeUp?.cancel() }
}
