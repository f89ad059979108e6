#!/usr/bin/env python3
"""Writes the fuzz seed corpus of every target in fuzz/fuzz_targets/, from the test
fixtures, the canonical bench bodies and the crate's own data: fuzz/corpus/scanner/
(bodies), fuzz/corpus/classify/ (status, header, body), fuzz/corpus/stream/ and
fuzz/corpus/relay/ (two bytes that size the chunks, then an event stream, with LF and
with CRLF line ends), fuzz/corpus/redact/ (the texts of the redaction classes and the
bodies' messages) and fuzz/corpus/rules/ (a byte that names the file, then a table of
data/).

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
texts = []
for line in open(os.path.join(root, "tests", "redaction", "classes.jsonl"), encoding="utf-8"):
    line = line.strip()
    if line and not line.startswith("#"):
        case = json.loads(line)
        texts.append(case.get("text", "").encode())
texts += [b for (_, _, b) in bodies]
os.makedirs(os.path.join(here, "corpus", "redact"), exist_ok=True)
for i, t in enumerate(texts):
    open(os.path.join(here, "corpus", "redact", f"seed{i:03}"), "wb").write(t)
# The rules target names its file by the first byte: 0 minimax.tsv, 1 phrases.tsv,
# 2 detect.tsv, 3 acme.tsv (a provider only runtime rules know), 4 x.tsv.
os.makedirs(os.path.join(here, "corpus", "rules"), exist_ok=True)
tables = {0: "minimax.tsv", 1: "phrases.tsv", 2: "detect.tsv", 3: "openai.tsv"}
for which, name in tables.items():
    data = open(os.path.join(root, "data", name), "rb").read()
    open(os.path.join(here, "corpus", "rules", f"seed-{name}"), "wb").write(bytes([which]) + data)
print(
    f"{len(bodies)} seeds for scanner and classify, {2 * len(streams)} for stream and relay, "
    f"{len(texts)} for redact, {len(tables)} for rules"
)
