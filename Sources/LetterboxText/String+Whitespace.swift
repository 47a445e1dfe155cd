// Inlinable: these are generic over `StringProtocol` and called for every header field the MIME
// parser reads and every SMTP and POP3 command; from another module, without inlining, each call
// goes through the unspecialized generic code.
extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CR and LF.
    @inlinable
    package func trimmingWhitespace() -> String {
        trimming { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
    }

    /// The text without the leading and trailing scalars `isTrimmed` accepts.
    @inlinable
    package func trimming(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
            let last = scalars.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
