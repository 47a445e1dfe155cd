/// The RFC 7162 (CONDSTORE, QRESYNC) parameters of SELECT/EXAMINE (§3.1.8, §3.2.5).
package struct SelectParameters: Sendable, Equatable {
    /// `(CONDSTORE)`: a CONDSTORE enabling command (§3.1).
    package var condStore = false
    /// `(QRESYNC (…))`: what the client remembers of the mailbox.
    package var qresync: QResyncParameters?

    package init(condStore: Bool = false, qresync: QResyncParameters? = nil) {
        self.condStore = condStore
        self.qresync = qresync
    }
}

/// `QRESYNC (uidvalidity mod-sequence [known-uids [(known-sequence-set known-uid-set)]])`
/// (RFC 7162 §3.2.5): the state a client cached, so SELECT can answer with only what changed.
package struct QResyncParameters: Sendable, Equatable {
    package var uidValidity: UInt32
    /// The HIGHESTMODSEQ the client last saw.
    package var modSeq: UInt64
    /// The UIDs the client knows; nil for all.
    package var knownUIDs: SequenceSet?
    /// Sequence numbers and the UIDs the client has for them (§3.2.5.2), pairwise.
    package var sequenceMatch: SequenceMatch?

    package init(
        uidValidity: UInt32, modSeq: UInt64, knownUIDs: SequenceSet? = nil, sequenceMatch: SequenceMatch? = nil
    ) {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
        self.sequenceMatch = sequenceMatch
    }

    /// `(known-sequence-set known-uid-set)`.
    package struct SequenceMatch: Sendable, Equatable {
        package var sequences: SequenceSet
        package var uids: SequenceSet

        package init(sequences: SequenceSet, uids: SequenceSet) {
            self.sequences = sequences
            self.uids = uids
        }
    }
}

/// FETCH modifiers (RFC 7162 §3.1.4.1 CHANGEDSINCE, §3.2.6 VANISHED).
package struct FetchModifiers: Sendable, Equatable {
    /// Only messages whose mod-sequence is above this one.
    package var changedSince: UInt64?
    /// Also report, as `VANISHED (EARLIER)`, the UIDs in the set expunged since `changedSince`
    /// (UID FETCH only, with QRESYNC enabled).
    package var vanished = false

    package init(changedSince: UInt64? = nil, vanished: Bool = false) {
        self.changedSince = changedSince
        self.vanished = vanished
    }
}
