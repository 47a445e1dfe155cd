/// What a removal did, message by message: the messages that went, and those that stay because
/// the store could not delete them (a file that cannot be unlinked), with why.
package struct RemovalResult: Sendable, Equatable {
    /// The ids removed, in the order asked for. Messages no longer stored are in neither list.
    package var removed: [UInt64]
    /// The messages still stored, and why they could not be removed.
    package var kept: [UInt64: StoreError]

    package init(removed: [UInt64] = [], kept: [UInt64: StoreError] = [:]) {
        self.removed = removed
        self.kept = kept
    }
}
