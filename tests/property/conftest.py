"""Loads the Hypothesis profile (tests/property/profiles.py) before the property tests run."""

from tests.property import profiles  # noqa: F401
