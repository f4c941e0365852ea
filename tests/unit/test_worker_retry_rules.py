"""The image-tagging job definition's retry rules against the worker's exit codes.

The profile's job definition and the sandbox demo's both carry them: each exit code of the
worker must get the action it stands for, in the rules as batchtui builds them (the profile's
RegisterJobDefinition body) and as the sandbox's scheduler applies them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from batchtui_worker.tagger import (
    EXIT_DONE,
    EXIT_INTERRUPTED,
    EXIT_MISCONFIGURED,
    EXIT_TRANSIENT,
)

from batchtui.profiles import RetryStrategy, load_profile
from batchtui.sandbox.retry import should_retry
from batchtui.sandbox.seed import TAGGER_RETRY_STRATEGY

REPO = Path(__file__).parents[2]
ESSENTIAL_EXIT = "Essential container in task exited"
SPOT_RECLAIMED = "Host EC2 (instance i-0123456789abcdef0) terminated."

#: (statusReason, exit code or None) -> the action the worker's README promises.
CASES = [
    (ESSENTIAL_EXIT, EXIT_TRANSIENT, "RETRY"),
    (ESSENTIAL_EXIT, EXIT_MISCONFIGURED, "EXIT"),
    (ESSENTIAL_EXIT, EXIT_INTERRUPTED, "RETRY"),
    (SPOT_RECLAIMED, None, "RETRY"),  # the host went before the container said anything
    (SPOT_RECLAIMED, EXIT_INTERRUPTED, "RETRY"),
]


def profile_strategy() -> RetryStrategy:
    return load_profile("image-tagging", cwd=REPO).job_definition.retry_strategy


def test_the_exit_codes_are_the_documented_ones() -> None:
    assert (EXIT_DONE, EXIT_TRANSIENT, EXIT_MISCONFIGURED, EXIT_INTERRUPTED) == (0, 1, 2, 143)


@pytest.mark.parametrize(("status_reason", "code", "action"), CASES)
def test_the_profile_rules_map_each_exit_code(
    status_reason: str, code: int | None, action: str
) -> None:
    strategy = profile_strategy()
    exit_code = "" if code is None else str(code)
    assert strategy.action_for(status_reason, exit_code=exit_code) == action


def test_the_built_job_definition_carries_the_rules() -> None:
    body = profile_strategy().to_api()
    assert body == {
        "attempts": 3,
        "evaluateOnExit": [
            {"onStatusReason": "Host EC2*", "action": "RETRY"},
            {"onExitCode": "143", "action": "RETRY"},
            {"onExitCode": "1", "action": "RETRY"},
            {"onExitCode": "2", "action": "EXIT"},
            {"onReason": "*", "action": "EXIT"},
        ],
    }
    assert len(body["evaluateOnExit"]) <= 5  # AWS takes at most 5 conditions
    assert body == TAGGER_RETRY_STRATEGY, "the sandbox demo's tagger has the profile's rules"


@pytest.mark.parametrize(("status_reason", "code", "action"), CASES)
@pytest.mark.parametrize("source", ["profile", "demo"])
def test_the_sandbox_scheduler_applies_the_rules(
    source: str, status_reason: str, code: int | None, action: str
) -> None:
    body = profile_strategy().to_api() if source == "profile" else TAGGER_RETRY_STRATEGY
    retried = should_retry(body, 1, status_reason, None, code)
    assert retried == (action == "RETRY")
    assert not should_retry(body, 3, status_reason, None, code), "3 attempts at most"


def test_action_for_follows_aws_first_match() -> None:
    strategy = profile_strategy()
    assert strategy.action_for("Host EC2 (instance i-1) terminated.", exit_code="2") == "RETRY"
    assert strategy.action_for(ESSENTIAL_EXIT, "CannotPullContainerError: no image") == "EXIT"
    assert RetryStrategy(3).action_for(ESSENTIAL_EXIT, exit_code="2") == "RETRY"  # no rules


RULES_PROFILE = (REPO / "profiles" / "image-tagging.toml").read_text()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('on_exit_code = "143"', 'on_exit_code = "14x"'),
         "job_definition.retry_strategy.evaluate_on_exit[1].on_exit_code: '14x': AWS takes "
         "digits, optionally ending in *"),
        (("[workload]", '[[job_definition.retry_strategy.evaluate_on_exit]]\n'
                        'on_exit_code = "3"\naction = "EXIT"\n\n[workload]'),
         "job_definition.retry_strategy.evaluate_on_exit: AWS takes at most 5 rules (got 6)"),
    ],
)  # fmt: skip
def test_the_profile_refuses_rules_aws_would_refuse(change: tuple[str, str], problem: str) -> None:
    from batchtui.errors import ProfileError
    from batchtui.profiles import parse_profile

    assert change[0] in RULES_PROFILE
    with pytest.raises(ProfileError) as e:
        parse_profile(RULES_PROFILE.replace(change[0], change[1], 1), "image-tagging.toml")
    assert problem in str(e.value)
    assert parse_profile(RULES_PROFILE.replace('"143"', '"14*"')).job_definition  # a glob is fine
