"""Find credentials and private keys in text, and show where without showing them.

Why a small pattern set and not a detector library: the candidates were Yelp's
`detect-secrets` (file- and line-oriented, with global plugin state, keyword and entropy
plugins that flag ordinary prose and code in prompts, and no way to run inside DuckDB) and
scanners written in Go (trufflehog, gitleaks: another binary to ship). What prompts leak in
practice is a short list of credentials with fixed, documented shapes; anchored patterns for
those have almost no false positives on prose, are easy to test one by one, and are plain RE2
as well as Python `re`, so DuckDB can pre-filter a million events a day in its own threads
(`PREFILTER` with `regexp_matches`) and Python only looks at the few rows that match.

Kinds:
- `aws_access_key_id`: `AKIA`/`ASIA`/`ABIA`/`ACCA` + 16 base32 characters;
- `aws_secret_access_key`: 40 base64 characters assigned to a name containing
  `aws_secret_access_key` / `secret_access_key` (the value alone is indistinguishable from
  other base64);
- `github_token`: `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + 36, or `github_pat_` + 22 + `_` + 59;
- `openai_api_key`: `sk-` (optionally `proj-`, `svcacct-`, `admin-`) + at least 32 of
  `[A-Za-z0-9_-]`;
- `slack_token`: `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-` + digits and letters;
- `google_api_key`: `AIza` + 35;
- `stripe_secret_key`: `sk_live_` / `rk_live_` + at least 24;
- `private_key`: a PEM block `-----BEGIN ... PRIVATE KEY-----` through its END line (or to the
  end of the text when the paste was cut off).

A finding's excerpt is the text around it with every secret in the text replaced by
`[REDACTED:<kind>]` and cut to a short window, so the stored excerpt never holds a secret,
even another one next to the finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EXCERPT_CONTEXT = 40
"""Characters of context kept on each side of a finding in its excerpt."""


@dataclass(frozen=True)
class SecretPattern:
    kind: str
    regex: str
    description: str


PATTERNS: tuple[SecretPattern, ...] = (
    SecretPattern(
        "private_key",
        r"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----"
        r"[\s\S]*?(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|$)",
        "A PEM private key block (RSA, EC, DSA, OpenSSH, PKCS#8, PGP).",
    ),
    SecretPattern(
        "aws_access_key_id",
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
        "An AWS access key id.",
    ),
    SecretPattern(
        "aws_secret_access_key",
        r"(?i:secret_?access_?key)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+]{40}\b",
        "An AWS secret access key assigned to an aws_secret_access_key-like name.",
    ),
    SecretPattern(
        "github_token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
        "A GitHub personal access, OAuth, app or refresh token.",
    ),
    SecretPattern(
        "openai_api_key",
        r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}",
        "An OpenAI API key.",
    ),
    SecretPattern(
        "slack_token",
        r"\bxox[bpars]-[0-9A-Za-z-]{10,}",
        "A Slack bot, user or app token.",
    ),
    SecretPattern(
        "google_api_key",
        r"\bAIza[0-9A-Za-z_-]{35}\b",
        "A Google API key.",
    ),
    SecretPattern(
        "stripe_secret_key",
        r"\b[rs]k_live_[0-9A-Za-z]{24,}",
        "A Stripe live secret or restricted key.",
    ),
)

KINDS: tuple[str, ...] = tuple(p.kind for p in PATTERNS)
_COMPILED = tuple((p.kind, re.compile(p.regex)) for p in PATTERNS)

PREFILTER = "|".join(f"(?:{p.regex})" for p in PATTERNS)
"""One RE2-compatible pattern matching wherever any kind may match (a superset of `scan`)."""


@dataclass(frozen=True)
class Finding:
    """A secret of `kind` at text[start:end] (offsets are for locating, never for storing)."""

    kind: str
    start: int
    end: int


def scan(text: str | None) -> list[Finding]:
    """Every secret in `text`, in order; overlapping matches keep the earliest, longest one
    (so a private key block is one finding, not also a key id inside it)."""
    if not text:
        return []
    found = [
        Finding(kind, match.start(), match.end())
        for kind, pattern in _COMPILED
        for match in pattern.finditer(text)
        if match.end() > match.start()
    ]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


def redact(text: str, findings: list[Finding] | None = None) -> str:
    """`text` with every secret replaced by `[REDACTED:<kind>]`."""
    findings = scan(text) if findings is None else findings
    out, position = [], 0
    for finding in findings:
        out.append(text[position : finding.start])
        out.append(f"[REDACTED:{finding.kind}]")
        position = finding.end
    out.append(text[position:])
    return "".join(out)


def excerpts(text: str | None, context: int = EXCERPT_CONTEXT) -> list[tuple[Finding, str]]:
    """Each finding in `text` with a redacted excerpt around it, on one line, `…` where cut.

    The excerpt is cut from the fully redacted text, widened rather than cut through a
    neighbouring `[REDACTED:...]` marker, so it can hold no secret and no part of one.
    """
    findings = scan(text)
    if not findings or text is None:
        return []
    pieces, spans, position, length = [], [], 0, 0
    for finding in findings:
        plain = text[position : finding.start]
        marker = f"[REDACTED:{finding.kind}]"
        pieces += [plain, marker]
        length += len(plain)
        spans.append((length, length + len(marker)))
        length += len(marker)
        position = finding.end
    pieces.append(text[position:])
    redacted = "".join(pieces)
    results = []
    for finding, (marker_start, marker_end) in zip(findings, spans, strict=True):
        lo, hi = max(0, marker_start - context), min(len(redacted), marker_end + context)
        for span_start, span_end in spans:
            if span_start < lo < span_end:
                lo = span_start
            if span_start < hi < span_end:
                hi = span_end
        excerpt = ("…" if lo > 0 else "") + redacted[lo:hi] + ("…" if hi < len(redacted) else "")
        results.append((finding, " ".join(excerpt.split())))
    return results
