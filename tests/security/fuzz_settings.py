"""Hypothesis settings shared by the fuzz tests (tests/security/test_fuzz_*.py).

Profiles: "ci" (the default) keeps every fuzz test to a few seconds, so that all of them
stay under a minute on CI's two cores; "deep" runs ten times as many examples, for a
local hunt: HYPOTHESIS_PROFILE=deep make test. No example database is written: a failure
prints the example (and a blob to replay it with @reproduce_failure).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,  # one example is a few HTTP requests on a real database: no timing
    database=None,
    print_blob=True,
    # The app, client and database are function-scoped fixtures shared by the examples of
    # one test on purpose: every example makes its own link, rows or round.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("deep", parent=settings.get_profile("ci"))

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = 10 if PROFILE == "deep" else 1


def fuzz(examples: int) -> settings:
    """The settings of one fuzz test: `examples` on CI, ten times that with "deep"."""
    return settings(settings.get_profile(PROFILE), max_examples=examples * SCALE)
