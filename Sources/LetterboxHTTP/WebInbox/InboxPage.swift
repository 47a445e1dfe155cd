/// The inbox's HTML: structure and ARIA roles only; ``InboxScript`` fills it in.
enum InboxPage {
    static let html = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>Letterbox</title>
        <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect x='1' y='3' width='14' height='10' rx='2' fill='%23d33'/%3E%3Cpath d='M1 4l7 5 7-5' stroke='%23fff' fill='none'/%3E%3C/svg%3E">
        <link rel="stylesheet" href="/inbox.css">
        <script src="/inbox.js" defer></script>
        </head>
        <body>
        <header class="bar">
          <h1 class="brand">Letterbox</h1>
          <form id="search" role="search" class="search">
            <label for="q" class="sr">Search</label>
            <input id="q" type="search" autocomplete="off" spellcheck="false" placeholder="Search: to: from: subject: has:attachment is:unread (/)">
          </form>
          <label for="mailbox" class="sr">Mailbox</label>
          <select id="mailbox"><option value="">All captured</option></select>
          <button id="delete-all" type="button" class="danger">Delete all</button>
          <span id="live" class="live" role="status" aria-live="polite"></span>
        </header>
        <main class="split">
          <section class="list-pane" aria-label="Messages">
            <div id="count" class="count"></div>
            <div id="list" class="list" role="listbox" tabindex="0" aria-label="Messages, newest first">
              <div id="spacer" class="spacer"></div>
            </div>
          </section>
          <section id="reader" class="reader" aria-label="Message" hidden>
            <div class="toolbar" role="toolbar" aria-label="Message actions">
              <button id="back" type="button" class="back">&larr; Back</button>
              <button id="toggle-read" type="button">Mark unread</button>
              <button id="delete" type="button" class="danger">Delete</button>
              <a id="download" class="button" download>Download .eml</a>
            </div>
            <div id="summary" class="summary"></div>
            <div id="tabs" class="tabs" role="tablist" aria-label="Views"></div>
            <div id="panel" class="panel" role="tabpanel" tabindex="0"></div>
          </section>
          <section id="empty" class="empty">Select a message. Keys: j/k move, Enter opens, Delete deletes, u toggles unread, / searches.</section>
        </main>
        </body>
        </html>

        """#
}
