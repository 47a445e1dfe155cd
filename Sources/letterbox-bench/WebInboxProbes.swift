/// The scripts `letterbox-bench inbox` runs in the web inbox page (through WebDriver's execute
/// commands), and what they answer. Each asynchronous one ends by calling the driver's callback
/// with `JSON.stringify(...)` of its answer, which the bench decodes.
enum WebInboxProbes {
    /// The first screen, as the page marks it: `document.body.dataset.loadedAt` is
    /// `performance.now()` (milliseconds since navigation start) once the first list has been
    /// rendered; the steps before it come from the Navigation and Resource Timing APIs.
    struct FirstScreen: Decodable {
        /// Navigation start → first rows rendered (the page's own marker).
        var firstScreen: Double
        /// Rows in the DOM then.
        var rows: Int
        /// The page's HTML received.
        var htmlEnd: Double
        /// `DOMContentLoaded` handled (the deferred script has run).
        var domContentLoaded: Double
        /// `GET /inbox/list.json` sent and received (−1 when the entry is missing).
        var listStart: Double
        var listEnd: Double
        var listBytes: Int
        var error: String?
    }

    /// Waits (up to 30 s) for the page's first-screen marker and rows with a subject, then
    /// answers a ``FirstScreen``.
    static let firstScreen = """
        const done = arguments[arguments.length - 1];
        const began = performance.now();
        (function check() {
          const body = document.body;
          if (body && body.dataset.loadedAt && document.querySelector("#list .row .subject")) {
            const nav = performance.getEntriesByType("navigation")[0];
            const list = performance.getEntriesByType("resource").find((e) => e.name.includes("/inbox/list.json"));
            done(JSON.stringify({
              firstScreen: Number(body.dataset.loadedAt), rows: document.querySelectorAll("#list .row").length,
              htmlEnd: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd,
              listStart: list ? list.startTime : -1, listEnd: list ? list.responseEnd : -1,
              listBytes: list ? list.decodedBodySize : 0}));
          } else if (performance.now() - began > 30000) {
            done(JSON.stringify({firstScreen: -1, rows: 0, htmlEnd: 0, domContentLoaded: 0, listStart: -1,
              listEnd: -1, listBytes: 0, error: "no rows 30 s after the page loaded"}));
          } else setTimeout(check, 2);
        })();
        """

    /// Rows in the DOM after a scroll, once the page has rendered and fetched what it shows.
    struct Scrolled: Decodable {
        var rows: Int
        /// Rows showing an entry (not the "…" of one still loading).
        var filled: Int
    }

    /// Scrolls the list to `fraction` (0…1) of its height and answers a ``Scrolled`` 500 ms later.
    static func scroll(to fraction: Double) -> String {
        """
        const done = arguments[arguments.length - 1];
        const list = document.getElementById("list");
        list.scrollTop = (list.scrollHeight - list.clientHeight) * \(fraction);
        setTimeout(() => done(JSON.stringify({
          rows: document.querySelectorAll("#list .row").length,
          filled: document.querySelectorAll("#list .row .subject").length})), 500);
        """
    }

    /// The page's clocks at one instant: its high-resolution time on the wall clock
    /// (`performance.timeOrigin + performance.now()`) and `Date.now()` (the system's wall clock,
    /// the one the bench reads, to the millisecond).
    struct Clocks: Decodable {
        var highResolution: Double
        var wall: Double
    }

    static let clocks = """
        const done = arguments[arguments.length - 1];
        done(JSON.stringify({highResolution: performance.timeOrigin + performance.now(), wall: Date.now()}));
        """

    /// Scrolls to the top and starts recording, for every row whose subject is `Latency <n>`, the
    /// moment it entered the DOM (a MutationObserver on the list, which runs right after the
    /// script that inserted it) and the next animation frame after (the frame that paints it),
    /// both as `performance.timeOrigin + performance.now()`; and, apart from the page's own
    /// stream, when a second `/events` stream opened here delivered its `message` event (what the
    /// server and the page's event loop add, without the page's rendering). Answers once that
    /// stream is open.
    static let watchArrivals = """
        const done = arguments[arguments.length - 1];
        document.getElementById("list").scrollTop = 0;
        window.__inserted = {};
        window.__framed = {};
        window.__evented = {};
        const stream = new EventSource("/events");
        stream.addEventListener("message", (event) => {
          const now = performance.timeOrigin + performance.now();
          const match = /^Latency (\\d+)$/.exec(JSON.parse(event.data).subject || "");
          if (match) window.__evented[match[1]] = now;
        });
        new MutationObserver(() => {
          const now = performance.timeOrigin + performance.now();
          for (const subject of document.querySelectorAll("#list .row .subject")) {
            const match = /^Latency (\\d+)$/.exec(subject.textContent);
            if (match && !(match[1] in window.__inserted)) {
              const n = match[1];
              window.__inserted[n] = now;
              requestAnimationFrame(() => { window.__framed[n] = performance.timeOrigin + performance.now(); });
            }
          }
        }).observe(document.getElementById("list"), {childList: true, subtree: true, characterData: true});
        stream.addEventListener("open", () => setTimeout(() => done(JSON.stringify(true)), 300), {once: true});
        """

    /// What ``watchArrivals`` recorded, keyed by `n`.
    struct Arrivals: Decodable {
        var evented: [String: Double]
        var inserted: [String: Double]
        var framed: [String: Double]
    }

    /// Waits (up to `seconds`) until `count` rows have been recorded and their frames have run,
    /// then answers the ``Arrivals`` (fewer when some never came).
    static func arrivals(count: Int, seconds: Double) -> String {
        """
        const done = arguments[arguments.length - 1];
        const began = performance.now();
        (function check() {
          if (Object.keys(window.__framed).length >= \(count) || performance.now() - began > \(seconds * 1000)) {
            done(JSON.stringify({evented: window.__evented, inserted: window.__inserted, framed: window.__framed}));
          } else setTimeout(check, 20);
        })();
        """
    }
}
