"""What people type into Codex and what it answers, for the simulated compliance logs.

Why a fixed bank of templates: the text must be deterministic (the same seed serves the same
bytes), cheap (a million events a day are rendered in Python), varied enough that a DLP scan
and a SIEM export look at realistic prose, and free of anything that looks like a credential
except where a secret is deliberately pasted in. Every choice is an integer drawn in advance by
the vectorised generator, so rendering one event is a few string formats.

Fake secrets match the real formats (so a detector tuned on real leaks finds them) but are
obviously fake: each carries `FAKE` or `EXAMPLE` in its body.
"""

from __future__ import annotations

import random
import string

MODULES = (
    "uploader", "billing", "auth", "search", "scheduler", "ingest", "payments", "cache",
    "notifications", "export", "reporting", "gateway", "inventory", "checkout", "profile",
)  # fmt: skip
FILES = (
    "src/app.py", "src/api/routes.ts", "lib/client.go", "internal/store/store.go",
    "web/components/Table.tsx", "services/worker.py", "pkg/retry/retry.go", "Makefile",
    "docker-compose.yml", "src/main.rs", "tests/test_api.py", "README.md",
)  # fmt: skip
FUNCTIONS = (
    "parse_config", "fetch_page", "handleRequest", "retry_with_backoff", "load_user",
    "render_table", "flush_queue", "validate_input", "compute_totals", "sync_accounts",
)  # fmt: skip
ERRORS = (
    "KeyError: 'user_id'", "TypeError: cannot read properties of undefined",
    "connection reset by peer", "deadlock detected", "timeout after 30s",
    "assertion failed: left == right", "panic: runtime error: index out of range",
    "ModuleNotFoundError: No module named 'yaml'",
)  # fmt: skip
LANGUAGES = ("Python", "TypeScript", "Go", "Rust", "Java", "Kotlin", "SQL")

PROMPTS = (
    "Add retries with exponential backoff to the {module} client.",
    "Why does {function} in {file} fail with {error}?",
    "Write unit tests for {function} covering the empty and error cases.",
    "Refactor {file} so the {module} logic lives in its own module.",
    "Explain what {function} does and whether it is safe to call concurrently.",
    "The CI job for {module} fails with {error}. Find the cause and fix it.",
    "Port {function} from Python to {language}, keeping the same behaviour.",
    "Add structured logging to the {module} service.",
    "Review {file} for bugs and performance problems.",
    "Migrate the {module} tables to the new schema and write the migration.",
    "Make {function} return early when the input is empty.",
    "Summarise the changes on this branch for the {module} pull request description.",
    "Speed up the {module} query; it scans the whole table.",
    "",
)
"""Prompt shapes; the empty one exists because SPEC says `prompt_text` may be empty."""

RESPONSES = (
    "I added exponential backoff with jitter to the {module} client and covered it with tests.",
    "{function} fails because {error} is raised when the input is missing; I added a guard "
    "and a regression test in {file}.",
    "Done: {file} now delegates the {module} logic to a new module, and the tests pass.",
    "{function} is not safe to call concurrently: it mutates shared state. I wrapped it in a "
    "lock and documented why.",
    "The CI failure came from {error}; I pinned the dependency and the job is green locally.",
    "Here is the {language} port of {function}, with the same edge cases handled.",
    "I reviewed {file}: two bugs (an off-by-one and a missing close) and one slow loop, all "
    "fixed in this patch.",
    "The migration for the {module} tables is in place, with a rollback step.",
    "I rewrote the {module} query to use the index on created_at; it no longer scans the table.",
    "Summary: the {module} changes add validation, tests and clearer errors.",
)

TOOLS: tuple[tuple[str, str, str], ...] = (
    ("shell", "local_shell", '{{"command":["bash","-lc","pytest -q tests/{module}"]}}'),
    ("shell", "local_shell", '{{"command":["bash","-lc","rg -n {function} {file}"]}}'),
    ("apply_patch", "function", '{{"path":"{file}","hunks":3}}'),
    ("read_file", "function", '{{"path":"{file}"}}'),
    ("web_search", "web_search", '{{"query":"{error}"}}'),
    ("git_diff", "function", '{{"paths":["{file}"]}}'),
)
"""(tool_name, tool_type, tool_input template) triples."""

TOKEN_NAMES = (
    "ci-runner", "laptop", "deploy-bot", "nightly-evals", "staging", "release-pipeline",
    "pairing-session", "cron-sync",
)  # fmt: skip

SECRET_KINDS: tuple[str, ...] = ("aws", "github", "private_key", "openai")
"""What a pasted secret can be; `aws` pastes an access key id with its secret access key."""

_SECRET_LEADS = (
    "Deploy fails with this config, can you see why?\n{secret}",
    "Use these credentials for the test run: {secret}",
    "Why is auth broken? Here is what I have in my .env:\n{secret}",
    "Wire this into the {module} client: {secret}",
)

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ALNUM = string.ascii_letters + string.digits
_B64 = _ALNUM + "+/"


def fill(template: str, choice: int) -> str:
    """`template` with its placeholders picked from `choice` (any non-negative integer)."""
    if "{" not in template:
        return template
    return template.format(
        module=MODULES[choice % len(MODULES)],
        file=FILES[(choice >> 4) % len(FILES)],
        function=FUNCTIONS[(choice >> 8) % len(FUNCTIONS)],
        error=ERRORS[(choice >> 12) % len(ERRORS)],
        language=LANGUAGES[(choice >> 16) % len(LANGUAGES)],
    )


def prompt_text(template: int, choice: int) -> str:
    return fill(PROMPTS[template % len(PROMPTS)], choice)


def response_text(template: int, choice: int) -> str:
    return fill(RESPONSES[template % len(RESPONSES)], choice)


def tool_call(template: int, choice: int) -> tuple[str, str, str]:
    """(tool_name, tool_type, tool_input) for a tool call."""
    name, kind, arguments = TOOLS[template % len(TOOLS)]
    return name, kind, fill(arguments, choice)


def fake_secret(kind: str, seed: int) -> str:
    """A credential in the real format of `kind`, visibly fake, deterministic in `seed`."""
    rng = random.Random(seed)

    def pick(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    if kind == "aws":
        key_id = "AKIA" + "FAKE" + pick(_BASE32, 12)
        secret = "FAKE" + pick(_B64, 29) + "EXAMPLE"
        return f"AWS_ACCESS_KEY_ID={key_id}\nAWS_SECRET_ACCESS_KEY={secret}"
    if kind == "github":
        return "ghp_" + "FAKE" + pick(_ALNUM, 32)
    if kind == "private_key":
        lines = ["MIIEFAKE" + pick(_B64, 56)] + [pick(_B64, 64) for _ in range(3)]
        body = "\n".join(lines)
        return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    if kind == "openai":
        return "sk-proj-" + "FAKE" + pick(_ALNUM + "_-", 44)
    raise ValueError(f"unknown secret kind {kind!r}; expected one of {SECRET_KINDS}")


def prompt_with_secret(kind: str, seed: int, choice: int) -> tuple[str, str]:
    """A prompt with a fake secret pasted in, and the secret itself (for tests)."""
    secret = fake_secret(kind, seed)
    lead = _SECRET_LEADS[choice % len(_SECRET_LEADS)]
    return fill(lead.replace("{secret}", "\x00"), choice).replace("\x00", secret), secret


def token_name(choice: int) -> str:
    return TOKEN_NAMES[choice % len(TOKEN_NAMES)]
