"""Measures GET /events against a running letterbox (issue #18 figures).

Usage: events_bench.py PID HTTP_PORT SMTP_PORT [SUBSCRIBERS] [MESSAGES]
Prints: RSS per idle subscriber (of SUBSCRIBERS, default 1000; start letterbox with
--max-connections above twice that), and SMTP ingest rate with 0 and 100 subscribers reading.
"""
import os
import resource
import select
import smtplib
import socket
import sys
import multiprocessing
import time

pid, http_port, smtp_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
subscribers = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
messages = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))


def rss_kib():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds():
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def subscribe():
    s = socket.create_connection(("127.0.0.1", http_port))
    s.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while b"retry: 1000\n\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("stream closed: " + data.decode(errors="replace"))
        data += chunk
    return s


def ingest(count):
    body = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: Load\r\n\r\n" + b"x" * 2000 + b"\r\n"
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        for _ in range(count):
            smtp.sendmail("a@example.com", ["b@example.com"], body)
    return count / (time.perf_counter() - start)


def drain(sockets, stop, counted):
    received = 0
    while not stop.is_set():
        ready, _, _ = select.select(sockets, [], [], 0.2)
        for s in ready:
            received += s.recv(1 << 16).count(b"event: message")
    counted.value = received


ingest(200)  # warm up
before = rss_kib()
streams = [subscribe() for _ in range(subscribers)]
time.sleep(1)
after = rss_kib()
print(f"{subscribers} idle subscribers: RSS {before} -> {after} KiB, {(after - before) / subscribers:.1f} KiB each")
for s in streams[100:]:
    s.close()
streams = streams[:100]
time.sleep(1)
# The readers run in another process: in this one they would compete with the sender for the GIL.
stop = multiprocessing.Event()
counted = multiprocessing.Value("i", 0)
reader = multiprocessing.Process(target=drain, args=(streams, stop, counted))
reader.start()
cpu = cpu_seconds()
baseline = ingest(messages)
time.sleep(2)
cpu_with = cpu_seconds() - cpu
stop.set()
reader.join()
print(f"events received by the 100 subscribers: {counted.value} of {100 * messages}")
for s in streams:
    s.close()
time.sleep(1)
cpu = cpu_seconds()
without = ingest(messages)
cpu_without = cpu_seconds() - cpu
print(f"server CPU for {messages} messages: {cpu_without:.2f} s without subscribers, "
      f"{cpu_with:.2f} s with 100 (+{1e6 * (cpu_with - cpu_without) / (100 * messages):.1f} us per event per subscriber)")
print(f"SMTP ingest of {messages} messages (one client): {without:.0f}/s with no subscriber, "
      f"{baseline:.0f}/s with 100 subscribers ({100 * baseline / without:.0f} %)")
