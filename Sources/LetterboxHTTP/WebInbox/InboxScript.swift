/// The inbox's script: a virtualized list fed by `/inbox/list.json` and `/events`, and the
/// message reader. Every text from mail is put in with `textContent`, never parsed as HTML.
enum InboxScript {
    static let js = #"""
        "use strict";
        (() => {
        const ROW = 60, OVERSCAN = 8, BATCH = 100;
        const $ = (id) => document.getElementById(id);
        const list = $("list"), spacer = $("spacer"), q = $("q"), mailboxSelect = $("mailbox");
        let ids = [], entries = new Map(), pending = new Set(), rows = new Map();
        let selected = -1, openId = null, openEntry = null, source = null, generation = 0, fetchTimer = null;

        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
            else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
          }
          for (const c of children) if (c != null) node.append(c);
          return node;
        }
        function params(extra) {
          const p = new URLSearchParams();
          const text = q.value.trim();
          if (text) p.set("q", text);
          if (mailboxSelect.value) p.set("mailbox", mailboxSelect.value);
          for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
          return p.toString();
        }
        async function request(method, url) {
          const response = await fetch(url, {method, headers: {Accept: "application/json"}});
          if (!response.ok) throw new Error((await response.text()).trim() || response.status);
          const type = response.headers.get("Content-Type") || "";
          return type.startsWith("application/json") ? response.json() : response.text();
        }
        function status(text) { $("live").textContent = text; }
        function size(n) { return n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KB" : (n / 1048576).toFixed(1) + " MB"; }
        function when(iso) {
          const d = new Date(iso), now = new Date();
          return d.toDateString() === now.toDateString() ? d.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"}) : d.toLocaleDateString();
        }
        function person(a) { return a.name ? a.name + " <" + a.address + ">" : a.address; }
        function sender(e) { return e.from && e.from.length ? (e.from[0].name || e.from[0].address) : (e.envelope.from || "(no sender)"); }

        // MARK: List
        function insertId(id) {
          if (ids.includes(id)) return false;
          let i = 0;
          while (i < ids.length && ids[i] > id) i++;
          ids.splice(i, 0, id);
          if (selected >= i && selected >= 0) selected++;
          return true;
        }
        function removeIds(gone) {
          const set = new Set(gone);
          const before = ids.length ? ids[selected] : null;
          ids = ids.filter((id) => !set.has(id));
          for (const id of gone) entries.delete(id);
          selected = before != null && !set.has(before) ? ids.indexOf(before) : Math.min(selected, ids.length - 1);
          if (openId != null && set.has(openId)) closeReader();
        }
        function layout() {
          spacer.style.height = ids.length * ROW + "px";
          $("count").textContent = ids.length + (ids.length === 1 ? " message" : " messages");
          render();
        }
        function render() {
          const first = Math.max(0, Math.floor(list.scrollTop / ROW) - OVERSCAN);
          const last = Math.min(ids.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW) + OVERSCAN);
          const keep = new Set();
          const missing = [];
          for (let i = first; i < last; i++) {
            const id = ids[i];
            keep.add(id);
            let row = rows.get(id);
            const entry = entries.get(id);
            if (!entry && !pending.has(id)) missing.push(id);
            const key = entry ? entry.seen + ":" + (i === selected) + ":" + entry.subject : "loading:" + (i === selected);
            if (!row) { row = el("div", {class: "row", role: "option", id: "row-" + id}); row.dataset.id = id; spacer.append(row); rows.set(id, row); }
            if (row.dataset.key !== key) { fill(row, entry, i === selected); row.dataset.key = key; }
            row.style.top = i * ROW + "px";
            row.setAttribute("aria-posinset", i + 1);
            row.setAttribute("aria-setsize", ids.length);
          }
          for (const [id, row] of rows) if (!keep.has(id)) { row.remove(); rows.delete(id); }
          const sel = ids[selected];
          if (sel != null) list.setAttribute("aria-activedescendant", "row-" + sel); else list.removeAttribute("aria-activedescendant");
          if (missing.length) fetchEntries(missing);
        }
        function fill(row, e, isSelected) {
          row.replaceChildren();
          row.setAttribute("aria-selected", isSelected ? "true" : "false");
          if (!e) { row.className = "row"; row.append(el("div", {class: "line meta", text: "…"})); return; }
          row.className = "row" + (e.seen ? "" : " unread");
          const rcpt = el("div", {class: "rcpt"}, "to ");
          const bcc = new Set((e.bcc || []).map((a) => a.toLowerCase()));
          e.envelope.recipients.forEach((r, i) => {
            if (i) rcpt.append(", ");
            const isBcc = bcc.has(r.toLowerCase());
            const span = el("span", {class: "addr" + (isBcc ? " bcc" : ""), text: r + (isBcc ? " (Bcc)" : ""), title: "Show mail to " + r});
            span.dataset.addr = r;
            rcpt.append(span);
          });
          row.append(
            el("div", {class: "line"}, el("span", {class: "from", text: sender(e)}), el("span", {class: "meta", text: when(e.receivedAt)})),
            el("div", {class: "line"}, el("span", {class: "subject", text: e.subject != null ? (e.subject || "(no subject)") : "(unreadable)"}),
              e.attachments ? el("span", {class: "clip", title: e.attachments + " attachment(s)", "aria-label": "has attachments", text: "📎"}) : null,
              el("span", {class: "meta", text: size(e.size)})),
            rcpt);
          row.setAttribute("aria-label", (e.seen ? "" : "Unread. ") + "From " + sender(e) + ", " + (e.subject || "no subject"));
        }
        function fetchEntries(missing) {
          for (const id of missing) pending.add(id);
          clearTimeout(fetchTimer);
          fetchTimer = setTimeout(async () => {
            const wanted = [...pending].slice(0, 200);
            const gen = generation;
            try {
              const result = await request("GET", "/inbox/entries.json?ids=" + wanted.join(","));
              if (gen !== generation) return;
              for (const e of result.entries) entries.set(e.id, e);
            } catch (error) { status(String(error.message)); }
            for (const id of wanted) pending.delete(id);
            render();
          }, 30);
        }
        async function load() {
          const gen = ++generation;
          const result = await request("GET", "/inbox/list.json?" + params({limit: BATCH}));
          if (gen !== generation) return;
          const keepId = ids[selected];
          ids = [];
          for (const [first, count] of result.idRuns) for (let i = 0; i < count; i++) ids.push(first - i);
          entries = new Map(result.entries.map((e) => [e.id, e]));
          pending.clear();
          for (const row of rows.values()) row.remove();
          rows.clear();
          selected = keepId != null ? ids.indexOf(keepId) : -1;
          $("delete-all").textContent = params() ? "Delete matching" : "Delete all";
          layout();
          document.body.dataset.loaded = "true";
          if (!document.body.dataset.loadedAt) document.body.dataset.loadedAt = Math.round(performance.now());
        }

