/// The inbox's style: light and dark themes from `prefers-color-scheme`, one pane under 760 px.
enum InboxStyle {
    static let css = #"""
        :root{--bg:#fff;--fg:#1b1f24;--muted:#59636e;--line:#d8dee4;--hover:#f3f5f7;--sel:#dbeafe;--accent:#0b63ce;--danger:#c62828;--mark:#fff3a3;--code:#f6f8fa;color-scheme:light}
        @media (prefers-color-scheme:dark){:root{--bg:#0f1115;--fg:#e6e8eb;--muted:#9aa4af;--line:#2b313a;--hover:#1a1f27;--sel:#1d3357;--accent:#6cb0ff;--danger:#ff6b6b;--mark:#5c4b00;--code:#161b22;color-scheme:dark}}
        *{box-sizing:border-box}
        html,body{height:100%;margin:0}
        body{background:var(--bg);color:var(--fg);font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;display:flex;flex-direction:column;overflow:hidden}
        button,.button,select,input{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 10px;min-height:30px}
        button,.button{cursor:pointer;text-decoration:none;display:inline-flex;align-items:center}
        button:hover,.button:hover{background:var(--hover)}
        button:focus-visible,.list:focus-visible,.row:focus-visible,input:focus-visible,select:focus-visible,.panel:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}
        .danger{color:var(--danger)}
        .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        .bar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding:8px 12px;border-bottom:1px solid var(--line)}
        .brand{font-size:16px;margin:0;color:var(--danger)}
        .search{flex:1 1 220px;min-width:0;display:flex}
        .search input{width:100%;min-width:0}
        #mailbox{max-width:40vw}
        .live{color:var(--muted);font-size:12px}
        .split{flex:1;display:flex;min-height:0}
        .list-pane{width:42%;min-width:0;display:flex;flex-direction:column;border-right:1px solid var(--line)}
        .count{padding:4px 12px;color:var(--muted);font-size:12px;border-bottom:1px solid var(--line)}
        .list{flex:1;overflow-y:auto;overflow-x:hidden;position:relative;outline:none}
        .spacer{position:relative;width:100%}
        .row{position:absolute;left:0;right:0;height:60px;padding:6px 12px 6px 22px;border-bottom:1px solid var(--line);cursor:pointer;overflow:hidden}
        .row:hover{background:var(--hover)}
        .row[aria-selected=true]{background:var(--sel)}
        .row.unread .from,.row.unread .subject{font-weight:700}
        .row.unread::before{content:"";position:absolute;left:8px;top:13px;width:8px;height:8px;border-radius:50%;background:var(--accent)}
        .line{display:flex;gap:8px;min-width:0;white-space:nowrap}
        .from{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis}
        .meta{color:var(--muted);font-size:12px;flex:none}
        .subject{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis}
        .rcpt{color:var(--muted);font-size:12px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        .addr{cursor:pointer;text-decoration:underline dotted}
        .bcc{color:var(--accent)}
        .clip{flex:none}
        .reader{flex:1;min-width:0;display:flex;flex-direction:column}
        .reader[hidden],.empty[hidden]{display:none}
        .empty{flex:1;display:flex;align-items:center;justify-content:center;color:var(--muted);padding:24px;text-align:center}
        .toolbar{display:flex;flex-wrap:wrap;gap:6px;padding:8px 12px;border-bottom:1px solid var(--line)}
        .back{display:none}
        .summary{padding:8px 12px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
        .summary h2{font-size:17px;margin:0 0 4px}
        .summary div{color:var(--muted);font-size:13px}
        .tabs{display:flex;gap:2px;padding:0 8px;border-bottom:1px solid var(--line);overflow-x:auto}
        .tabs button{border:0;border-bottom:2px solid transparent;border-radius:0;white-space:nowrap}
        .tabs button[aria-selected=true]{border-bottom-color:var(--accent);color:var(--accent)}
        .panel{flex:1;overflow:auto;padding:10px 12px;min-height:0}
        .panel pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--code);padding:8px;border-radius:6px}
        .frame-bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-bottom:8px}
        .notice{color:var(--muted)}
        .frame-wrap{display:flex;justify-content:center}
        iframe.mail{width:100%;height:70vh;border:1px solid var(--line);border-radius:6px;background:#fff}
        table.kv{border-collapse:collapse;width:100%}
        table.kv th{text-align:left;vertical-align:top;padding:3px 10px 3px 0;color:var(--muted);font-weight:600;white-space:nowrap}
        table.kv td{padding:3px 0;overflow-wrap:anywhere}
        .links li,.atts li{margin:6px 0;overflow-wrap:anywhere}
        mark{background:var(--mark);color:inherit;font-weight:700}
        .code{font:16px ui-monospace,monospace}
        .preview{max-width:100%;margin-top:6px;border:1px solid var(--line)}
        iframe.preview{width:100%;height:60vh}
        @media (max-width:760px){
          .list-pane{width:100%;border-right:0}
          body.reading .list-pane{display:none}
          body:not(.reading) .reader,.empty{display:none}
          .back{display:inline-flex}
          .bar{padding:6px 8px}
          #mailbox{max-width:34vw}
        }

        """#
}
