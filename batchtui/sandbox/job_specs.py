"""Validation of a job's container, retryStrategy and timeout, and what it asks the host for."""

from __future__ import annotations

from typing import Any

from batchtui.model import ResourceRequest
from batchtui.sandbox.batch_errors import BatchApiError, rejected


def _requirements(container: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for rr in container.get("resourceRequirements") or ():
        if not isinstance(rr, dict) or rr.get("type") not in ("VCPU", "MEMORY", "GPU"):
            raise BatchApiError("resourceRequirements.type must be VCPU, MEMORY or GPU")
        out[rr["type"]] = str(rr.get("value", ""))
    return out


def resource_request(container: dict[str, Any]) -> ResourceRequest:
    """vCPUs, memory (MiB) and GPUs: resourceRequirements first, then the legacy fields."""
    rr = _requirements(container)
    try:
        vcpus = float(rr["VCPU"]) if "VCPU" in rr else float(container.get("vcpus") or 0)
        memory = int(rr["MEMORY"]) if "MEMORY" in rr else int(container.get("memory") or 0)
        gpus = int(rr.get("GPU", 0))
    except ValueError as e:
        raise BatchApiError(f"Invalid resourceRequirements value: {e}") from e
    return ResourceRequest(vcpus=vcpus, memory_mib=memory, gpus=gpus)


def check_container(container: dict[str, Any], *, need_resources: bool) -> None:
    if need_resources and not container.get("image"):
        raise BatchApiError("containerProperties.image is required")
    command = container.get("command")
    if command is not None and (
        not isinstance(command, list) or not all(isinstance(c, str) for c in command)
    ):
        raise BatchApiError("command must be a list of strings")
    req = resource_request(container)
    if need_resources:
        given = _requirements(container)
        if "VCPU" not in given and container.get("vcpus") is None:
            raise rejected("vCPU is not provided.")
        if "MEMORY" not in given and container.get("memory") is None:
            raise rejected("memory is not provided.")  # a guess, by analogy with vCPU
        if req.vcpus <= 0 or req.memory_mib <= 0:
            raise BatchApiError("Container vCPUs and memory must be greater than 0")
    if req.vcpus < 0 or req.memory_mib < 0 or req.gpus < 0:
        raise BatchApiError("Container vCPUs, memory and GPUs must not be negative")


def check_retry(retry: Any) -> dict[str, Any] | None:
    if retry is None:
        return None
    if not isinstance(retry, dict):
        raise BatchApiError("retryStrategy must be an object")
    if retry.get("attempts") is None:
        raise rejected("RetryAttempts must be provided with retry strategy")
    attempts = retry["attempts"]
    if not isinstance(attempts, int) or not 1 <= attempts <= 10:
        raise BatchApiError("retryStrategy.attempts must be between 1 and 10")
    rules = retry.get("evaluateOnExit") or []
    if not isinstance(rules, list) or len(rules) > 5:
        raise BatchApiError("retryStrategy.evaluateOnExit must list at most 5 conditions")
    for rule in rules:
        if not isinstance(rule, dict) or str(rule.get("action", "")).upper() not in (
            "RETRY",
            "EXIT",
        ):
            raise BatchApiError("evaluateOnExit.action must be RETRY or EXIT")
        code = rule.get("onExitCode")
        if code is not None and not str(code).rstrip("*").isdigit() and str(code) != "*":
            raise BatchApiError("evaluateOnExit.onExitCode must be digits, optionally ending in *")
    return dict(retry)


def check_timeout(timeout: Any) -> dict[str, Any] | None:
    if timeout is None:
        return None
    if not isinstance(timeout, dict):
        raise BatchApiError("timeout must be an object")
    secs = timeout.get("attemptDurationSeconds")
    if secs is not None and (not isinstance(secs, int) or secs < 60):
        raise BatchApiError("timeout.attemptDurationSeconds must be at least 60 seconds")
    return dict(timeout)


def override_container(base: dict[str, Any], overrides: Any) -> dict[str, Any]:
    """The container a job runs: job definition's properties with SubmitJob's overrides."""
    if not overrides:
        return base
    if not isinstance(overrides, dict):
        raise BatchApiError("containerOverrides must be an object")
    out = dict(base)
    for key in ("command", "vcpus", "memory", "instanceType"):
        if overrides.get(key) is not None:
            out[key] = overrides[key]
    if overrides.get("environment"):
        env = {kv["name"]: kv for kv in base.get("environment") or ()}
        env |= {kv["name"]: kv for kv in overrides["environment"]}
        out["environment"] = list(env.values())
    if overrides.get("resourceRequirements"):
        rr = {r["type"]: r for r in base.get("resourceRequirements") or ()}
        rr |= {r["type"]: r for r in overrides["resourceRequirements"]}
        out["resourceRequirements"] = list(rr.values())
    check_container(out, need_resources=False)
    return out
