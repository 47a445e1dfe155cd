"""Drives the web inbox in headless Chromium (selenium + chromedriver) against a running catcher.

Usage: web_inbox.py HTTP_PORT SMTP_PORT IMAP_PORT SCREENSHOT_DIR
Prints one line per check; exits non-zero (with the reason) at the first failure.
"""
import http.server
import imaplib
import json
import os
import shutil
import smtplib
import sys
import tempfile
import threading
import time
import urllib.request
from email.message import EmailMessage

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

http_port, smtp_port, imap_port, shots = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
base = f"http://127.0.0.1:{http_port}"
os.makedirs(shots, exist_ok=True)
downloads = tempfile.mkdtemp(prefix="letterbox-downloads-")

# A remote server the mail's image points at: it counts what the browser fetches from it.
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fe0dc7b4a10000000049454e44ae426082")
remote_hits = []


class Remote(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        remote_hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PIXEL)))
        self.end_headers()
        self.wfile.write(PIXEL)

    def log_message(self, *args):
        pass


remote = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Remote)
threading.Thread(target=remote.serve_forever, daemon=True).start()
REMOTE_URL = f"http://127.0.0.1:{remote.server_port}/pixel.png"
ATTACHMENT = bytes(range(256)) * 40 + b"\x00end"


def send(subject, text, html=None, rcpts=("bo@example.com",), attach=None):
    msg = EmailMessage()
    msg["From"] = "Ana <ana@example.com>"
    msg["To"] = "bo@example.com"
    msg["Subject"] = subject
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        msg.get_payload()[1].add_related(PIXEL, "image", "png", cid="<logo@letterbox>")
    if attach is not None:
        msg.add_attachment(attach, maintype="application", subtype="octet-stream", filename="data.bin")
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        smtp.sendmail("ana@example.com", list(rcpts), msg.as_bytes())


