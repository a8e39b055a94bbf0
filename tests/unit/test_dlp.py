"""The DLP patterns: each kind is found, prose and code are not flagged, excerpts never hold a
secret, and DuckDB's prefilter (RE2) never misses what the Python scan finds."""

from __future__ import annotations

import duckdb
import pytest

from codex_assets.defs.compliance import dlp
from codex_assets.simulator.compliance_text import SECRET_KINDS, fake_secret, prompt_with_secret

SAMPLES = {
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "github_token": "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "openai_api_key": "sk-proj-" + "Ab3_dE6-" * 6,
    "slack_token": "xoxb-" + "123456789012-abcdefABCDEF",
    "google_api_key": "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    "stripe_secret_key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
    "-----END OPENSSH PRIVATE KEY-----",
}

CLEAN = [
    "Add retries with exponential backoff to the uploader client.",
    "Why does task-runner fail with KeyError: 'user_id'? See risk-assessment-2024.md",
    "Use sk-learn style pipelines; the key is in AWS Secrets Manager, not here.",
    "def parse_config(path):\n    return yaml.safe_load(open(path))",
    "The hash is 9f2c8e7d6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8",
    "ghp_short and AKIA123 and sk-abc are not credentials",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    "",
]


@pytest.mark.parametrize(("kind", "secret"), SAMPLES.items())
def test_each_kind_is_found_where_it_is(kind, secret):
    text = f"please check this: {secret} thanks"
    (finding,) = dlp.scan(text)
    assert finding.kind == kind
    value = secret.split("= ")[-1]  # the secret access key is found with its name
    assert value in text[finding.start : finding.end]
    assert value not in dlp.redact(text)


@pytest.mark.parametrize("text", CLEAN)
def test_prose_code_and_near_misses_are_not_flagged(text):
    assert dlp.scan(text) == []


@pytest.mark.parametrize("kind", SECRET_KINDS)
def test_the_simulators_fake_secrets_are_found(kind):
    prompt, secret = prompt_with_secret(kind, seed=42, choice=7)
    findings = dlp.scan(prompt)
    assert findings
    for _, excerpt in dlp.excerpts(prompt):
        for line in secret.splitlines():
            value = line.split("=", 1)[-1]
            assert value not in excerpt
        assert dlp.scan(excerpt) == []
        assert "[REDACTED:" in excerpt


def test_a_private_key_block_is_one_finding_even_with_a_key_id_inside():
    text = (
        "-----BEGIN RSA PRIVATE KEY-----\nAKIAIOSFODNN7EXAMPLE\nMIIEpAIBAAKCAQEA\n"
        "-----END RSA PRIVATE KEY-----\nafter"
    )
    (finding,) = dlp.scan(text)
    assert finding.kind == "private_key" and text[finding.end :] == "\nafter"


def test_a_cut_off_private_key_is_redacted_to_the_end():
    text = "here: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
    assert dlp.redact(text) == "here: [REDACTED:private_key]"


def test_excerpts_never_cut_through_a_neighbouring_secret():
    key_id, token = SAMPLES["aws_access_key_id"], SAMPLES["github_token"]
    text = "x " * 25 + key_id + " and " + token + " " + "y" * 50
    results = dlp.excerpts(text, context=10)
    assert [f.kind for f, _ in results] == ["aws_access_key_id", "github_token"]
    for _, excerpt in results:
        assert key_id not in excerpt and token not in excerpt
        assert excerpt.count("[REDACTED:") == 2  # widened over the neighbour, not cut into it
        assert excerpt.startswith("…") and excerpt.endswith("…")


def test_excerpts_are_one_line():
    prompt, _ = prompt_with_secret("private_key", seed=1, choice=2)
    ((_, excerpt),) = dlp.excerpts(prompt)
    assert "\n" not in excerpt


def test_prefilter_in_duckdb_is_a_superset_of_the_scan():
    texts = [f"look: {s}" for s in SAMPLES.values()] + CLEAN
    texts += [prompt_with_secret(kind, seed, 3)[0] for kind in SECRET_KINDS for seed in range(25)]
    texts += [fake_secret(kind, 9) for kind in SECRET_KINDS]
    with duckdb.connect() as conn:
        flagged = conn.execute(
            "SELECT list(regexp_matches(t, $p)) FROM unnest($texts) AS u(t)",
            {"texts": texts, "p": dlp.PREFILTER},
        ).fetchone()[0]
    for text, matched in zip(texts, flagged, strict=True):
        if dlp.scan(text):
            assert matched, text
    assert not any(
        matched for text, matched in zip(texts, flagged, strict=True) if text in CLEAN[:4]
    )
