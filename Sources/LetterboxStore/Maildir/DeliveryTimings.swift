import Synchronization

/// Where a Maildir store's SMTP deliveries spend their time, summed over all deliveries, for
/// `letterbox-bench maildir` to say how far ingest is from the disk's ceiling and why.
package final class DeliveryTimings: Sendable {
    /// Sums in seconds, and how many deliveries they cover.
    package struct Totals: Sendable {
        package var deliveries = 0
        /// Creating, writing (and with fsync always, fsyncing) the file in `tmp/`.
        package var writing = 0.0
        /// Waiting for the commit lock, then id, log append and rename into `new/`.
        package var staging = 0.0
        /// Waiting for a group-commit sync that covers the delivery (always only).
        package var syncing = 0.0
        /// Entering the index in id order (waiting for deliveries with lower ids).
        package var publishing = 0.0
    }

    private let totals = Mutex(Totals())

    package var current: Totals { totals.withLock { $0 } }

    func record(writing: Duration, staging: Duration, syncing: Duration, publishing: Duration) {
        totals.withLock {
            $0.deliveries += 1
            $0.writing += writing.seconds
            $0.staging += staging.seconds
            $0.syncing += syncing.seconds
            $0.publishing += publishing.seconds
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
