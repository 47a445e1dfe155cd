#!/usr/bin/env python3
"""Writes the generated fixtures of this folder (see README.md). Deterministic: run it again
and the files come out byte for byte the same. Only Python's standard library is used.

    python3 Fixtures/messages/generate.py

Well-formed messages are built with the `email` package (EmailMessage, policy SMTP, fixed
boundaries); malformed ones, whose shape the package would repair, are written as bytes.
"""

import base64
import os
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP

HERE = os.path.dirname(os.path.abspath(__file__))
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DATE = "Fri, 27 Nov 2026 06:12:13 +0000"


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(HERE, name), "wb") as handle:
        handle.write(data)


def crlf(text):
    """A message written with LF in this script and CRLF on the wire."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def base(subject, sender="Ana Lima <ana@example.com>", to="Bob <bob@example.com>"):
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = DATE
    message["Message-ID"] = "<%s@example.com>" % subject.lower().replace(" ", ".")[:40]
    return message


def fix_boundaries(message, prefix):
    """Replaces the random boundaries the package would pick with fixed ones."""
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary("%s-%d" % (prefix, number))
    return message


def save(name, message, prefix="b"):
    write(name, fix_boundaries(message, prefix).as_bytes(policy=SMTP))


# --- Built with the email package -------------------------------------------------------------

def related_inline_images():
    message = base("Related inline images")
    message.set_content("Two charts inline; see the HTML.\n")
    message.add_alternative(
        '<p>Chart one <img src="cid:one@example.com"> and two <img src="cid:two@example.com"></p>\n',
        subtype="html")
    html = message.get_payload()[1]
    html.add_related(PNG, "image", "png", cid="<one@example.com>", filename="one.png")
    html.add_related(PNG, "image", "png", cid="<two@example.com>")
    save("related-inline-images.eml", message)


def mixed_attachments():
    message = base("Mixed with attachments")
    message.set_content("Three files attached.\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="report.pdf")
    message.add_attachment("name,total\nana,42\n", subtype="csv", filename="totals.csv")
    message.add_attachment(b"PK\x03\x04" + bytes(range(64)), maintype="application", subtype="zip",
                           filename="archive.zip")
    save("mixed-attachments.eml", message)


def apple_mail_shape():
    message = base("Mixed alternative related")
    message.set_content("Plain version.\n")
    message.add_alternative('<p>HTML version <img src="cid:logo@example.com"></p>\n', subtype="html")
    message.get_payload()[1].add_related(PNG, "image", "png", cid="<logo@example.com>", filename="logo.png")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="terms.pdf")
    save("mixed-alternative-related.eml", message)


def rfc2231_names():
    message = base("RFC 2231 names")
    message.set_content("Files with non-ASCII names.\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="résumé 2026 — final.pdf")
    message.add_attachment(b"data", maintype="application", subtype="octet-stream",
                           filename=("iso-8859-1", "", "café.bin"))
    message.add_attachment(b"more", maintype="application", subtype="octet-stream",
                           filename="日本語のファイル名.txt")
    save("rfc2231-names.eml", message)


def encoded_subject(name, charset, text, encoding="b"):
    header = Header(text, charset)
    encoded = header.encode(maxlinelen=76)
    if encoding == "q" and "?b?" in encoded.lower():
        encoded = Header(text, charset).encode()
    message = EmailMessage(policy=SMTP)
    message["From"] = "Ana Lima <ana@example.com>"
    message["To"] = "bob@example.com"
    message["Date"] = DATE
    write_raw_subject = encoded
    message.set_content("Subject in %s.\n" % charset)
    data = message.as_bytes(policy=SMTP)
    data = b"Subject: " + write_raw_subject.replace("\n", "\r\n").encode("ascii") + b"\r\n" + data
    write(name, data)


def subjects():
    encoded_subject("subject-iso-8859-1.eml", "iso-8859-1", "Réunion à Genève: ordre du jour")
    encoded_subject("subject-iso-8859-2.eml", "iso-8859-2", "Zażółć gęślą jaźń")
    encoded_subject("subject-koi8-r.eml", "koi8-r", "Привет, как дела?")
    encoded_subject("subject-windows-1252.eml", "windows-1252", "“Smart quotes” – and € signs")
    encoded_subject("subject-iso-8859-7.eml", "iso-8859-7", "Καλημέρα κόσμε")
    encoded_subject("subject-iso-2022-jp.eml", "iso-2022-jp", "会議の予定")
    encoded_subject("subject-utf-8-long.eml", "utf-8",
                    "Un sujet très long avec des accents é è à ù, des emoji 📦🚚 et encore du texte pour plier")


def forwards():
    inner = base("Inner original", sender="Carl <carl@example.org>", to="ana@example.com")
    inner.set_content("The original text.\n")
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="original.pdf")
    fix_boundaries(inner, "inner")
    message = base("Fwd: Inner original")
    message.set_content("Forwarding this.\n")
    message.add_attachment(inner)
    save("forward-nested.eml", message, "outer")

    first = base("Fwd: Inner original", sender="Ana Lima <ana@example.com>", to="bob@example.com")
    first.set_content("First forward.\n")
    first.add_attachment(fix_boundaries(inner, "inner"))
    fix_boundaries(first, "first")
    second = base("Fwd: Fwd: Inner original", sender="Bob <bob@example.com>", to="dee@example.com")
    second.set_content("Second forward.\n")
    second.add_attachment(first)
    save("forward-twice.eml", second, "second")


def digest():
    # A multipart/digest whose parts have no Content-Type: they default to message/rfc822
    # (RFC 2046 §5.1.5). Written from messages the email package builds.
    entries = []
    for number in range(1, 4):
        entry = base("Digest entry %d" % number, sender="list%d@example.com" % number)
        entry.set_content("Entry %d body.\n" % number)
        entries.append(entry.as_bytes(policy=SMTP))
    head = crlf("From: list@example.com\nTo: ana@example.com\nSubject: Digest of three\nDate: " + DATE
                + "\nMIME-Version: 1.0\nContent-Type: multipart/digest; boundary=\"digest\"\n\n")
    body = b"".join(b"--digest\r\n\r\n" + entry for entry in entries) + b"--digest--\r\n"
    write("digest.eml", head + body)


def calendar_invite():
    message = base("Invitation: planning")
    message.set_content("You are invited.\n")
    message.add_alternative("<p>You are invited.</p>\n", subtype="html")
    message.add_alternative(
        "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Planning\nEND:VEVENT\nEND:VCALENDAR\n",
        subtype="calendar", params={"method": "REQUEST"})
    message.add_attachment(
        "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", subtype="calendar", filename="invite.ics")
    save("calendar-invite.eml", message)


def utf8_headers():
    message = EmailMessage(policy=SMTP.clone(utf8=True))
    message["From"] = "José Núñez <josé@exämple.com>"
    message["To"] = "Zoë <zoe@example.com>, 山田 <yamada@例え.jp>"
    message["Subject"] = "Ünïcödé headers, RFC 6532 ✓"
    message["Date"] = DATE
    message.set_content("UTF-8 in the header section, not encoded.\n")
    write("headers-8bit-utf8.eml", message.as_bytes())


# --- Written as bytes: shapes the email package would not produce ---------------------------

def raw_fixtures():
    write("headers-8bit-latin1.eml", crlf(
        "From: Ana <ana@example.com>\nTo: bob@example.com\nSubject: Caf\xe9 \xe0 la cr\xe8me\n"
        "Date: " + DATE + "\n\nLatin-1 bytes in the Subject, not encoded.\n").replace(b"\xc3\xa9", b"\xe9")
        .replace(b"\xc3\xa0", b"\xe0").replace(b"\xc3\xa8", b"\xe8"))

    write("bare-lf.eml", (
        "From: ana@example.com\nTo: bob@example.com\nSubject: Bare LF line endings\n"
        "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"lf\"\n\n"
        "--lf\nContent-Type: text/plain; charset=utf-8\n\nEvery line ends in LF.\nNo CR at all.\n"
        "--lf\nContent-Type: text/html; charset=utf-8\n\n<p>Every line ends in LF.</p>\n--lf--\n").encode())

    write("mixed-line-endings.eml", b"From: ana@example.com\r\nTo: bob@example.com\nSubject: Mixed line endings\r\n"
          b"Content-Type: multipart/mixed; boundary=m\n\r\n--m\r\n\nCRLF and LF mixed.\r\nSecond line.\n"
          b"--m\nContent-Type: text/csv; name=a.csv\r\n\r\na,b\n1,2\r\n--m--\n")

    write("missing-final-boundary-nested.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Nested, no close delimiters\n"
        "Content-Type: multipart/mixed; boundary=outer\n\n--outer\n"
        "Content-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/plain\n\nplain text\n"
        "--inner\nContent-Type: text/html\n\n<p>html</p>\n--outer\nContent-Type: application/pdf; name=cut.pdf\n"
        "Content-Transfer-Encoding: base64\n\n" + base64.b64encode(PDF).decode() + "\n"))

    encoded = base64.b64encode(PDF * 3).decode()
    write("truncated-base64.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Truncated base64\n"
        "Content-Type: multipart/mixed; boundary=t\n\n--t\nContent-Type: text/plain\n\nThe PDF is cut short.\n"
        "--t\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"cut.pdf\"\n"
        "Content-Transfer-Encoding: base64\n\n" + "\n".join(encoded[i:i + 76] for i in range(0, 150, 76))
        + encoded[150:155] + "\n--t--\n"))

    write("base64-no-padding-whitespace.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Base64 with spaces and no padding\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        "SGVs bG8g\n  d29y bGQg\n8J+Mjw\n"))

    def nest(depth, leaf):
        head = ""
        tail = ""
        for level in range(depth):
            head += "Content-Type: multipart/mixed; boundary=\"level%d\"\n\n--level%d\n" % (level, level)
            tail = "\n--level%d--" % level + tail
        return head + leaf + tail + "\n"

    write("deep-nesting.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Deep nesting (30 levels)\n"
        + nest(30, "Content-Type: text/plain\n\nAt the bottom.")))
    write("deep-nesting-over-limit.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Deeper than the parser goes (60 levels)\n"
        + nest(60, "Content-Type: text/plain\n\nToo deep to reach.")))

    received = "".join(
        "Received: from relay%d.example.net (relay%d.example.net [192.0.2.%d])\n\tby mx.example.com with ESMTP"
        " id %08x; %s\n" % (n, n, n % 250 + 1, n * 7919, DATE) for n in range(1500))
    references = "References:" + "".join("\n <ref%d.%d@example.com>" % (n, n * 31) for n in range(2000)) + "\n"
    write("huge-header.eml", crlf(
        received + references + "From: ana@example.com\nTo: bob@example.com\nSubject: A huge header section\n"
        "X-Long: " + " ".join("word%d" % n for n in range(5000)) + "\n\nSmall body.\n"))

    write("group-addresses.eml", crlf(
        "From: \"Lima, Ana\" <ana@example.com>\nTo: undisclosed-recipients:;\n"
        "Cc: Team: bob@example.com, \"Carl (ops)\" <carl@example.com>;, dee@example.com\n"
        "Subject: Groups in address lists\nDate: " + DATE + "\n\nGroups.\n"))

    write("quoted-display-names.eml", crlf(
        "From: \"Ana \\\"the boss\\\" Lima\" <ana@example.com>\n"
        "To: bob@example.com (Bob Builder), \"O'Neil, Carl\" <carl@example.com>, Dee <dee@example.com>\n"
        "Subject: Quoted names, escapes and comments\nDate: " + DATE + "\n\nNames.\n"))

    write("encoded-display-names.eml", crlf(
        "From: =?utf-8?q?Ren=C3=A9e_M=C3=BCller?= <renee@example.com>\n"
        "To: =?iso-8859-1?q?Andr=E9?= <andre@example.com>, =?utf-8?b?5bGx55Sw?= <yamada@example.jp>\n"
        "Subject: =?utf-8?q?split_=F0=9F=93?= =?utf-8?q?=A6_across_words?=\nDate: " + DATE + "\n\nNames.\n"))

    write("subject-mixed-charsets.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\n"
        "Subject: =?iso-8859-1?q?caf=E9?= and =?utf-8?b?8J+NtQ==?= =?koi8-r?b?8NLJ18XU?=\n\nMixed.\n"))

    write("obsolete-date.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Obsolete date\n"
        "Date: Thu, 5 Nov 98 9:05:07 EST (Eastern Standard Time)\n"
        "Message-ID: <obsolete.date@example.com>\nIn-Reply-To: <parent@example.com>\n"
        "References: <root@example.com> <parent@example.com>\n\nTwo-digit year and a named zone.\n"))

    write("boundary-specials.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Boundary with specials\n"
        "Content-Type: multipart/mixed;\n boundary=\"=_Part:0/1?x=(y)+'z',.\"\n\n"
        "--=_Part:0/1?x=(y)+'z',.\nContent-Type: text/plain\n\nFirst.\n"
        "--=_Part:0/1?x=(y)+'z',.  \t\nContent-Type: text/plain; name=\"second.txt\"\n\nSecond.\n"
        "--=_Part:0/1?x=(y)+'z',.--\n"))

    write("preamble-epilogue.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Preamble and epilogue\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=pe\n\nThis is a multi-part message in MIME format.\n\n"
        "--pe\nContent-Type: text/plain\n\nBody.\n--pe--\n\nEpilogue text that no client shows.\n"))

    write("empty-parts.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Empty parts\n"
        "Content-Type: multipart/mixed; boundary=e\n\n--e\n--e\nContent-Type: text/plain\n\n--e\n\n"
        "Only a body, no headers.\n--e\nContent-Type: application/octet-stream; name=empty.bin\n"
        "Content-Transfer-Encoding: base64\n\n--e--\n"))

    write("unknown-charset.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: =?x-unknown?q?d=C3=A9j=C3=A0_vu?=\n"
        "Content-Type: text/plain; charset=x-unknown-charset\nContent-Transfer-Encoding: 8bit\n\n"
        "d\u00e9j\u00e0 vu in UTF-8 bytes under an unknown label.\n"))

    write("8bit-latin1-body.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: 8bit Latin-1 body\n"
        "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
        "Ol\u00e1, cora\u00e7\u00e3o!\n").replace(b"\xc3\xa1", b"\xe1").replace(b"\xc3\xa7", b"\xe7")
        .replace(b"\xc3\xa3", b"\xe3"))

    write("qp-lowercase-hex.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: QP with lowercase hex\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        "caf=c3=a9 cr=C3=A8me, a soft =\nbreak, trailing space   \nand a stray = sign.\n"))

    write("name-parameter-only.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: File name from the name parameter\n"
        "Content-Type: multipart/mixed; boundary=n\n\n--n\n\nSee attachment.\n"
        "--n\nContent-Type: application/vnd.ms-excel; name=\"=?utf-8?q?Bilan_=C3=A9t=C3=A9.xls?=\"\n"
        "Content-Transfer-Encoding: base64\n\nAAEC\n--n--\n"))

    write("rfc2231-continuations.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: RFC 2231 continuations by hand\n"
        "Content-Type: multipart/mixed; boundary=c\n\n--c\nContent-Type: text/plain\n\nTwo files.\n"
        "--c\nContent-Type: application/pdf\nContent-Disposition: attachment;\n"
        " filename*0*=utf-8''Relat%C3%B3rio%20;\n filename*1*=anual%20;\n filename*2=\"2026.pdf\"\n\nx\n"
        "--c\nContent-Type: text/plain;\n name*0=\"a very long file name that \";\n name*1=\"goes on.txt\"\n"
        "Content-Disposition: attachment\n\ny\n--c--\n"))

    write("signed-multipart.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Signed message\n"
        "Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\";"
        " boundary=\"sig\"\n\n--sig\nContent-Type: text/plain; charset=utf-8\n\nSigned text.\n"
        "--sig\nContent-Type: application/pgp-signature; name=\"signature.asc\"\n"
        "Content-Disposition: attachment; filename=\"signature.asc\"\n\n-----BEGIN PGP SIGNATURE-----\n"
        "iQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n--sig--\n"))

    write("delivery-status.eml", crlf(
        "From: MAILER-DAEMON@example.com (Mail Delivery System)\nTo: ana@example.com\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn\"\n\n"
        "--dsn\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
        "Your message could not be delivered.\n--dsn\nContent-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
        "Final-Recipient: rfc822; nobody@example.org\nAction: failed\nStatus: 5.1.1\n"
        "--dsn\nContent-Description: Undelivered Message\nContent-Type: message/rfc822\n\n"
        "From: ana@example.com\nTo: nobody@example.org\nSubject: Hello\n\nHello?\n--dsn--\n"))

    write("html-only-entities.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: HTML only with entities\n"
        "Content-Type: text/html; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n"
        "<html><head><style>p{color:red}</style></head><body><h1>Price&nbsp;list</h1>\n"
        "<p>Caf=E9 &amp; cr=E8me =96 =80 3</p><ul><li>one</li><li>two</li></ul></body></html>\n"))

    write("message-rfc822-base64.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Forward encoded in base64\n"
        "Content-Type: multipart/mixed; boundary=f\n\n--f\n\nSee the attached message.\n"
        "--f\nContent-Type: message/rfc822; name=\"old.eml\"\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=\"old.eml\"\n\n"
        + base64.b64encode(b"Subject: hidden\r\n\r\nhidden body\r\n").decode() + "\n--f--\n"))

    write("no-content-type-multipart-boundary-missing.eml", crlf(
        "From: ana@example.com\nTo: bob@example.com\nSubject: Multipart without a boundary\n"
        "Content-Type: multipart/mixed\n\n--x\n\nnot split\n--x--\n"))

    write("continuation-lines-odd.eml", crlf(
        "From: ana@example.com\nTo:\n  bob@example.com,\n\tcarl@example.com\n"
        "Subject: Folded\n  subject with\n\ttabs\nX-Empty:\nContent-Type: text/plain;\n charset=\"utf-8\"\n\n"
        "Folded headers.\n"))


if __name__ == "__main__":
    related_inline_images()
    mixed_attachments()
    apple_mail_shape()
    rfc2231_names()
    subjects()
    forwards()
    digest()
    calendar_invite()
    utf8_headers()
    raw_fixtures()
