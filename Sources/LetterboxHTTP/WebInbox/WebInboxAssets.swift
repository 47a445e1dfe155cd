/// The web inbox's three files, hand-written and compiled into the binary (no build step, no
/// framework): the page (``InboxPage``), its style (``InboxStyle``) and its script (``InboxScript``).
enum WebInboxAssets {
    /// The page's policy: its own script and style only, no inline script (RFC-less but every
    /// browser's CSP Level 3); message bodies load in frames from this origin's sandboxed route.
    static let pagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let page = StaticAsset(
        contentType: "text/html; charset=utf-8", text: InboxPage.html,
        headers: [
            ("Content-Security-Policy", pagePolicy), ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
        ])
    static let style = StaticAsset(contentType: "text/css; charset=utf-8", text: InboxStyle.css)
    static let script = StaticAsset(contentType: "text/javascript; charset=utf-8", text: InboxScript.js)

    /// The bytes of all three, uncompressed.
    static var totalSize: Int { page.body.count + style.body.count + script.body.count }
}