        // MARK: Live events
        function connect() {
          if (source) source.close();
          let ready = false, buffered = [];
          const apply = (fn) => (event) => { if (ready) fn(event); else buffered.push(() => fn(event)); };
          // The stream opens first, the list loads then: the server subscribes a stream before it
          // answers, so whatever changes after the list's moment (mail added, deleted, flagged)
          // comes as an event, held until the list is there. (Loading both at once left a message
          // deleted between the list and the subscription on the page until a reload.) A stream
          // that cannot open (503 beyond the limit) still gets its list.
          const stream = source = new EventSource("/events?" + params());
          const opened = new Promise((resolve) => {
            stream.addEventListener("open", resolve, {once: true});
            stream.addEventListener("error", resolve, {once: true});
          });
          source.addEventListener("open", () => status("live"));
          opened.then(() => load()).then(() => {
            if (stream !== source) return;
            ready = true; buffered.forEach((f) => f()); buffered = [];
          }).catch((error) => status(error.message));
          source.addEventListener("error", () => status("reconnecting…"));
          source.addEventListener("message", apply((event) => {
            const e = JSON.parse(event.data);
            entries.set(e.id, e);
            const added = insertId(e.id);
            if (added) list.scrollTop += list.scrollTop > 0 ? ROW : 0;
            for (const row of rows.values()) row.dataset.key = "";
            layout();
            if (openId === e.id) { openEntry = e; updateReadButton(); }
          }));
          source.addEventListener("deleted", apply((event) => { removeIds(JSON.parse(event.data).ids); layout(); }));
          source.addEventListener("flags", apply((event) => {
            const f = JSON.parse(event.data);
            const e = entries.get(f.id);
            if (e) { e.flags = f.flags; e.seen = f.seen; render(); }
            if (openId === f.id && openEntry) { openEntry.seen = f.seen; updateReadButton(); }
          }));
          source.addEventListener("reset", apply(() => load()));
        }

