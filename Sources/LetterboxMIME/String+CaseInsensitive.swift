extension StringProtocol {
    /// Whether `other` occurs in this text regardless of case, with full Unicode case mapping
    /// ("Straße" contains "STRASSE") and canonical equivalence; an empty `other` never occurs.
    /// What Foundation's `localizedCaseInsensitiveContains` answers in the POSIX locale, without
    /// ICU.
    package func containsIgnoringCase(_ other: some StringProtocol) -> Bool {
        !other.isEmpty && uppercased().contains(other.uppercased())
    }

    /// Whether both texts are equal regardless of case (Foundation's `caseInsensitiveCompare`
    /// answering `.orderedSame`, without ICU).
    package func equalsIgnoringCase(_ other: some StringProtocol) -> Bool {
        uppercased() == other.uppercased()
    }
}
