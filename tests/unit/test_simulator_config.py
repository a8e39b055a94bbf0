"""Fault specs from the CLI and CODEX_SIMULATOR_FAULTS parse as documented, or fail clearly."""

from __future__ import annotations

import pytest

from codex_assets.simulator.config import FaultRule, SimulatorConfig, parse_fault


def test_parse_fault_reads_every_option():
    rule = parse_fault("rate_limit:every=5,retry_after_s=0.5")
    assert rule == FaultRule("rate_limit", every=5, retry_after_s=0.5)
    assert parse_fault("drop:first=2,endpoints=usage") == FaultRule(
        "drop", first=2, endpoints=("usage",)
    )
    assert parse_fault(" slow:delay_ms=250 ") == FaultRule("slow", delay_ms=250)
    assert parse_fault("truncate:endpoints=usage|code_reviews").endpoints == (
        "usage",
        "code_reviews",
    )
    assert parse_fault("malformed") == FaultRule("malformed")


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("", "empty"),
        ("explode:first=1", "unknown kind"),
        ("drop:first", "key=value"),
        ("drop:first=", "key=value"),
        ("drop:firts=2", "unknown option"),
        ("drop:first=two", "must be a number"),
        ("slow:delay_ms=-5", "0 or above"),
    ],
)
def test_bad_fault_specs_say_what_is_wrong(spec, says):
    with pytest.raises(ValueError, match=says):
        parse_fault(spec)


def test_first_every_and_always():
    transient = FaultRule("drop", first=2)
    assert [transient.fires_on(n) for n in range(1, 6)] == [True, True, False, False, False]
    periodic = FaultRule("drop", every=3)
    assert [periodic.fires_on(n) for n in range(1, 7)] == [False, False, True, False, False, True]
    persistent = FaultRule("drop")
    assert all(persistent.fires_on(n) for n in range(1, 10))


def test_endpoints_limit_a_rule():
    rule = FaultRule("drop", endpoints=("usage",))
    assert rule.applies_to("usage")
    assert not rule.applies_to("code_reviews")
    assert FaultRule("drop").applies_to("compliance_logs")


def test_config_refuses_one_key_for_both_apis():
    with pytest.raises(ValueError, match="differ"):
        SimulatorConfig(analytics_key="k", compliance_key="k")
