import LetterboxThreads

/// Where a Maildir store's SMTP deliveries spend their time, summed over all deliveries, for
/// `letterbox-bench maildir` to say how far ingest is from the disk's ceiling and why.
package final class DeliveryTimings: Sendable {
    /// Sums in seconds, and how many deliveries they cover.
    package struct Totals: Sendable {
        package var deliveries = 0
        /// From `append` being called to a store thread starting the delivery (the hand-off to the pool).
        package var queued = 0.0
        /// Creating and writing the file in `tmp/` (no sync), its checksum (always only).
        package var writing = 0.0
        /// Waiting for the commit lock, then id and log append.
        package var staging = 0.0
        /// The file's own fdatasync, then waiting for a group-commit round of the log (always only).
        package var syncing = 0.0
        /// The rename into `new/`.
        package var renaming = 0.0
        /// Entering the index in id order (waiting for deliveries with lower ids).
        package var publishing = 0.0
        /// Whole `append` calls: the phases above plus the hand-offs to the store thread and back.
        package var roundTrips = 0.0
        package var roundTripCount = 0
    }

    private let totals = SpinningMutex(Totals())

    package var current: Totals { totals.withLock { $0 } }

    func record(
        queued: Duration, writing: Duration, staging: Duration, syncing: Duration, renaming: Duration,
        publishing: Duration
    ) {
        totals.withLock {
            $0.deliveries += 1
            $0.queued += queued.seconds
            $0.writing += writing.seconds
            $0.staging += staging.seconds
            $0.syncing += syncing.seconds
            $0.renaming += renaming.seconds
            $0.publishing += publishing.seconds
        }
    }

    func recordRoundTrip(_ duration: Duration) {
        totals.withLock {
            $0.roundTripCount += 1
            $0.roundTrips += duration.seconds
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
