extension IMAPSession {
    /// The capabilities of THREAD=REFERENCES (RFC 5256, `Threading/`), CONTEXT=SEARCH and
    /// CONTEXT=SORT (RFC 5267 §4, `+SearchContext`) and CATENATE (RFC 4469, `Catenate/`), each
    /// advertised once complete; appended to ``smallExtensions``.
    static let clientExtensions = " THREAD=REFERENCES CONTEXT=SEARCH CONTEXT=SORT CATENATE"
}
