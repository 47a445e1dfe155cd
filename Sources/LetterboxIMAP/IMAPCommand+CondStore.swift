/// The RFC 7162 (CONDSTORE, QRESYNC) parameters of SELECT/EXAMINE (§3.1.8, §3.2.5).
public struct SelectParameters: Sendable, Equatable {
    /// `(CONDSTORE)`: a CONDSTORE enabling command (§3.1).
    public var condStore = false
    /// `(QRESYNC (…))`: what the client remembers of the mailbox.
    public var qresync: QResyncParameters?

    public init(condStore: Bool = false, qresync: QResyncParameters? = nil) {
        self.condStore = condStore
        self.qresync = qresync
    }
}

/// `QRESYNC (uidvalidity mod-sequence [known-uids [(known-sequence-set known-uid-set)]])`
/// (RFC 7162 §3.2.5): the state a client cached, so SELECT can answer with only what changed.
public struct QResyncParameters: Sendable, Equatable {
    public var uidValidity: UInt32
    /// The HIGHESTMODSEQ the client last saw.
    public var modSeq: UInt64
    /// The UIDs the client knows; nil for all.
    public var knownUIDs: SequenceSet?
    /// Sequence numbers and the UIDs the client has for them (§3.2.5.2), pairwise.
    public var sequenceMatch: SequenceMatch?

    public init(uidValidity: UInt32, modSeq: UInt64, knownUIDs: SequenceSet? = nil, sequenceMatch: SequenceMatch? = nil)
    {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
        self.sequenceMatch = sequenceMatch
    }

    /// `(known-sequence-set known-uid-set)`.
    public struct SequenceMatch: Sendable, Equatable {
        public var sequences: SequenceSet
        public var uids: SequenceSet

        public init(sequences: SequenceSet, uids: SequenceSet) {
            self.sequences = sequences
            self.uids = uids
        }
    }
}

/// FETCH modifiers (RFC 7162 §3.1.4.1 CHANGEDSINCE, §3.2.6 VANISHED).
public struct FetchModifiers: Sendable, Equatable {
    /// Only messages whose mod-sequence is above this one.
    public var changedSince: UInt64?
    /// Also report, as `VANISHED (EARLIER)`, the UIDs in the set expunged since `changedSince`
    /// (UID FETCH only, with QRESYNC enabled).
    public var vanished = false

    public init(changedSince: UInt64? = nil, vanished: Bool = false) {
        self.changedSince = changedSince
        self.vanished = vanished
    }
}
