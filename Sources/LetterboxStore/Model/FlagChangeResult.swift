/// What a flag change did, message by message: a change is all or nothing per message (the index
/// changes only when the message's file, if any, took its new name).
package struct FlagChangeResult: Sendable, Equatable {
    /// The new flags of the messages that were changed (or already had them).
    package var changed: [UInt64: MessageFlags]
    /// The messages whose flags stayed as they were because the store could not change them, and why.
    /// Messages no longer stored are in neither.
    package var failed: [UInt64: StoreError]
    /// For a conditional change (``MessageStore/changeFlags(_:ids:unchangedSince:)``): the messages
    /// left alone because they changed after the given mod-sequence, or are no longer stored.
    package var modified: Set<UInt64>

    package init(
        changed: [UInt64: MessageFlags] = [:], failed: [UInt64: StoreError] = [:], modified: Set<UInt64> = []
    ) {
        self.changed = changed
        self.failed = failed
        self.modified = modified
    }
}
