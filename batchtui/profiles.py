"""Planning profiles: ``profiles/*.toml`` -> a typed, validated :class:`Profile`.

A profile describes one Batch setup (quotas, compute environments, job queues, the job
definition) and one workload, plus the planner's assumptions. Validation collects every problem
as ``file:line: dotted.key: message``; unknown keys are errors with a did-you-mean. tomllib
gives no line numbers, so :class:`KeyLines` finds them with a light scan of the text.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batchtui.capacity.fit import FARGATE_SIZES, INSTANCE_TYPE_KEYWORDS, is_known_instance_type
from batchtui.errors import ProfileError
from batchtui.model import ComputeEnvironment, PurchaseModel, ResourceRequest
from batchtui.pricing import instance_catalog

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Where ``--profile NAME`` looks after ./profiles: the bundled profiles. In a checkout
#: ``data/profiles`` is a link to the repository's ``profiles/``; a wheel carries copies.
PROFILE_DIRS = (Path(__file__).parent / "data" / "profiles",)

ALLOCATION_STRATEGIES = (
    "BEST_FIT",
    "BEST_FIT_PROGRESSIVE",
    "SPOT_CAPACITY_OPTIMIZED",
    "SPOT_PRICE_CAPACITY_OPTIMIZED",
)
DISTRIBUTIONS = ("fixed", "uniform", "normal", "lognormal")
#: What AWS reports as an interrupted attempt's statusReason (what evaluateOnExit matches).
SPOT_INTERRUPTION_REASON = "Host EC2 (instance i-0123456789abcdef0) terminated."
DEFAULT_INSTANCE_DISK_GIB = 20  # Batch's default AMI root volume: 30 GiB, ~20 GiB usable for jobs
#: AWS takes minvCpus, maxvCpus, priority, memory ... as 32-bit integers.
INT32_MAX = 2**31 - 1
#: The fractional vCPUs a job can have: Fargate's smallest task sizes (EC2 takes whole vCPUs).
FARGATE_FRACTIONAL_VCPUS = tuple(v for v, _ in FARGATE_SIZES if not v.is_integer())


# --------------------------------------------------------------------------- the values


@dataclass(frozen=True)
class QuotaSpec:
    """vCPU quotas per pool; None means ``"auto"`` (read Service Quotas)."""

    on_demand_vcpus: float | None
    spot_vcpus: float | None
    fargate_vcpus: float | None = None  # None: unlimited for the plan (no Fargate quota given)

    @property
    def wants_auto(self) -> bool:
        return self.on_demand_vcpus is None or self.spot_vcpus is None

    def by_pool(self) -> dict[PurchaseModel, float]:
        """The quotas the profile states, per purchase pool (``"auto"`` ones are left out)."""
        pools: dict[PurchaseModel, float] = {}
        if self.on_demand_vcpus is not None:
            pools[PurchaseModel.EC2] = self.on_demand_vcpus
        if self.spot_vcpus is not None:
            pools[PurchaseModel.SPOT] = self.spot_vcpus
        if self.fargate_vcpus is not None:
            pools[PurchaseModel.FARGATE] = self.fargate_vcpus
            pools[PurchaseModel.FARGATE_SPOT] = self.fargate_vcpus
        return pools


@dataclass(frozen=True)
class ComputeEnvironmentSpec:
    name: str
    purchase_model: PurchaseModel
    allocation_strategy: str
    instance_types: tuple[str, ...]
    min_vcpus: int
    max_vcpus: int
    desired_vcpus: int
    bid_percentage: int | None = None
    subnets: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    instance_role: str = ""
    service_role: str = ""
    launch_template: str = ""
    state: str = "ENABLED"
    line: int = 0

    def to_model(self) -> ComputeEnvironment:
        """The compute environment as the shared model sees it (VALID, as if applied)."""
        return ComputeEnvironment(
            name=self.name,
            arn="",
            state=self.state,
            status="VALID",
            purchase_model=self.purchase_model,
            allocation_strategy=self.allocation_strategy,
            min_vcpus=self.min_vcpus,
            desired_vcpus=self.desired_vcpus,
            max_vcpus=self.max_vcpus,
            instance_types=self.instance_types,
            bid_percentage=self.bid_percentage,
            subnets=self.subnets,
            security_group_ids=self.security_group_ids,
            instance_role=self.instance_role,
            service_role=self.service_role,
            launch_template=self.launch_template,
        )


@dataclass(frozen=True)
class JobQueueSpec:
    name: str
    priority: int
    compute_environments: tuple[str, ...]  # in computeEnvironmentOrder
    job_state_time_limit_actions: tuple[Mapping[str, Any], ...] = ()
    state: str = "ENABLED"


@dataclass(frozen=True)
class EvaluateOnExit:
    action: str  # RETRY | EXIT
    on_status_reason: str = ""
    on_reason: str = ""
    on_exit_code: str = ""

    def matches(self, status_reason: str, reason: str = "", exit_code: str = "") -> bool:
        """AWS's rule: every given pattern must match; ``*`` only at the end of a pattern."""
        pairs = (
            (self.on_status_reason, status_reason),
            (self.on_reason, reason),
            (self.on_exit_code, exit_code),
        )
        given = [(p, v) for p, v in pairs if p]
        return bool(given) and all(_glob(p, v) for p, v in given)


