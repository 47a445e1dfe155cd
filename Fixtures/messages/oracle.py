#!/usr/bin/env python3
"""The Python side of PythonOracleTests: parses each message named on the command line with the
standard library (`email.policy.default`) and prints one JSON object per message, in order:
decoded subject, From and To addresses, content types of every entity in walk order, and the
file names of the parts that have one. Undecodable bytes (kept by Python as surrogates) are
printed as U+FFFD so that the output is valid JSON.
"""

import email
import json
import sys
from email import policy


def clean(text):
    if text is None:
        return None
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def addresses(message, name):
    header = message.get(name)
    if header is None:
        return []
    try:
        return [[clean(a.display_name) or None, clean(a.addr_spec)] for a in header.addresses]
    except Exception as error:  # a header Python cannot parse as addresses
        return [["<error>", repr(error)]]


def describe(path):
    with open(path, "rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    filenames = []
    types = []
    for part in message.walk():
        types.append(part.get_content_type())
        filename = part.get_filename()
        if filename:
            filenames.append(clean(str(filename)))
    subject = message.get("Subject")
    return {
        "file": path,
        "subject": clean(str(subject)) if subject is not None else "",
        "from": addresses(message, "From"),
        "to": addresses(message, "To"),
        "types": types,
        "filenames": filenames,
    }


if __name__ == "__main__":
    print(json.dumps([describe(path) for path in sys.argv[1:]], ensure_ascii=False))
