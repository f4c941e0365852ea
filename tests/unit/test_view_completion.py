"""Tab after ``:``: which lines a typed prefix completes to (pure: views and names as values)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batchtui.tui.views import (
    COMPUTE_ENVIRONMENT,
    QUEUE,
    View,
    ViewRegistry,
    common_prefix,
    completions,
)


def _nothing(app: object, arg: str) -> None:
    return None


VIEWS = ViewRegistry(
    View("ce", "CEs", _nothing, aliases=("ces",), argument=COMPUTE_ENVIRONMENT),
    View("jq", "Queues", _nothing),
    View("jobs", "Jobs", _nothing, aliases=("job", "j"), argument=QUEUE),
    View("plan", "Plan", _nothing),
)
NAMES = {
    QUEUE: ["demo-main", "demo-batch-low", "demo-render", "Demo-Big"],
    COMPUTE_ENVIRONMENT: ["demo-spot", "demo-spot-render"],
}


def complete(line: str) -> list[str]:
    return completions(line, VIEWS, lambda kind: NAMES.get(kind, []))


def test_a_queue_name_completes_after_jobs() -> None:
    assert complete(":jobs demo-ba") == [":jobs demo-batch-low"]
    assert complete(":jobs demo-b") == [":jobs demo-batch-low", ":jobs Demo-Big"]  # no case
    assert complete(":j demo-r") == [":j demo-render"]  # the alias as typed
    assert complete(":jobs ") == [f":jobs {n}" for n in NAMES[QUEUE]]
    assert complete(":jobs nothing") == []
    assert complete("jobs demo-ba") == ["jobs demo-batch-low"]  # no ":" typed, none added


def test_a_ce_name_completes_after_ce_and_views_without_argument_complete_nothing() -> None:
    assert complete(":ce demo-spot") == [":ce demo-spot", ":ce demo-spot-render"]
    assert complete(":jq demo") == [] and complete(":plan x") == [] and complete(":no x") == []


def test_a_view_name_completes() -> None:
    assert complete(":jo") == [":jobs"]
    assert complete(":j") == [":jq", ":jobs"]  # each view once
    assert complete(":") == [":ce", ":jq", ":jobs", ":plan"]
    assert complete(":x") == []


def test_common_prefix_examples() -> None:
    assert common_prefix([":jobs demo-batch-low", ":jobs Demo-Big"]) == ":jobs demo-b"
    assert common_prefix(["abc", "ab"]) == "ab" and common_prefix([]) == ""
    assert common_prefix(["abcdef", "abx", "abcdefg"]) == "ab"


@given(st.lists(st.text(alphabet="aAbB-", max_size=6), min_size=1, max_size=5))
def test_common_prefix_is_the_longest_shared_start(lines: list[str]) -> None:
    shared = common_prefix(lines).lower()
    assert all(line.lower().startswith(shared) for line in lines)
    longer = {line.lower()[: len(shared) + 1] for line in lines}
    assert len(longer) > 1 or any(len(line) == len(shared) for line in lines)
