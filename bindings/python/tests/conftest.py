"""Fixtures for the binding's lab tests, run inside tests/lab/labrun:

    tests/lab/labrun -s healthy -s lame -s stale-cache -s double-suffix -- \
        env DNSVET_LIBRARY=build/core/libdnsvet.so.0 PYTHONPATH=bindings/python \
        /usr/bin/python3 -m pytest bindings/python/tests
"""

import os
import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCENARIOS = ROOT / "tests" / "lab" / "scenarios"


@pytest.fixture(scope="session")
def lab():
    """Session options for the running lab."""
    hints = os.environ.get("LAB_ROOT_HINTS")
    resolvers = os.environ.get("LAB_RESOLVERS")
    if not hints or not resolvers:
        pytest.fail("LAB_ROOT_HINTS/LAB_RESOLVERS are not set: run under tests/lab/labrun")
    return {"root_hints": hints, "resolvers": resolvers, "lab": True}


def scenario(name):
    with open(SCENARIOS / f"{name}.yaml") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="session")
def tokens():
    """ses_tokens of a scenario, by scenario name."""
    return lambda name: list(scenario(name)["ses_tokens"])
