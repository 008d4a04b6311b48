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


def _devices():
    from strict_backend import STRICT

    import autograd

    return [STRICT] + (["cuda"] if autograd.cuda.is_available() else [])


@pytest.fixture(params=_devices())
def device(request):
    """Each device the device tests run on: the strict device (strict_backend), installed for
    the test, and cuda where there is one."""
    from strict_backend import STRICT, strict_device

    if request.param == STRICT:
        with strict_device() as dev:
            yield dev
    else:
        yield request.param


def pytest_configure(config):
    # backends.errors installs its warnings filter when first imported; pytest imports the
    # test modules inside a catch_warnings block, which would drop it again afterwards
    from backends import errors

    errors.silence_ours()
