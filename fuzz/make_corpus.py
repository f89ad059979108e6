#!/usr/bin/env python3
"""Writes the fuzz seed corpus from the test fixtures and the canonical bench bodies:
fuzz/corpus/scanner/ (bodies), fuzz/corpus/classify/ (status, header, body), and
fuzz/corpus/stream/ and fuzz/corpus/relay/ (two bytes that size the chunks, then an
event stream, with LF and with CRLF line ends).

    python3 fuzz/make_corpus.py
"""
import base64, glob, json, os

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..")
bodies = []
for path in sorted(glob.glob(os.path.join(root, "tests", "fixtures", "*.jsonl"))):
    for line in open(path, encoding="utf-8"):
        fx = json.loads(line)
        body = base64.b64decode(fx["body_base64"]) if "body_base64" in fx else fx.get("body", "").encode()
        ra = fx.get("headers", {}).get("retry-after", "").encode()
        bodies.append((fx["status"], ra, body))
for path in sorted(glob.glob(os.path.join(root, "benches", "bodies", "*.json"))):
    bodies.append((400, b"", open(path, "rb").read()))
for target in ("scanner", "classify"):
    os.makedirs(os.path.join(here, "corpus", target), exist_ok=True)
for i, (status, ra, body) in enumerate(bodies):
    open(os.path.join(here, "corpus", "scanner", f"seed{i:03}"), "wb").write(body)
    data = (status - 100).to_bytes(2, "big") + bytes([len(ra)]) + ra + body
    open(os.path.join(here, "corpus", "classify", f"seed{i:03}"), "wb").write(data)
streams = [b for (_, _, b) in bodies if b.startswith((b"data:", b"event:"))]
for target in ("stream", "relay"):
    os.makedirs(os.path.join(here, "corpus", target), exist_ok=True)
    for i, body in enumerate(streams):
        crlf = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        for j, (b, prefix) in enumerate(((body, b"\x00\x07"), (crlf, b"\x00\x01"))):
            path = os.path.join(here, "corpus", target, f"seed{i:03}-{j}")
            open(path, "wb").write(prefix + b)
print(f"{len(bodies)} seeds for scanner and classify, {2 * len(streams)} for stream and relay")
