"""Test-suite settings shared by every test directory.

Hypothesis runs a fixed, reproducible set of examples (derandomize) so CI and local runs see
the same inputs, with no per-example deadline (the first call of an op pays import and cache
costs) and a modest example count to keep the suite fast on a 2-core machine. Tests that need
more or fewer examples say so with their own `@settings(...)`.
Select another profile with `pytest --hypothesis-profile=thorough` (random, more examples).
"""

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=20,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")


@pytest.fixture
def fake_device(monkeypatch):
    """ "cuda:7", a second device computing with numpy (helpers.FakeDevice), for this test."""
    from helpers import FakeDevice

    import backends.backend

    device = backends.Device("cuda", 7)
    monkeypatch.setitem(backends.backend._backends, "cuda:7", FakeDevice(device))
    return "cuda:7"
