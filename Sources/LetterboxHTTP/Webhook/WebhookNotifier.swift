package import LetterboxNet
package import LetterboxStore
package import LetterboxThreads

/// Posts one JSON object per captured message (the entry `GET /messages.json` lists) to a
/// webhook, without ever holding up SMTP: the store's change stream hands each new message to a
/// bounded queue, and one task posts them in order, retrying with back-off.
///
/// Bounded in memory and time: at most ``Policy/capacity`` messages wait (more are dropped with
/// a log line), each is tried ``Policy/attempts`` times, each attempt lasts at most
/// ``Policy/attemptTimeout`` (resolving the host and connecting at most ``Policy/connectTimeout``). A 2xx answer is success; a connection failure, a timeout, a 5xx,
/// 408 or 429 is retried; any other status is logged and not retried (the receiver refused it).
package final class WebhookNotifier: Sendable {
    /// Limits of the queue and of the retries.
    package struct Policy: Sendable {
        /// Messages that may wait to be posted; more are dropped.
        package var capacity = 1000
        /// Tries per message, the first included.
        package var attempts = 5
        /// The wait before the second try; doubled for each further one, at most ``maxBackoff``.
        package var firstBackoff: Duration = .seconds(1)
        package var maxBackoff: Duration = .seconds(30)
        /// How long one try may take, from connecting to the status line.
        package var attemptTimeout: Duration = .seconds(10)
        /// How long connecting may take (within ``attemptTimeout``): a receiver that never answers
        /// (a full backlog, a firewall that drops packets) is retried after this.
        package var connectTimeout: Duration = .seconds(5)
        /// Looks the receiver's host name up, within ``connectTimeout`` (a lookup that outlives
        /// it is abandoned and the attempt retried).
        package var resolver = WebhookResolver()
        /// The threads that connect (a blocking call); tests give a pool of their own.
        package var connectPool = BlockingPool.shared

        package init() {}
    }

    /// One message to post.
    private struct Delivery: Sendable {
        let id: UInt64
        let body: [UInt8]
    }

    private let observer: Task<Void, Never>
    private let sender: Task<Void, Never>

    /// Starts observing `store` and posting to `url`.
    package init(url: WebhookURL, store: any MessageStore, logger: Logger, policy: Policy = Policy()) {
        let (queue, continuation) = AsyncStream<Delivery>.makeStream(bufferingPolicy: .bufferingOldest(policy.capacity))
        let changes = store.changes()
        observer = Task {
            for await change in changes {
                guard case .added(let id) = change, let message = store.message(id: id) else { continue }
                let views = await Message.load([message])[0]
                let entry = MessageRendering.json(
                    message, views: views, detailed: false, location: store.location(of: id),
                    flags: store.flags(of: id))
                if case .dropped = continuation.yield(Delivery(id: id, body: entry.encoded())) {
                    logger.log(
                        .warning,
                        "webhook: \(policy.capacity) messages already wait for \(url); message \(id) is not posted")
                }
            }
            continuation.finish()
        }
        sender = Task {
            for await delivery in queue {
                await Self.deliver(delivery, to: url, policy: policy, logger: logger)
            }
        }
    }

    /// Stops observing and posting; messages still queued are not posted.
    package func stop() {
        observer.cancel()
        sender.cancel()
    }

    deinit { stop() }

    /// Tries `delivery` until it succeeds, is refused, or runs out of attempts.
    private static func deliver(_ delivery: Delivery, to url: WebhookURL, policy: Policy, logger: Logger) async {
        var backoff = policy.firstBackoff
        for attempt in 1...max(1, policy.attempts) {
            let outcome = await WebhookPost.send(
                delivery.body, messageID: delivery.id, attempt: attempt, to: url, resolver: policy.resolver,
                connectPool: policy.connectPool, connectTimeout: policy.connectTimeout, timeout: policy.attemptTimeout)
            switch outcome {
            case .delivered:
                logger.log(.debug, "webhook: message \(delivery.id) posted to \(url)")
                return
            case .refused(let status):
                logger.log(.warning, "webhook: \(url) refused message \(delivery.id) with \(status); not retried")
                return
            case .failed(let reason):
                guard attempt < policy.attempts, !Task.isCancelled else {
                    logger.log(
                        .warning,
                        "webhook: message \(delivery.id) not posted to \(url) after \(attempt) attempts: \(reason)")
                    return
                }
                logger.log(
                    .debug, "webhook: attempt \(attempt) for message \(delivery.id) failed (\(reason)); retrying")
                guard (try? await Task.sleep(for: backoff)) != nil else { return }
                backoff = min(backoff * 2, policy.maxBackoff)
            }
        }
    }
}
