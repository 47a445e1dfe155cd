package import LetterboxNet
import LetterboxThreads
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a webhook's host into addresses within a deadline. `getaddrinfo` has no timeout of its
/// own (a resolver that never answers holds the caller for the resolver's retries, or for ever
/// with a broken `resolv.conf`), so a name is looked up on a thread of its own and waited for
/// until the deadline: a lookup that outlives it is abandoned (it ends on its thread, unheard)
/// and the attempt fails. A numeric address is used as it is, with no lookup and no thread.
///
/// At most one lookup runs at a time: an attempt that finds the previous one still running waits
/// for that one instead of starting another, so a resolver that never answers costs one thread,
/// not one per attempt. Safe to share between tasks.
package final class WebhookResolver: Sendable {
    /// A blocking lookup: the numeric addresses of a host name.
    package typealias LookUp = @Sendable (_ host: String, _ port: Int) -> Result<[String], NetError>

    private let lookUp: LookUp
    /// The lookup under way, if any, and the host it is for.
    private let running = Mutex<(host: String, lookup: Lookup)?>(nil)

    /// - Parameter lookUp: the blocking lookup, `getaddrinfo` by default (tests inject another).
    package init(
        lookUp: @escaping LookUp = { host, port in
            Result { () throws(NetError) in
                try Socket.addresses(of: host, port: port)
            }
        }
    ) {
        self.lookUp = lookUp
    }

    /// The addresses of `host`: itself when it is numeric, else the lookup's answer, or a failure
    /// when there is none within `timeout`.
    package func addresses(of host: String, port: Int, timeout: Duration) async -> Result<[String], NetError> {
        if let numeric = Socket.numericForm(of: host) { return .success([numeric]) }
        let lookup = running.withLock { running -> Lookup in
            if let running, running.host == host, !running.lookup.isFinished { return running.lookup }
            let lookup = Lookup()
            running = (host, lookup)
            return lookup
        }
        if lookup.claimStart() {
            let lookUp = self.lookUp
            guard DetachedThread.start({ lookup.finish(lookUp(host, port)) }) else {
                lookup.finish(.failure(.system("resolve '\(host)': no thread to resolve on", errno: EAGAIN)))
                return await lookup.result(within: timeout, host: host)
            }
        }
        return await lookup.result(within: timeout, host: host)
    }

    /// One lookup: its answer once it has one, and the attempts waiting for it.
    final class Lookup: Sendable {
        private struct State {
            var started = false
            var result: Result<[String], NetError>?
            var waiters: [Int: CheckedContinuation<Result<[String], NetError>?, Never>] = [:]
            var nextWaiter = 0
            /// Waiters whose time ran out (or whose task was cancelled) before they were parked.
            var expired: Set<Int> = []
        }
        private let state = Mutex(State())

        var isFinished: Bool { state.withLock { $0.result != nil } }

        /// True for the one caller that is to start the lookup.
        func claimStart() -> Bool {
            state.withLock { state in
                defer { state.started = true }
                return !state.started
            }
        }

        /// Records the answer and wakes every waiter.
        func finish(_ result: Result<[String], NetError>) {
            let waiters = state.withLock { state in
                state.result = result
                defer { state.waiters = [:] }
                return state.waiters.values
            }
            for waiter in waiters { waiter.resume(returning: result) }
        }

        /// The answer, or a timeout failure when it has not come within `timeout`.
        func result(within timeout: Duration, host: String) async -> Result<[String], NetError> {
            let timedOut = Result<[String], NetError>.failure(
                .system("resolve '\(host)': no answer within \(timeout)", errno: ETIMEDOUT))
            let number = state.withLock { state -> Int in
                defer { state.nextWaiter += 1 }
                return state.nextWaiter
            }
            let timer = Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.expire(number)
            }
            defer { timer.cancel() }
            let answer = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Result<[String], NetError>?? in
                        if let result = state.result { return .some(result) }
                        if state.expired.remove(number) != nil { return .some(nil) }
                        state.waiters[number] = continuation
                        return .none
                    }
                    if case .some(let result) = ready { continuation.resume(returning: result) }
                }
            } onCancel: {
                expire(number)
            }
            return answer ?? timedOut
        }

        /// Resumes waiter `number` without an answer; one not parked yet is resumed as it parks.
        private func expire(_ number: Int) {
            let waiter = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: number) else {
                    if state.result == nil { state.expired.insert(number) }
                    return nil as CheckedContinuation<Result<[String], NetError>?, Never>?
                }
                return waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