def api(path):
    request = urllib.request.Request(base + path, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def check(name):
    print("ok:", name, flush=True)


options = webdriver.ChromeOptions()
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,900", "--disable-extensions", "--no-first-run"):
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
driver.set_page_load_timeout(20)
driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
wait = WebDriverWait(driver, 15)


def rows():
    return driver.find_elements(By.CSS_SELECTOR, "#list .row")


def row_texts():
    # One call, so rows re-rendered meanwhile cannot go stale under the reader.
    return driver.execute_script("return [...document.querySelectorAll('#list .row')].map((r) => r.innerText)")


try:
    send("First message", "The first one.")
    driver.get(base + "/")
    wait.until(lambda d: d.execute_script("return document.body.dataset.loaded === 'true'"))
    wait.until(lambda d: any("First message" in t for t in row_texts()))
    check("the page lists the stored message")

    # Live arrival: no reload (a marker on window survives only without one).
    driver.execute_script("window.__noReload = 42")
    html = ('<p id="hello">Hello <b>world</b></p>'
            '<script>document.body.innerHTML = "PWNED"; fetch("/messages", {method: "DELETE"});</script>'
            f'<img id="remote" src="{REMOTE_URL}" alt="remote"><img id="inline" src="cid:logo@letterbox" alt="inline">')
    send("Welcome aboard", "Your code is 482913.\nVisit https://example.com/verify?t=1", html=html,
         rcpts=("bo@example.com", "hidden@example.com"), attach=ATTACHMENT)
    wait.until(lambda d: any("Welcome aboard" in t for t in row_texts()))
    assert driver.execute_script("return window.__noReload") == 42, "the page reloaded"
    top = min(rows(), key=lambda r: r.location["y"])
    assert "Welcome aboard" in top.text, "the newest message is not first"
    welcome = next(r for r in rows() if "Welcome aboard" in r.text)
    assert "hidden@example.com (Bcc)" in welcome.text, welcome.text
    check("new mail appears without a reload, Bcc marked")

    # The HTML renders in the sandboxed frame; its script does not run; remote image blocked.
    welcome.click()
    frame = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "iframe.mail"))
    sandbox = frame.get_attribute("sandbox")
    assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox, sandbox
    driver.switch_to.frame(frame)
    wait.until(lambda d: d.find_elements(By.ID, "hello"))
    assert "PWNED" not in driver.find_element(By.TAG_NAME, "body").text
    inline_width = driver.execute_script(
        "const i = document.getElementById('inline'); return i.complete ? i.naturalWidth : -1")
    driver.switch_to.default_content()
    assert inline_width == 1, f"the cid: image did not load ({inline_width})"
    time.sleep(0.5)
    assert len(api("/messages.json")) == 2, "the mail's script ran (it deletes every message)"
    assert remote_hits == [], f"remote content loaded before it was allowed: {remote_hits}"
    check("HTML rendered in the sandboxed frame, its script did not run, cid: image shown, remote image blocked")

    # Opening it marked it read, for IMAP too.
    imap = imaplib.IMAP4("127.0.0.1", imap_port)
    imap.login("tester", "pw")
    imap.select("INBOX")
    wait.until(lambda d: b"\\Seen" in imap.fetch("2", "(FLAGS)")[1][0] or imap.noop() is None)
    check("opening a message sets \\Seen over IMAP")

    driver.find_element(By.ID, "load-remote").click()
    wait.until(lambda d: remote_hits)
    check("remote content loads once allowed")
    driver.save_screenshot(os.path.join(shots, "inbox-1280.png"))

    # The attachment downloads with its exact bytes.
    driver.find_element(By.ID, "tab-attachments").click()
    link = wait.until(lambda d: next(a for a in d.find_elements(By.CSS_SELECTOR, ".atts a[download]")
                                      if "data.bin" in a.text))
    link.click()
    target = os.path.join(downloads, "data.bin")
    wait.until(lambda d: os.path.exists(target) and open(target, "rb").read() == ATTACHMENT)
    check("the attachment downloads with the exact bytes")

    driver.find_element(By.ID, "tab-links").click()
    codes = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#panel mark.code")]
    assert "482913" in codes, codes
    check("the one-time code is found on the Links tab")

    # Keyboard: j/k move, Enter opens, u toggles unread, Delete deletes (for IMAP too).
    driver.execute_script("document.getElementById('list').focus()")
    driver.find_element(By.ID, "list").send_keys("k")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".row[aria-selected=true]"))
    first_selected = driver.find_element(By.CSS_SELECTOR, ".row[aria-selected=true]").get_attribute("id")
    driver.find_element(By.ID, "list").send_keys("j")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".row[aria-selected=true]").get_attribute("id") != first_selected)
    driver.find_element(By.ID, "list").send_keys("k")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".row[aria-selected=true]").get_attribute("id") == first_selected)
    driver.find_element(By.ID, "list").send_keys(Keys.ENTER)
    wait.until(lambda d: d.find_element(By.ID, "reader").is_displayed()
               and "Welcome aboard" in d.find_element(By.ID, "summary").text)
    driver.find_element(By.ID, "list").send_keys("u")
    wait.until(lambda d: not next(m for m in api("/messages.json") if m["subject"] == "Welcome aboard")["seen"])
    check("keyboard: j/k move the selection, Enter opens, u marks unread")
    driver.find_element(By.ID, "list").send_keys(Keys.DELETE)
    wait.until(lambda d: len(rows()) == 1)
    imap.noop()
    typ, data = imap.search(None, "ALL")
    assert data[0].split() == [b"1"], data
    imap.logout()
    check("Delete removes the message, for IMAP too")

    # 375 px: no horizontal scroll.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 375, "height": 740, "deviceScaleFactor": 1, "mobile": True})
    time.sleep(0.3)
    overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow} px at 375 px"
    driver.save_screenshot(os.path.join(shots, "inbox-375.png"))
    rows()[0].click()
    wait.until(lambda d: d.find_element(By.ID, "summary").is_displayed())
    overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow} px at 375 px (reader)"
    driver.save_screenshot(os.path.join(shots, "message-375.png"))
    check("no horizontal scroll at 375 px")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # Dark mode follows prefers-color-scheme.
    light = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    wait.until(lambda d: d.execute_script("return getComputedStyle(document.body).backgroundColor") != light)
    dark = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert dark == "rgb(15, 17, 21)", dark
    driver.save_screenshot(os.path.join(shots, "inbox-dark-1280.png"))
    check("dark mode applies")

    # Search narrows the list, negation too, and live arrivals follow the search.
    send("Other news", "Something else.")
    wait.until(lambda d: len(rows()) == 2)
    search = driver.find_element(By.ID, "q")
    search.send_keys("subject:First")
    wait.until(lambda d: row_texts() and all("First message" in t for t in row_texts()))
    check("search narrows the list")
    search.clear()
    search.send_keys("-subject:First")
    wait.until(lambda d: row_texts() and all("Other news" in t for t in row_texts()))
    check("a negated search narrows the list")
    send("First again", "Excluded by the search.")
    send("Later news", "Arrives while searching.")
    wait.until(lambda d: any("Later news" in t for t in row_texts()))
    assert not any("First" in t for t in row_texts()), row_texts()
    check("live arrivals follow the search")

    # A message deleted after the page's list but before its stream subscribed leaves no row: the
    # stream is held back (EventSource wrapped) while the message is deleted, then let go.
    send("Deleted early", "Gone before the stream starts.")
    early = next(m["id"] for m in api("/messages.json") if m["subject"] == "Deleted early")
    held = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        const Real = window.EventSource;
        window.EventSource = class {
          constructor(url) {
            this.pending = [];
            window.__openStream = () => {
              if (this.closed) return;
              this.real = new Real(url);
              for (const args of this.pending) this.real.addEventListener(...args);
            };
          }
          addEventListener(...args) { this.real ? this.real.addEventListener(...args) : this.pending.push(args); }
          close() { this.closed = true; if (this.real) this.real.close(); }
        };"""})
    driver.get(base + "/")
    wait.until(lambda d: d.execute_script("return typeof window.__openStream === 'function'"))
    time.sleep(1)  # the list would load meanwhile if it did not wait for the stream
    urllib.request.urlopen(urllib.request.Request(f"{base}/messages/{early}", method="DELETE")).read()
    driver.execute_script("window.__openStream()")
    wait.until(lambda d: d.execute_script("return document.body.dataset.loaded === 'true'"))
    wait.until(lambda d: any("Later news" in t for t in row_texts()))
    time.sleep(0.5)
    assert not any("Deleted early" in t for t in row_texts()), row_texts()
    driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": held["identifier"]})
    check("a message deleted before the stream started leaves no stale row")

    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"
              and "Content Security Policy" not in e.get("message", "") and "favicon" not in e.get("message", "")]
    assert not errors, errors
    check("no script errors in the console")
finally:
    try:
        driver.save_screenshot(os.path.join(shots, "last.png"))
    except Exception:
        pass
    driver.quit()
    remote.shutdown()
    shutil.rmtree(downloads, ignore_errors=True)
