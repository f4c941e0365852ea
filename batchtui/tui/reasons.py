"""The RUNNABLE explanations as the TUI shows them: diagnose's words with the user's keys.

What a statusReason means, and what to do, lives in :mod:`batchtui.diagnose.meaning` (the one
source the CLI reads too); this adapter fills its hints with the keys of the user's keymap.
No textual import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from batchtui.diagnose.meaning import meaning_of, places_nothing
from batchtui.model import ComputeEnvironment, JobQueue


@dataclass(frozen=True)
class Explanation:
    meaning: str
    todo: str


@dataclass(frozen=True)
class Keys:
    """The keys an explanation may point to, as the user's keymap has them; "" where the action
    is not offered (read-only), and the hint is then left out."""

    scale: str = "s"
    enable: str = "e"
    stop: str = "ctrl+d"

    def hints(self) -> dict[str, str]:
        return {
            "scale": f" ({self.scale} on it in the overview)" if self.scale else "",
            "enable": f" ({self.enable} on it in the overview)" if self.enable else "",
            "cancel": f" ({self.stop})" if self.stop else "",
        }


DEFAULT_KEYS = Keys()


def explain(status_reason: str, keys: Keys = DEFAULT_KEYS) -> Explanation | None:
    """The explanation of a statusReason, by its code prefix; None for other reasons."""
    found = meaning_of(status_reason)
    if found is None:
        return None
    return Explanation(found.meaning, found.todo(keys.hints()))


def queue_blocker(
    queue: JobQueue, ces: Sequence[ComputeEnvironment], keys: Keys = DEFAULT_KEYS
) -> Explanation | None:
    """Why no job of ``queue`` can be placed, when AWS gives its jobs no statusReason for it
    (every compute environment DISABLED); None when one of them can place jobs."""
    found = places_nothing(queue, ces)
    if found is None:
        return None
    return Explanation(found.meaning, found.todo(keys.hints()))