        // MARK: Selection and keys
        function select(index, scroll) {
          if (!ids.length) return;
          selected = Math.max(0, Math.min(ids.length - 1, index));
          if (scroll) {
            const top = selected * ROW;
            if (top < list.scrollTop) list.scrollTop = top;
            else if (top + ROW > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW - list.clientHeight;
          }
          render();
        }
        list.addEventListener("scroll", () => requestAnimationFrame(render));
        window.addEventListener("resize", () => render());
        list.addEventListener("click", (event) => {
          const addr = event.target.closest(".addr");
          if (addr) { q.value = "to:" + addr.dataset.addr; restart(); event.stopPropagation(); return; }
          const row = event.target.closest(".row");
          if (!row) return;
          select(ids.indexOf(Number(row.dataset.id)));
          open(Number(row.dataset.id));
        });
        document.addEventListener("keydown", (event) => {
          const t = event.target;
          if (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA") {
            if (event.key === "Escape") t.blur();
            return;
          }
          if (event.ctrlKey || event.metaKey || event.altKey) return;
          switch (event.key) {
            case "j": select(selected + 1, true); break;
            case "k": select(selected < 0 ? 0 : selected - 1, true); break;
            case "Enter": if (selected >= 0 && t.tagName !== "BUTTON" && t.tagName !== "A") open(ids[selected]); else return; break;
            case "Delete": case "Backspace": {
              const id = openId != null ? openId : ids[selected];
              if (id != null) remove(id);
              break;
            }
            case "u": { const id = openId != null ? openId : ids[selected]; if (id != null) toggleRead(id); break; }
            case "/": q.focus(); q.select(); break;
            case "Escape": closeReader(); break;
            default: return;
          }
          event.preventDefault();
        });
        function restart() { selected = -1; closeReader(); list.scrollTop = 0; connect(); }
        let searchTimer = null;
        $("search").addEventListener("submit", (event) => { event.preventDefault(); restart(); });
        q.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(restart, 250); });
        mailboxSelect.addEventListener("change", restart);
        $("delete-all").addEventListener("click", async () => {
          const what = params() ? "the " + ids.length + " messages matching this search" : "all " + ids.length + " messages";
          if (!confirm("Delete " + what + "? This removes them for IMAP and POP3 too.")) return;
          try { await request("DELETE", "/messages?" + params()); } catch (error) { status(error.message); }
        });

        // MARK: Actions
        async function remove(id) {
          const index = ids.indexOf(id);
          try { await request("DELETE", "/messages/" + id); } catch (error) { status(error.message); return; }
          removeIds([id]);
          if (index >= 0 && ids.length) selected = Math.min(index, ids.length - 1);
          layout();
        }
        async function setRead(id, seen) {
          const f = await request(seen ? "PUT" : "DELETE", "/messages/" + id + "/seen");
          const e = entries.get(id);
          if (e) { e.seen = f.seen; e.flags = f.flags; }
          if (openId === id && openEntry) openEntry.seen = f.seen;
          render(); updateReadButton();
        }
        function toggleRead(id) {
          const e = entries.get(id);
          setRead(id, !(e && e.seen)).catch((error) => status(error.message));
        }
        function updateReadButton() { $("toggle-read").textContent = openEntry && openEntry.seen ? "Mark unread" : "Mark read"; }
        $("toggle-read").addEventListener("click", () => { if (openId != null) toggleRead(openId); });
        $("delete").addEventListener("click", () => { if (openId != null) remove(openId); });
        $("back").addEventListener("click", closeReader);

        // MARK: Reader
        const TABS = ["HTML", "Text", "HTML source", "Headers", "Raw", "Attachments", "Links", "Envelope"];
        let detail = null, tab = "HTML", remote = false, width = "100%";
        function closeReader() {
          openId = null; openEntry = null; detail = null;
          $("reader").hidden = true; $("empty").hidden = false;
          document.body.classList.remove("reading");
          list.focus();
        }
        async function open(id) {
          openId = id; remote = false;
          const d = await request("GET", "/messages/" + id + ".json");
          if (openId !== id) return;
          detail = d; openEntry = entries.get(id) || d;
          $("reader").hidden = false; $("empty").hidden = true;
          document.body.classList.add("reading");
          $("download").href = "/messages/" + id + "/raw";
          $("download").setAttribute("download", "message-" + id + ".eml");
          const s = $("summary");
          s.replaceChildren(...[el("h2", {text: d.subject || "(no subject)"}),
            el("div", {text: "From: " + (d.from || []).map(person).join(", ")}),
            el("div", {text: "To: " + (d.to || []).map(person).join(", ")}),
            (d.cc || []).length ? el("div", {text: "Cc: " + d.cc.map(person).join(", ")}) : null,
            (d.bcc || []).length ? el("div", {class: "bcc", text: "Bcc (envelope only): " + d.bcc.join(", ")}) : null,
            el("div", {text: (d.date || d.receivedAt) + " · " + size(d.size)})].filter((c) => c));
          tab = d.html ? "HTML" : "Text";
          showTab();
          if (openEntry && !openEntry.seen) setRead(id, true).catch(() => {});
          updateReadButton();
        }
        function showTab() {
          const tabs = $("tabs");
          tabs.replaceChildren(...TABS.filter((t) => t !== "HTML" && t !== "HTML source" || detail.html).map((t) =>
            el("button", {type: "button", role: "tab", "aria-selected": t === tab ? "true" : "false", id: "tab-" + t.replace(/ /g, "-").toLowerCase(),
              onclick: () => { tab = t; showTab(); }, text: t + (t === "Attachments" ? " (" + detail.attachments.length + ")" : "")})));
          const panel = $("panel");
          panel.setAttribute("aria-labelledby", "tab-" + tab.replace(/ /g, "-").toLowerCase());
          panel.replaceChildren();
          const id = detail.id;
          switch (tab) {
            case "HTML": {
              const hasRemote = /(?:src|background|href)\s*=\s*["']?\s*(?:https?:)?\/\/|url\(\s*["']?\s*(?:https?:)?\/\//i.test(detail.html);
              const frame = el("iframe", {class: "mail", title: "Message body", sandbox: "allow-popups allow-popups-to-escape-sandbox", referrerpolicy: "no-referrer",
                src: "/messages/" + id + "/view" + (remote ? "?remote=1" : "")});
              frame.style.width = width;
              const bar = el("div", {class: "frame-bar"},
                ...[["Phone", "375px"], ["Tablet", "768px"], ["Desktop", "100%"]].map(([name, w]) =>
                  el("button", {type: "button", "aria-pressed": String(w === width), onclick: () => { width = w; frame.style.width = w; showTab(); }, text: name})));
              if (hasRemote && !remote) bar.append(el("span", {class: "notice", text: "Remote content blocked."}),
                el("button", {type: "button", id: "load-remote", onclick: () => { remote = true; showTab(); }, text: "Load remote content"}));
              panel.append(bar, el("div", {class: "frame-wrap"}, frame));
              break;
            }
            case "Text": panel.append(highlighted(detail.text)); break;
            case "HTML source": panel.append(el("pre", {text: detail.html})); break;
            case "Headers": panel.append(table(detail.headers.map((h) => h.omitted ? ["…", h.omitted + " more fields"] : [h.name, h.value]))); break;
            case "Raw": {
              const pre = el("pre", {text: "Loading…"});
              panel.append(el("p", {}, el("a", {class: "button", href: "/messages/" + id + "/raw", download: "message-" + id + ".eml", text: "Download .eml"})), pre);
              fetch("/messages/" + id + "/raw").then((r) => r.text()).then((t) => { pre.textContent = t.length > 2e6 ? t.slice(0, 2e6) + "\n… (truncated; download for all)" : t; });
              break;
            }
            case "Attachments": {
              if (!detail.attachments.length) { panel.append(el("p", {class: "notice", text: "No attachments."})); break; }
              const ul = el("ul", {class: "atts"});
              for (const a of detail.attachments) {
                const url = "/messages/" + id + "/parts/" + a.part;
                const li = el("li", {}, el("a", {class: "button", href: url, download: a.filename || "part-" + a.part, text: "Download " + (a.filename || "part " + a.part)}),
                  " " + a.contentType + " · " + size(a.size));
                if (/^image\/(png|jpeg|gif|webp|bmp)$/i.test(a.contentType)) li.append(el("br"), el("img", {class: "preview", src: url, alt: a.filename || "image"}));
                else if (/^application\/pdf$/i.test(a.contentType)) li.append(el("br"), el("iframe", {class: "preview", src: url, title: a.filename || "PDF"}));
                ul.append(li);
              }
              panel.append(ul);
              break;
            }
            case "Links": panel.append(linksView()); break;
            case "Envelope": {
              const e = detail.envelope;
              panel.append(table([["MAIL FROM", e.from || "<>"], ...e.recipients.map((r, i) => ["RCPT TO" + (e.recipients.length > 1 ? " " + (i + 1) : ""), r]),
                ["HELO", e.helo], ["AUTH", e.auth || "none"], ["TLS", e.tls ? e.tls.protocol + " " + e.tls.cipher : "none"], ["Peer", e.peer],
                ["Size", detail.size + " octets"], ["Id", String(detail.id)], ["UID", detail.uid != null ? String(detail.uid) : "-"],
                ["Mailbox", detail.mailbox || "-"], ["Received", detail.receivedAt]]));
              break;
            }
          }
        }
        function table(pairs) {
          return el("table", {class: "kv"}, ...pairs.map(([k, v]) => el("tr", {}, el("th", {scope: "row", text: k}), el("td", {text: v}))));
        }
        const CODE = /\b(?=[A-Z0-9-]*\d)[A-Z0-9]{3,5}-?[A-Z0-9]{3,5}\b|\b\d{4,8}\b/g;
        function codes(text) {
          const found = [];
          for (const line of (text || "").split("\n")) {
            const keyword = /code|otp|pin|passcode|verif|one-time|token|password/i.test(line);
            for (const m of line.matchAll(CODE)) if (keyword || /^\d{6}$/.test(m[0])) found.push(m[0]);
          }
          return [...new Set(found)];
        }
        function highlighted(text) {
          const pre = el("pre");
          const found = codes(text);
          if (!found.length) { pre.textContent = text; return pre; }
          const re = new RegExp("\\b(" + found.map((c) => c.replace(/[-]/g, "\\-")).join("|") + ")\\b", "g");
          let last = 0;
          for (const m of text.matchAll(re)) { pre.append(text.slice(last, m.index), el("mark", {text: m[0]})); last = m.index + m[0].length; }
          pre.append(text.slice(last));
          return pre;
        }
        function copyButton(value) {
          return el("button", {type: "button", onclick: (event) => {
            const done = () => { event.target.textContent = "Copied"; };
            if (navigator.clipboard) navigator.clipboard.writeText(value).then(done, () => {});
            else { const t = el("textarea"); t.value = value; document.body.append(t); t.select(); document.execCommand("copy"); t.remove(); done(); }
          }, text: "Copy"});
        }
        function linksView() {
          const box = el("div");
          const found = codes(detail.text);
          if (found.length) {
            box.append(el("h3", {text: "Codes"}));
            const ul = el("ul", {class: "links"});
            for (const c of found) ul.append(el("li", {}, el("mark", {class: "code", text: c}), " ", copyButton(c)));
            box.append(ul);
          }
          const links = new Map();
          if (detail.html) {
            const doc = new DOMParser().parseFromString(detail.html, "text/html");
            for (const a of doc.querySelectorAll("a[href]")) {
              const href = a.getAttribute("href").trim();
              if (/^(https?:|mailto:)/i.test(href) && !links.has(href)) links.set(href, a.textContent.trim().replace(/\s+/g, " "));
            }
          }
          for (const m of (detail.text || "").matchAll(/https?:\/\/[^\s<>"')\]]+/g)) if (!links.has(m[0])) links.set(m[0], "");
          box.append(el("h3", {text: "Links (" + links.size + ")"}));
          const ul = el("ul", {class: "links"});
          for (const [href, text] of links) {
            ul.append(el("li", {}, text ? el("div", {text: text}) : null,
              el("a", {href: href, target: "_blank", rel: "noopener noreferrer", text: href}), " ", copyButton(href)));
          }
          box.append(ul);
          return box;
        }

        // MARK: Start
        request("GET", "/inbox/mailboxes.json").then((names) => {
          for (const name of names) mailboxSelect.append(el("option", {value: name, text: name}));
        }, () => {});
        connect();
        })();

        """#
}
