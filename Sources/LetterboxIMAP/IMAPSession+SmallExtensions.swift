extension IMAPSession {
    /// The capabilities of the smaller extensions, each in its own `IMAPSession+….swift` and
    /// advertised after the base list: RFC 5267 ESORT and RFC 5182 SEARCHRES
    /// (`+SearchResult`), RFC 5258 LIST-EXTENDED and RFC 5819 LIST-STATUS (`+ListExtended`),
    /// RFC 8438 STATUS=SIZE (STATUS in `+Mailboxes`), RFC 3502 MULTIAPPEND (`+MultiAppend`),
    /// RFC 6855 UTF8=ACCEPT (`+UTF8`), RFC 5957 SORT=DISPLAY (`SortOrder`), RFC 5256
    /// THREAD=ORDEREDSUBJECT (`+Thread`, `ThreadOrder`), RFC 3516 BINARY (`MessageRenderer+Binary`).
    static let smallExtensions =
        " ESORT SEARCHRES LIST-EXTENDED LIST-STATUS STATUS=SIZE MULTIAPPEND UTF8=ACCEPT SORT=DISPLAY"
        + " THREAD=ORDEREDSUBJECT BINARY"
        + clientExtensions
}
