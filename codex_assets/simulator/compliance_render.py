"""Renders the simulated day's CODEX_LOG events (`compliance_events.DayEvents`) as the JSON
lines the Compliance API serves: field order as in SPEC's examples, ids, actors, and the
optional `agent` attribution (chosen from the event id's bits, so a duplicate delivery is
byte for byte the same).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import orjson

from codex_assets.simulator import compliance_text as text
from codex_assets.simulator.compliance_events import (
    CODEX_LOG,
    DAY_US,
    EFFORTS,
    KINDS,
    PROMPT,
    RESPONSE,
    TOKEN_CREATED,
    TOOL_COMPLETED,
    TOOL_SUGGESTED,
    DayEvents,
    base62,
    compliance_user_id,
    iso_us,
    uuid_text,
)
from codex_assets.simulator.workspace import CLIENTS, MODELS, SyntheticWorkspace

# What compliance logs call the analytics (model, speed) pairs: `other` is how the analytics
# API reports models it does not recognise; the audit log names the real one.
_MODEL_NAMES = tuple("gpt-5.1-codex-mini" if m == "other" else m for m, _ in MODELS)
_SERVICE_TIERS = tuple("priority" if speed == "fast" else "default" for _, speed in MODELS)

AGENT_TYPES: tuple[str, ...] = ("CODEX_CLOUD_AGENT", "CUSTOM_AGENT", "AUTOMATION")
"""`agent.type` values the simulator serves (the contract does not enumerate them)."""
_AGENT_NAMES = ("release-bot", "triage-agent", "nightly-refactor", "docs-writer")


class EventRenderer:
    """Renders `DayEvents` rows as JSONL lines, exactly as the simulator serves them."""

    def __init__(
        self, workspace: SyntheticWorkspace, workspace_id: str, agent_fraction: float = 0.0
    ) -> None:
        self.workspace = workspace
        self.workspace_id = workspace_id
        self._principal = {"id": workspace_id, "type": "CHATGPT_WORKSPACE"}
        self._agent_per_10k = round(agent_fraction * 10_000)

    @cached_property
    def user_ids(self) -> tuple[str, ...]:
        return tuple(compliance_user_id(u) for u in self.workspace.users.user_ids)

    @cached_property
    def emails(self) -> tuple[str, ...]:
        """The analytics email, or (where analytics withholds it) a derived one: the audit log
        always names the account."""
        return tuple(
            email or f"{uid.removeprefix('user-')[:10].lower()}@example.com"
            for email, uid in zip(self.workspace.users.emails, self.user_ids, strict=True)
        )

    def actor(self, user: int) -> dict[str, Any]:
        return {
            "type": "ACCOUNT_USER",
            "user_id": self.user_ids[user],
            "user_email": self.emails[user],
        }

    def render(self, events: DayEvents, rows: np.ndarray) -> list[bytes]:
        """The JSON lines (no newline) of delivery `rows`, in that order."""
        serials = events.copy_serial[rows].tolist()
        return [orjson.dumps(self.event(events, serial)) for serial in serials]

    def event(self, ev: DayEvents, serial: int) -> dict[str, Any]:
        """One event as a dict (field order as in SPEC's examples)."""
        kind = int(ev.kind[serial])
        ref = int(ev.ref[serial])
        if kind >= TOKEN_CREATED:
            user, client, details = self._token_details(ev, kind, ref)
        else:
            turn = ref if kind <= RESPONSE else int(ev.tool_turn[ref])
            user, client = int(ev.turn_user[turn]), CLIENTS[int(ev.turn_client[turn])]
            details = self._turn_details(ev, kind, turn, ref)
        id_hi, id_lo = int(ev.id_hi[serial]), int(ev.id_lo[serial])
        record = {
            "event_id": uuid_text(id_hi, id_lo),
            "type": CODEX_LOG,
            "timestamp": iso_us(int(ev.ts_us[serial])),
            "principal": self._principal,
            "actor": self.actor(user),
            "event_type": KINDS[kind],
            "client_id": client,
            "workspace_id": self.workspace_id,
            "event_details": details,
        }
        if self._agent_per_10k and id_lo % 10_000 < self._agent_per_10k:
            record["agent"] = _agent(id_hi)
        return record

    def _turn_details(self, ev: DayEvents, kind: int, turn: int, ref: int) -> dict[str, Any]:
        session_id = ev.session_ids[int(ev.turn_session[turn])]
        turn_id = ev.turn_ids[turn]
        model = int(ev.turn_model[turn])
        name = KINDS[kind]
        if kind == PROMPT:
            return {
                "detail_type": name,
                "session_id": session_id,
                "prompt_text": self.prompt_text(ev, turn),
                "turn_id": turn_id,
                "model": _MODEL_NAMES[model],
                "environment_id": None,
            }
        if kind == RESPONSE:
            packed = int(ev.turn_response[turn])
            tokens = ev.turn_tokens[turn].tolist()
            return {
                "detail_type": name,
                "session_id": session_id,
                "response_text": text.response_text(packed >> 32, packed & 0xFFFFFFFF),
                "status": "incomplete" if ev.turn_incomplete[turn] else "completed",
                "turn_id": turn_id,
                "model": _MODEL_NAMES[model],
                "service_tier": _SERVICE_TIERS[model],
                "reasoning_effort": EFFORTS[int(ev.turn_effort[turn])],
                "token_usage": {
                    "input_tokens": tokens[0],
                    "output_tokens": tokens[2],
                    "cached_input_tokens": tokens[1],
                    "reasoning_output_tokens": tokens[3],
                },
                "environment_id": None,
            }
        tool_name, tool_type, tool_input = text.tool_call(
            int(ev.tool_template[ref]), int(ev.tool_choice[ref])
        )
        call_id = f"call_{int(ev.tool_id[ref]):016x}"
        status = {TOOL_SUGGESTED: "suggested", TOOL_COMPLETED: "completed"}.get(kind, "failed")
        return {
            "detail_type": name,
            "session_id": session_id,
            "tool_name": tool_name,
            "tool_type": tool_type,
            "tool_input": tool_input,
            "turn_id": turn_id,
            "call_id": call_id,
            "tool_call_id": call_id,
            "status": status,
            "model": _MODEL_NAMES[model],
        }

    def prompt_text(self, ev: DayEvents, turn: int) -> str:
        packed = int(ev.turn_prompt[turn])
        secret = int(ev.turn_secret[turn])
        if secret >= 0:
            prompt, _ = text.prompt_with_secret(
                text.SECRET_KINDS[secret], int(ev.turn_secret_seed[turn]), packed & 0xFFFFFFFF
            )
            return prompt
        return text.prompt_text(packed >> 32, packed & 0xFFFFFFFF)

    def pasted_secret(self, ev: DayEvents, turn: int) -> tuple[str, str] | None:
        """(kind, secret) pasted into `turn`'s prompt, if any (what a DLP scan must find)."""
        secret = int(ev.turn_secret[turn])
        if secret < 0:
            return None
        kind = text.SECRET_KINDS[secret]
        return kind, text.fake_secret(kind, int(ev.turn_secret_seed[turn]))

    def _token_details(self, ev: DayEvents, kind: int, ref: int) -> tuple[int, str, dict]:
        creator = int(ev.token_user[ref])
        actor = creator if kind == TOKEN_CREATED else int(ev.token_actor[ref])
        expires_days = int(ev.token_expires_days[ref])
        expires_at = (
            None
            if expires_days < 0
            else iso_us(int(ev.token_created_us[ref]) + expires_days * DAY_US)[:19] + "Z"
        )
        details = {
            "detail_type": KINDS[kind],
            "access_token_id": "cat_" + base62(int(ev.token_id[ref]), 24),
            "access_token_name": text.token_name(int(ev.token_name[ref])),
            "created_by_user_id": self.user_ids[creator],
            "expires_at": expires_at,
        }
        return actor, "CODEX_WEB", details


def _agent(bits: int) -> dict[str, str]:
    """`{type, id?, name?}`: id and name are optional, and some agents come without them."""
    agent = {"type": AGENT_TYPES[bits % len(AGENT_TYPES)]}
    variant = (bits >> 8) % 4
    if variant != 3:
        agent["id"] = "agent_" + base62((bits * 0x9E3779B97F4A7C15) % 62**16, 16)
    if variant in (0, 1):
        agent["name"] = _AGENT_NAMES[(bits >> 4) % len(_AGENT_NAMES)]
    return agent