def _glob(pattern: str, value: str) -> bool:
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


@dataclass(frozen=True)
class RetryStrategy:
    attempts: int = 1
    evaluate_on_exit: tuple[EvaluateOnExit, ...] = ()

    def attempts_on_interruption(self) -> int:
        """How many attempts a job gets when spot interruptions kill its attempts."""
        if self.attempts <= 1:
            return 1
        for rule in self.evaluate_on_exit:
            # A host termination has no container exit code and no container reason.
            if rule.matches(SPOT_INTERRUPTION_REASON):
                return self.attempts if rule.action == "RETRY" else 1
        # No rule matched: AWS retries up to attempts when no evaluateOnExit matches... unless
        # rules were given, in which case an unmatched failure is retried too (AWS: "If none of
        # the conditions match, the job is retried").
        return self.attempts


@dataclass(frozen=True)
class JobDefinitionSpec:
    name: str
    image: str
    vcpus: float
    memory_mib: int
    gpus: int = 0
    timeout_seconds: int | None = None
    retry_strategy: RetryStrategy = field(default_factory=RetryStrategy)
    environment: Mapping[str, str] = field(default_factory=dict)
    disk_gib: int | None = None

    @property
    def request(self) -> ResourceRequest:
        return ResourceRequest(self.vcpus, self.memory_mib, self.gpus)


@dataclass(frozen=True)
class Distribution:
    """Seconds per image: fixed, uniform(min, max), normal(mean, stddev), lognormal(mean, p95)."""

    kind: str
    mean: float
    stddev: float
    low: float = 0.0
    high: float = 0.0

    def quantile_hint(self) -> str:
        return f"{self.kind} mean {self.mean:g}s sd {self.stddev:g}s"


@dataclass(frozen=True)
class WorkloadSpec:
    images: int
    images_per_job: int
    seconds_per_image: Distribution
    queue: str
    deadline_hours: float
    budget_usd: float | None = None
    array_size: int = 1  # 1: plain jobs; >1: array jobs of this many children
    dependencies_per_job: int = 0
    job_overhead_seconds: float = 15.0  # image pull, container start, S3/DynamoDB setup per job

    @property
    def jobs(self) -> int:
        return math.ceil(self.images / self.images_per_job)


@dataclass(frozen=True)
class Assumptions:
    trials: int = 200
    confidence: float = 0.9
    scale_up_delay_seconds: float = 180.0
    fargate_start_seconds: float = 45.0
    #: How long an idle instance is kept (and billed) before the CE scales it in.
    scale_down_idle_seconds: float = 300.0
    #: pool -> interruptions per instance-hour; None = derived from Spot Advisor buckets
    interruption_rate_per_hour: Mapping[PurchaseModel, float | None] = field(default_factory=dict)
    spot_mixes: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    seed: int = 0


@dataclass(frozen=True)
class Profile:
    path: str
    name: str
    description: str
    region: str
    quotas: QuotaSpec
    compute_environments: tuple[ComputeEnvironmentSpec, ...]
    job_queues: tuple[JobQueueSpec, ...]
    job_definition: JobDefinitionSpec
    workload: WorkloadSpec
    assumptions: Assumptions

    def queue(self) -> JobQueueSpec:
        return next(q for q in self.job_queues if q.name == self.workload.queue)

    def compute_environment(self, name: str) -> ComputeEnvironmentSpec:
        return next(ce for ce in self.compute_environments if ce.name == name)

    def queue_compute_environments(self) -> tuple[ComputeEnvironmentSpec, ...]:
        """The workload queue's compute environments, in its order."""
        return tuple(self.compute_environment(n) for n in self.queue().compute_environments)


# --------------------------------------------------------------------------- locating keys


