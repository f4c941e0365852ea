"""retryStrategy as AWS Batch documents it: attempts, and evaluateOnExit's first matching rule.

Patterns (onStatusReason, onReason, onExitCode) match the whole string exactly, or its start when
they end with ``*``. A rule matches when every pattern it gives matches; an attempt without an exit
code (a lost host) never matches onExitCode. When no rule matches, the job is retried while
attempts remain ("If none of the listed conditions match, then the job is retried").
"""

from __future__ import annotations

from typing import Any


def glob_matches(pattern: str, value: str | None) -> bool:
    if value is None:
        return False
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def rule_matches(
    rule: dict[str, Any], status_reason: str | None, reason: str | None, exit_code: int | None
) -> bool:
    checks = (
        ("onStatusReason", status_reason),
        ("onReason", reason),
        ("onExitCode", None if exit_code is None else str(exit_code)),
    )
    given = [(rule[k], v) for k, v in checks if rule.get(k) is not None]
    return bool(given) and all(glob_matches(str(p), v) for p, v in given)


def should_retry(
    retry_strategy: dict[str, Any] | None,
    attempts_made: int,
    status_reason: str | None,
    reason: str | None,
    exit_code: int | None,
) -> bool:
    """Whether a failed attempt (the ``attempts_made``-th) is followed by another."""
    if not retry_strategy:
        return False
    if attempts_made >= int(retry_strategy.get("attempts") or 1):
        return False
    for rule in retry_strategy.get("evaluateOnExit") or ():
        if rule_matches(rule, status_reason, reason, exit_code):
            return str(rule.get("action", "")).upper() == "RETRY"
    return True
