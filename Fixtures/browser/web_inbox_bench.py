"""Measures the web inbox in headless Chromium against a running catcher (figures for issue #18).

Usage: web_inbox_bench.py HTTP_PORT SMTP_PORT [MESSAGES]
Prints: asset sizes, server time of the first load, time to the first screen with MESSAGES stored
(default 50,000) and rows in the DOM, and SMTP 250 -> row visible latency over 200 deliveries.
"""
import smtplib
import statistics
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

http_port, smtp_port = int(sys.argv[1]), int(sys.argv[2])
count = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
base = f"http://127.0.0.1:{http_port}"


def timed_get(path, accept="*/*"):
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Accept": accept})) as r:
        body = r.read()
    return body, (time.perf_counter() - start) * 1000


sizes = {p: len(timed_get(p, "text/html" if p == "/" else "*/*")[0]) for p in ("/", "/inbox.js", "/inbox.css")}
print("assets (octets):", sizes, "total", sum(sizes.values()))

message = ("From: Load <load@example.com>\r\nTo: bo@example.com\r\nSubject: Load {n}\r\n\r\nBody {n}\r\n")
start = time.perf_counter()
with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
    for n in range(count):
        smtp.sendmail("load@example.com", ["bo@example.com"], message.format(n=n).encode())
print(f"stored {count} messages in {time.perf_counter() - start:.1f} s")

for path, accept in (("/", "text/html"), ("/inbox.js", "*/*"), ("/inbox.css", "*/*"), ("/inbox/list.json?limit=100", "*/*")):
    times = sorted(timed_get(path, accept)[1] for _ in range(20))
    print(f"GET {path}: median {times[10]:.1f} ms, max {times[-1]:.1f} ms (client-measured, loopback)")

options = webdriver.ChromeOptions()
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
wait = WebDriverWait(driver, 60)
try:
    firsts = []
    for _ in range(5):
        driver.get(base + "/")
        wait.until(lambda d: d.execute_script(
            "return document.body.dataset.loaded === 'true' && document.querySelectorAll('#list .row .subject').length > 0"))
        # The page notes when its first screen was rendered (ms since navigation start).
        firsts.append(float(driver.execute_script("return document.body.dataset.loadedAt")))
    rows = driver.execute_script("return document.querySelectorAll('#list .row').length")
    print(f"first screen with {count} messages: median {statistics.median(firsts):.0f} ms "
          f"(of {', '.join(f'{t:.0f}' for t in firsts)}), rows in the DOM: {rows}")
    driver.execute_script("document.getElementById('list').scrollTop = 1e9")
    time.sleep(1)
    rows = driver.execute_script("return document.querySelectorAll('#list .row').length")
    print(f"rows in the DOM after scrolling to the end: {rows}")

    driver.execute_script("document.getElementById('list').scrollTop = 0")
    time.sleep(0.5)
    driver.execute_script("""
        window.__seen = {};
        new MutationObserver(() => {
          for (const s of document.querySelectorAll('#list .row .subject')) {
            const m = /^Latency (\\d+)$/.exec(s.textContent);
            if (m && !(m[1] in window.__seen)) window.__seen[m[1]] = Date.now();
          }
        }).observe(document.getElementById('list'), {childList: true, subtree: true, characterData: true});""")
    sent = {}
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        for n in range(200):
            smtp.sendmail("load@example.com", ["bo@example.com"],
                          f"From: l@example.com\r\nTo: bo@example.com\r\nSubject: Latency {n}\r\n\r\nx\r\n".encode())
            sent[str(n)] = time.time() * 1000
            time.sleep(0.05)
    wait.until(lambda d: len(d.execute_script("return window.__seen")) == 200)
    seen = driver.execute_script("return window.__seen")
    latencies = sorted(seen[k] - sent[k] for k in sent)
    print(f"SMTP 250 -> row visible over 200 deliveries: median {latencies[100]:.0f} ms, "
          f"p99 {latencies[197]:.0f} ms, max {latencies[-1]:.0f} ms")
finally:
    driver.quit()