class KeyLines:
    """The line of each dotted key in a TOML text (``a[1].b`` for arrays of tables).

    A light scan, not a parser: table headers, ``[[array]]`` headers (with per-parent indexes)
    and ``key =`` lines outside multi-line strings and arrays. Enough to point a user at a line.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r'^\s*([A-Za-z0-9_\-."]+)\s*=')

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        counts: dict[str, int] = {}
        current = ""
        depth = 0  # open brackets/braces of a multi-line value
        in_string = ""
        for lineno, raw in enumerate(text.splitlines(), start=1):
            if in_string:
                if in_string in raw:
                    in_string = ""
                continue
            if depth == 0:
                header = self._HEADER.match(raw)
                if header:
                    dotted = self._resolve(header.group(2).replace('"', ""), counts)
                    if header.group(1) == "[[":
                        n = counts.get(dotted, 0)
                        counts[dotted] = n + 1
                        dotted = f"{dotted}[{n}]"
                    current = dotted
                    self.lines.setdefault(current, lineno)
                    continue
                key = self._KEY.match(raw)
                if key:
                    name = key.group(1).replace('"', "")
                    full = f"{current}.{name}" if current else name
                    self.lines.setdefault(full, lineno)
            for quote in ('"""', "'''"):
                if raw.count(quote) % 2 == 1:
                    in_string = quote
            depth = max(0, depth + _bracket_balance(raw))

    @staticmethod
    def _resolve(dotted: str, counts: dict[str, int]) -> str:
        """``a.b`` inside the current element of array ``a`` becomes ``a[i].b``."""
        parts = dotted.split(".")
        out = ""
        for part in parts[:-1]:
            out = f"{out}.{part}" if out else part
            if out in counts:
                out = f"{out}[{counts[out] - 1}]"
        return f"{out}.{parts[-1]}" if out else parts[-1]

    def line_of(self, path: str) -> int:
        """The line of ``path`` or of its nearest enclosing table; 0 when unknown."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return 0


def _bracket_balance(line: str) -> int:
    balance = 0
    quote = ""
    for ch in line:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            balance += 1
        elif ch in "]}":
            balance -= 1
    return balance


# --------------------------------------------------------------------------- validation


class _Problems:
    def __init__(self, path: str, lines: KeyLines) -> None:
        self.path = path
        self.lines = lines
        self.items: list[tuple[int, str]] = []

    def add(self, key: str, message: str) -> None:
        line = self.lines.line_of(key)
        where = f"{self.path}:{line}" if line else self.path
        self.items.append((line, f"{where}: {key}: {message}"))

    def raise_if_any(self) -> None:
        if self.items:
            raise ProfileError([m for _, m in sorted(self.items, key=lambda t: t[0])])


_Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class _Field:
    kind: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    check: _Check | None = None
    strings: bool = False  # an array whose items must all be strings


def _positive(v: Any) -> str | None:
    return None if v > 0 else f"must be > 0 (got {v})"


def _non_negative(v: Any) -> str | None:
    return None if v >= 0 else f"must be >= 0 (got {v})"


def _one_of(*choices: str) -> _Check:
    def check(v: Any) -> str | None:
        if v in choices:
            return None
        close = difflib.get_close_matches(str(v), choices, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"must be one of {', '.join(choices)} (got {v!r}){hint}"

    return check


def _aws_int(check: _Check) -> _Check:
    """``check``, for a value AWS takes as a 32-bit integer."""

    def checked(v: Any) -> str | None:
        if v > INT32_MAX:
            return f"must be at most {INT32_MAX} (AWS takes a 32-bit integer; got {v})"
        return check(v)

    return checked


def _in_range(lo: float, hi: float) -> _Check:
    def check(v: Any) -> str | None:
        return None if lo <= v <= hi else f"must be between {lo:g} and {hi:g} (got {v})"

    return check


def _is_quota(v: Any) -> str | None:
    if v == "auto":
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0:
        return None
    return f'must be a number of vCPUs >= 0 or "auto" (got {v!r})'


_NUM = (int, float)

TOP = {
    "name": _Field(str),
    "description": _Field(str, default=""),
    "region": _Field(str, required=True),
    "quotas": _Field(dict, required=True),
    "compute_environments": _Field(list, required=True),
    "job_queues": _Field(list, required=True),
    "job_definition": _Field(dict, required=True),
    "workload": _Field(dict, required=True),
    "assumptions": _Field(dict, default={}),
}
QUOTAS = {
    "on_demand_vcpus": _Field((int, float, str), required=True, check=_is_quota),
    "spot_vcpus": _Field((int, float, str), required=True, check=_is_quota),
    "fargate_vcpus": _Field(_NUM, check=_non_negative),
}
COMPUTE_ENVIRONMENT = {
    "name": _Field(str, required=True),
    "purchase_model": _Field(
        str, required=True, check=_one_of("SPOT", "ON_DEMAND", "EC2", "FARGATE", "FARGATE_SPOT")
    ),
    "allocation_strategy": _Field(str, default="", check=_one_of("", *ALLOCATION_STRATEGIES)),
    "instance_types": _Field(list, default=[], strings=True),
    "min_vcpus": _Field(int, default=0, check=_aws_int(_non_negative)),
    "max_vcpus": _Field(int, required=True, check=_aws_int(_non_negative)),
    "desired_vcpus": _Field(int, default=None, check=_aws_int(_non_negative)),
    "bid_percentage": _Field(int, check=_in_range(1, 100)),
    "subnets": _Field(list, default=[], strings=True),
    "security_group_ids": _Field(list, default=[], strings=True),
    "instance_role": _Field(str, default=""),
    "service_role": _Field(str, default=""),
    "launch_template": _Field(str, default=""),
    "state": _Field(str, default="ENABLED", check=_one_of("ENABLED", "DISABLED")),
}
JOB_QUEUE = {
    "name": _Field(str, required=True),
    "priority": _Field(int, default=1, check=_aws_int(_non_negative)),
    "compute_environments": _Field(list, required=True, strings=True),
    "job_state_time_limit_actions": _Field(list, default=[]),
    "state": _Field(str, default="ENABLED", check=_one_of("ENABLED", "DISABLED")),
}
TIME_LIMIT_ACTION = {
    "reason": _Field(str, required=True),
    "state": _Field(str, default="RUNNABLE", check=_one_of("RUNNABLE")),
    "max_time_seconds": _Field(int, required=True, check=_in_range(600, 86400)),
    "action": _Field(str, default="CANCEL", check=_one_of("CANCEL")),
}
JOB_DEFINITION = {
    "name": _Field(str, required=True),
    "image": _Field(str, required=True),
    "vcpus": _Field(_NUM, required=True, check=_positive),
    "memory_mib": _Field(int, required=True, check=_aws_int(_positive)),
    "gpus": _Field(int, default=0, check=_aws_int(_non_negative)),
    "timeout_seconds": _Field(int, check=_in_range(60, 14 * 86400)),
    "retry_strategy": _Field(dict, default={}),
    "environment": _Field(dict, default={}),
    "disk_gib": _Field(int, check=_aws_int(_positive)),
}
RETRY_STRATEGY = {
    "attempts": _Field(int, default=1, check=_in_range(1, 10)),
    "evaluate_on_exit": _Field(list, default=[]),
}
EVALUATE_ON_EXIT = {
    "action": _Field(str, required=True, check=_one_of("RETRY", "EXIT")),
    "on_status_reason": _Field(str, default=""),
    "on_reason": _Field(str, default=""),
    "on_exit_code": _Field(str, default=""),
}
WORKLOAD = {
    "images": _Field(int, required=True, check=_positive),
    "images_per_job": _Field(int, default=1, check=_positive),
    "seconds_per_image": _Field(dict, required=True),
    "queue": _Field(str),
    "deadline_hours": _Field(_NUM, required=True, check=_positive),
    "budget_usd": _Field(_NUM, check=_positive),
    "array_size": _Field(int, default=1, check=_in_range(1, 1_000_000)),
    "dependencies_per_job": _Field(int, default=0, check=_non_negative),
    "job_overhead_seconds": _Field(_NUM, default=15.0, check=_non_negative),
}
SECONDS_PER_IMAGE = {
    "distribution": _Field(str, required=True, check=_one_of(*DISTRIBUTIONS)),
    "mean": _Field(_NUM, check=_positive),
    "stddev": _Field(_NUM, check=_non_negative),
    "p95": _Field(_NUM, check=_positive),
    "min": _Field(_NUM, check=_non_negative),
    "max": _Field(_NUM, check=_positive),
    "value": _Field(_NUM, check=_positive),
}
ASSUMPTIONS = {
    "trials": _Field(int, default=200, check=_in_range(1, 100_000)),
    "confidence": _Field(_NUM, default=0.9, check=_in_range(0.5, 0.999)),
    "scale_up_delay_seconds": _Field(_NUM, default=180.0, check=_non_negative),
    "fargate_start_seconds": _Field(_NUM, default=45.0, check=_non_negative),
    "scale_down_idle_seconds": _Field(_NUM, default=300.0, check=_non_negative),
    "interruption_rate_per_hour": _Field(dict, default={}),
    "spot_mixes": _Field(list, default=[0.0, 0.25, 0.5, 0.75, 1.0]),
    "seed": _Field(int, default=0),
}


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        int: "an integer",
        float: "a number",
        str: "a string",
        dict: "a table",
        list: "an array",
    }
    if isinstance(kind, tuple):
        return " or ".join(dict.fromkeys(names[k] for k in kind))
    return names[kind]


def _section(
    data: Any, schema: Mapping[str, _Field], key: str, problems: _Problems
) -> dict[str, Any] | None:
    """Check one table against its schema; the values with defaults filled, or None."""
    if not isinstance(data, dict):
        problems.add(key, f"must be a table (got {type(data).__name__})")
        return None
    out: dict[str, Any] = {}
    ok = True
    prefix = f"{key}." if key else ""
    for name in data:
        if name not in schema:
            close = difflib.get_close_matches(name, list(schema), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.add(f"{prefix}{name}", f"unknown key{hint}")
            ok = False
    for name, spec in schema.items():
        full = f"{prefix}{name}"
        if name not in data:
            if spec.required:
                problems.add(full, "required key is missing")
                ok = False
            out[name] = spec.default
            continue
        value: Any = data[name]
        kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
        # TOML integers are fine where a float is wanted; booleans are never numbers.
        if isinstance(value, bool) or not isinstance(value, kinds):
            problems.add(full, f"must be {_kind_name(spec.kind)} (got {value!r})")
            ok = False
            continue
        if isinstance(value, float) and not math.isfinite(value):  # TOML's inf and nan
            problems.add(full, f"must be a finite number (got {value})")
            ok = False
            continue
        items: list[Any] = value if isinstance(value, list) else []
        if spec.strings and not all(isinstance(v, str) for v in items):
            problems.add(full, "must be an array of strings")
            ok = False
            continue
        if spec.check is not None:
            message = spec.check(value)
            if message:
                problems.add(full, message)
                ok = False
                continue
        out[name] = value
    return out if ok else None


# --------------------------------------------------------------------------- loading


def resolve_profile_path(name_or_path: str, cwd: Path | None = None) -> Path:
    """A path as given, else ``profiles/NAME.toml`` under cwd, else the bundled copy."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or "/" in name_or_path or candidate.exists():
        if candidate.is_file():
            return candidate
        if candidate.is_dir():
            raise ProfileError([f"{name_or_path}: is a directory, not a profile file"])
        raise ProfileError([f"{name_or_path}: no such profile file"])
    folders = ((cwd or Path.cwd()) / "profiles", *PROFILE_DIRS)
    for folder in folders:
        path = folder / f"{name_or_path}.toml"
        if path.is_file():
            return path
    known = sorted({p.stem for d in folders if d.is_dir() for p in d.glob("*.toml")})
    close = difflib.get_close_matches(name_or_path, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return_msg = f"{name_or_path}: no profile of that name in ./profiles or the bundled profiles"
    raise ProfileError([f"{return_msg} (known: {', '.join(known) or 'none'}){hint}"])


def load_profile(name_or_path: str, cwd: Path | None = None) -> Profile:
    """Read and validate a profile; :class:`ProfileError` lists every problem found."""
    path = resolve_profile_path(name_or_path, cwd)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError([f"{path}: cannot read: {e}"]) from None
    return parse_profile(text, str(path))


def parse_profile(text: str, path: str = "<profile>") -> Profile:
    """Parse and validate profile text (``path`` names it in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None) or _line_from_message(str(e))
        raise ProfileError([f"{path}:{line}: not valid TOML: {e}"]) from None
    problems = _Problems(path, KeyLines(text))
    profile = _build(data, path, problems)
    problems.raise_if_any()
    assert profile is not None
    return profile


def _line_from_message(message: str) -> int:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 0


def _build(data: dict[str, Any], path: str, problems: _Problems) -> Profile | None:
    top = _section(data, TOP, "", problems)
    if top is None:
        return None
    quotas = _section(top["quotas"], QUOTAS, "quotas", problems)
    ces = [
        _compute_environment(d, i, problems)
        for i, d in enumerate(_tables(top, "compute_environments", problems))
    ]
    queues = [
        _job_queue(d, i, problems) for i, d in enumerate(_tables(top, "job_queues", problems))
    ]
    jobdef = _job_definition(top["job_definition"], problems)
    workload = _workload(top["workload"], problems)
    assumptions = _assumptions(top["assumptions"], problems)
    if None in (quotas, jobdef, workload, assumptions) or None in ces or None in queues:
        return None
    assert quotas is not None and jobdef is not None and workload is not None
    assert assumptions is not None
    ce_specs = [c for c in ces if c is not None]
    queue_specs = [q for q in queues if q is not None]
    _cross_checks(ce_specs, queue_specs, workload, problems)
    if not queue_specs:
        return None
    if not workload["queue"]:
        workload["queue"] = queue_specs[0].name
    _check_job_vcpus(jobdef, ce_specs, queue_specs, workload["queue"], problems)
    return Profile(
        path=path,
        name=top["name"] or Path(path).stem,
        description=top["description"],
        region=top["region"],
        quotas=QuotaSpec(
            on_demand_vcpus=_quota(quotas["on_demand_vcpus"]),
            spot_vcpus=_quota(quotas["spot_vcpus"]),
            fargate_vcpus=quotas["fargate_vcpus"],
        ),
        compute_environments=tuple(ce_specs),
        job_queues=tuple(queue_specs),
        job_definition=jobdef,
        workload=WorkloadSpec(**workload),
        assumptions=assumptions,
    )


def _quota(v: Any) -> float | None:
    return None if v == "auto" else float(v)


def _tables(top: dict[str, Any], key: str, problems: _Problems) -> list[Any]:
    items = top[key]
    if not items:
        problems.add(key, "needs at least one entry")
    return list(items)


def _compute_environment(d: Any, i: int, problems: _Problems) -> ComputeEnvironmentSpec | None:
    key = f"compute_environments[{i}]"
    v = _section(d, COMPUTE_ENVIRONMENT, key, problems)
    if v is None:
        return None
    pool = PurchaseModel.parse(v["purchase_model"])
    desired = v["desired_vcpus"] if v["desired_vcpus"] is not None else v["min_vcpus"]
    ok = True
    if v["max_vcpus"] < v["min_vcpus"]:
        problems.add(
            f"{key}.max_vcpus", f"must be >= min_vcpus ({v['max_vcpus']} < {v['min_vcpus']})"
        )
        ok = False
    if pool.is_fargate:
        for name in ("instance_types", "allocation_strategy", "bid_percentage", "launch_template"):
            if d.get(name):
                problems.add(f"{key}.{name}", f"not allowed for {pool.label} compute environments")
                ok = False
    elif not v["instance_types"]:
        problems.add(f"{key}.instance_types", "required for EC2 and SPOT compute environments")
        ok = False
    else:
        for j, name in enumerate(v["instance_types"]):
            unknown = _unknown_instance_type(name)
            if unknown:
                problems.add(f"{key}.instance_types", f"[{j}] {unknown}")
                ok = False
    if v["bid_percentage"] is not None and pool is not PurchaseModel.SPOT:
        problems.add(f"{key}.bid_percentage", "only SPOT compute environments take a bid")
        ok = False
    strategy = v["allocation_strategy"] or ("" if pool.is_fargate else "BEST_FIT_PROGRESSIVE")
    if strategy.startswith("SPOT_") and pool is not PurchaseModel.SPOT:
        problems.add(f"{key}.allocation_strategy", f"{strategy} is for SPOT compute environments")
        ok = False
    if not ok:
        return None
    return ComputeEnvironmentSpec(
        name=v["name"],
        purchase_model=pool,
        allocation_strategy=strategy,
        instance_types=tuple(v["instance_types"]),
        min_vcpus=v["min_vcpus"],
        max_vcpus=v["max_vcpus"],
        desired_vcpus=desired,
        bid_percentage=v["bid_percentage"],
        subnets=tuple(v["subnets"]),
        security_group_ids=tuple(v["security_group_ids"]),
        instance_role=v["instance_role"],
        service_role=v["service_role"],
        launch_template=v["launch_template"],
        state=v["state"],
        line=problems.lines.line_of(key),
    )


def _unknown_instance_type(name: str) -> str | None:
    """Why the planner cannot use ``name``, or None: it places and prices jobs with the bundled
    catalog, and an instance type or family outside it would silently launch nothing."""
    catalog = instance_catalog()
    if is_known_instance_type(name, catalog):
        return None
    families = sorted({it.family for it in catalog.values()})
    close = difflib.get_close_matches(name, [*families, *catalog, *INSTANCE_TYPE_KEYWORDS], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"{name!r} is not an instance type or family of the bundled catalog "
        f"({', '.join(families)}){hint}"
    )


def _job_queue(d: Any, i: int, problems: _Problems) -> JobQueueSpec | None:
    key = f"job_queues[{i}]"
    v = _section(d, JOB_QUEUE, key, problems)
    if v is None:
        return None
    actions = []
    for j, a in enumerate(v["job_state_time_limit_actions"]):
        checked = _section(
            a, TIME_LIMIT_ACTION, f"{key}.job_state_time_limit_actions[{j}]", problems
        )
        if checked is None:
            return None
        actions.append(checked)
    if not v["compute_environments"]:
        problems.add(f"{key}.compute_environments", "needs at least one compute environment")
        return None
    return JobQueueSpec(
        name=v["name"],
        priority=v["priority"],
        compute_environments=tuple(v["compute_environments"]),
        job_state_time_limit_actions=tuple(actions),
        state=v["state"],
    )


def _job_definition(d: Any, problems: _Problems) -> JobDefinitionSpec | None:
    v = _section(d, JOB_DEFINITION, "job_definition", problems)
    if v is None:
        return None
    rs = _section(v["retry_strategy"], RETRY_STRATEGY, "job_definition.retry_strategy", problems)
    if rs is None:
        return None
    rules = []
    for j, r in enumerate(rs["evaluate_on_exit"]):
        key = f"job_definition.retry_strategy.evaluate_on_exit[{j}]"
        checked = _section(r, EVALUATE_ON_EXIT, key, problems)
        if checked is None:
            return None
        if not (checked["on_status_reason"] or checked["on_reason"] or checked["on_exit_code"]):
            problems.add(key, "needs on_status_reason, on_reason or on_exit_code")
            return None
        rules.append(EvaluateOnExit(**checked))
    env = v["environment"]
    bad = [k for k, val in env.items() if not isinstance(val, str)]
    for k in bad:
        problems.add(f"job_definition.environment.{k}", "environment values must be strings")
    if bad:
        return None
    return JobDefinitionSpec(
        name=v["name"],
        image=v["image"],
        vcpus=float(v["vcpus"]),
        memory_mib=v["memory_mib"],
        gpus=v["gpus"],
        timeout_seconds=v["timeout_seconds"],
        retry_strategy=RetryStrategy(rs["attempts"], tuple(rules)),
        environment=dict(env),
        disk_gib=v["disk_gib"],
    )


def _workload(d: Any, problems: _Problems) -> dict[str, Any] | None:
    v = _section(d, WORKLOAD, "workload", problems)
    if v is None:
        return None
    dist = _distribution(v["seconds_per_image"], problems)
    if dist is None:
        return None
    v["seconds_per_image"] = dist
    v["deadline_hours"] = float(v["deadline_hours"])
    v["job_overhead_seconds"] = float(v["job_overhead_seconds"])
    if v["budget_usd"] is not None:
        v["budget_usd"] = float(v["budget_usd"])
    return v


def _distribution(d: Any, problems: _Problems) -> Distribution | None:
    key = "workload.seconds_per_image"
    v = _section(d, SECONDS_PER_IMAGE, key, problems)
    if v is None:
        return None
    kind = v["distribution"]
    need = {
        "fixed": ("value",),
        "uniform": ("min", "max"),
        "normal": ("mean", "stddev"),
        "lognormal": ("mean",),
    }[kind]
    allowed = set(need) | {"distribution"} | ({"p95", "stddev"} if kind == "lognormal" else set())
    ok = True
    for name in need:
        if v[name] is None:
            problems.add(f"{key}.{name}", f"required for a {kind} distribution")
            ok = False
    for name in SECONDS_PER_IMAGE:
        if name not in allowed and v[name] is not None:
            problems.add(f"{key}.{name}", f"not used by a {kind} distribution")
            ok = False
    if not ok:
        return None
    if kind == "fixed":
        return Distribution("fixed", float(v["value"]), 0.0)
    if kind == "uniform":
        lo, hi = float(v["min"]), float(v["max"])
        if hi < lo:
            problems.add(f"{key}.max", f"must be >= min ({hi:g} < {lo:g})")
            return None
        return Distribution("uniform", (lo + hi) / 2, (hi - lo) / math.sqrt(12), lo, hi)
    if kind == "normal":
        return Distribution("normal", float(v["mean"]), float(v["stddev"]))
    mean = float(v["mean"])
    if v["p95"] is not None and v["stddev"] is not None:
        problems.add(f"{key}.p95", "give p95 or stddev, not both")
        return None
    if v["p95"] is not None:
        p95 = float(v["p95"])
        if p95 <= mean:
            problems.add(f"{key}.p95", f"must be > mean ({p95:g} <= {mean:g})")
            return None
        sigma = _lognormal_sigma(mean, p95)
        sd = mean * math.sqrt(math.exp(sigma * sigma) - 1)
    else:
        sd = float(v["stddev"] or 0.0)
    return Distribution("lognormal", mean, sd)


def _lognormal_sigma(mean: float, p95: float) -> float:
    """sigma of a lognormal with this mean and 95th percentile (bisection; always converges)."""
    z = 1.6448536269514722
    # p95/mean = exp(z*s - s^2/2), increasing in s on (0, z).
    target = math.log(p95 / mean)
    lo, hi = 0.0, z
    for _ in range(60):
        mid = (lo + hi) / 2
        if z * mid - mid * mid / 2 < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _assumptions(d: Any, problems: _Problems) -> Assumptions | None:
    v = _section(d, ASSUMPTIONS, "assumptions", problems)
    if v is None:
        return None
    rates: dict[PurchaseModel, float | None] = {}
    for pool_name, rate in v["interruption_rate_per_hour"].items():
        key = f"assumptions.interruption_rate_per_hour.{pool_name}"
        try:
            pool = PurchaseModel.parse(pool_name)
        except ValueError:
            problems.add(key, "unknown purchase pool; use SPOT, ON_DEMAND, FARGATE, FARGATE_SPOT")
            return None
        if rate == "advisor":
            rates[pool] = None
        elif isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 <= rate < 5:
            rates[pool] = float(rate)
        else:
            problems.add(
                key, f'must be interruptions per instance-hour (0..5) or "advisor" (got {rate!r})'
            )
            return None
    mixes = v["spot_mixes"]
    if not all(
        isinstance(m, (int, float)) and not isinstance(m, bool) and 0 <= m <= 1 for m in mixes
    ):
        problems.add("assumptions.spot_mixes", "must be fractions of vCPUs on spot, 0..1")
        return None
    return Assumptions(
        trials=v["trials"],
        confidence=float(v["confidence"]),
        scale_up_delay_seconds=float(v["scale_up_delay_seconds"]),
        fargate_start_seconds=float(v["fargate_start_seconds"]),
        scale_down_idle_seconds=float(v["scale_down_idle_seconds"]),
        interruption_rate_per_hour=rates,
        spot_mixes=tuple(sorted({float(m) for m in mixes})),
        seed=v["seed"],
    )


def _check_job_vcpus(
    jobdef: JobDefinitionSpec,
    ces: list[ComputeEnvironmentSpec],
    queues: list[JobQueueSpec],
    queue_name: str,
    problems: _Problems,
) -> None:
    """A fractional vCPU count must be one AWS takes where the workload's queue runs jobs.

    The job definition is registered for the workload queue's platform (a queue never mixes EC2
    and Fargate): on EC2 AWS takes whole vCPUs only, on Fargate 0.25 and 0.5 are task sizes.
    So this is an error, not a warning: the profile's own setup could not be applied. The EC2
    scenarios the planner adds are for EC2 queues only (a Fargate queue's mixes stay Fargate),
    so a Fargate profile's 0.25 or 0.5 never meets them.
    """
    if jobdef.vcpus.is_integer():
        return
    queue = next((q for q in queues if q.name == queue_name), None)
    pools = [ce.purchase_model for ce in ces if queue and ce.name in queue.compute_environments]
    if pools and all(p.is_fargate for p in pools):
        if jobdef.vcpus not in FARGATE_FRACTIONAL_VCPUS:
            problems.add(
                "job_definition.vcpus",
                f"a fractional vCPU count must be 0.25 or 0.5 on Fargate (got {jobdef.vcpus:g})",
            )
    elif pools:
        problems.add(
            "job_definition.vcpus",
            f"must be a whole number for EC2 and SPOT compute environments (got "
            f"{jobdef.vcpus:g}); only Fargate takes 0.25 or 0.5",
        )


def _cross_checks(
    ces: list[ComputeEnvironmentSpec],
    queues: list[JobQueueSpec],
    workload: dict[str, Any],
    problems: _Problems,
) -> None:
    names = [ce.name for ce in ces]
    for i, ce in enumerate(ces):
        if names.index(ce.name) != i:
            problems.add(f"compute_environments[{i}].name", f"duplicate name {ce.name!r}")
    for i, q in enumerate(queues):
        pools = set()
        for j, ce_name in enumerate(q.compute_environments):
            if ce_name not in names:
                close = difflib.get_close_matches(ce_name, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.add(
                    f"job_queues[{i}].compute_environments",
                    f"[{j}] {ce_name!r} is not a compute environment of this profile{hint}",
                )
            else:
                pools.add(next(c for c in ces if c.name == ce_name).purchase_model.is_fargate)
        if len(pools) > 1:
            problems.add(
                f"job_queues[{i}].compute_environments",
                "a job queue cannot mix EC2/SPOT and FARGATE compute environments",
            )
    qnames = [q.name for q in queues]
    if workload["queue"] and workload["queue"] not in qnames:
        close = difflib.get_close_matches(workload["queue"], qnames, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.add(
            "workload.queue", f"{workload['queue']!r} is not a job queue of this profile{hint}"
        )
