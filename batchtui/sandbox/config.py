"""What a sandbox is asked to be: seed, clock, randomness and the account's limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: What a region name looks like (us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5).
REGION_NAME = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$")


#: The worker entry points batchtui ships: the image tagger and the submission's summary job.
WORKER_MODULES = ("batchtui_worker.tagger", "batchtui_worker.summary")


@dataclass(frozen=True)
class SandboxConfig:
    """Settings of one :class:`~batchtui.sandbox.Sandbox`.

    ``speed`` is simulated seconds per real second when the clock runs by itself;
    ``manual_clock`` stops it, and only :meth:`Sandbox.advance` moves simulated time (tests).
    """

    seed: str = "demo"  # "demo" | "empty"
    jobs: int = 0  # historical jobs added on top of the seed's own
    speed: float = 60.0
    random_seed: int = 0
    port: int = 0
    manual_clock: bool = False
    region: str = "us-east-1"
    #: Simulated epoch seconds at start; None = the real time at start.
    start_time: float | None = None
    #: Spot interruptions per spot instance per simulated hour (0 disables them).
    spot_interruption_rate_per_hour: float = 0.05
    #: Simulated seconds from launching an instance to its container instance registering.
    scale_up_seconds: float = 180.0
    #: Simulated seconds an instance stays idle before the CE scales it in (down to minvCpus).
    scale_down_idle_seconds: float = 300.0
    #: Simulated seconds a job spends in STARTING (pulling its image).
    starting_seconds: float = 15.0
    #: Simulated seconds from TerminateJob to a STARTING or RUNNING job's container having
    #: stopped (ECS sends SIGTERM and waits for the exit); the job fails then, not before.
    stop_seconds: float = 5.0
    #: A Fargate task's STARTING time is drawn from this range (Fargate provisions it first).
    fargate_starting_seconds: tuple[float, float] = (30.0, 60.0)
    #: Simulated seconds a CE or queue spends CREATING/UPDATING before VALID (0 = at once).
    resource_transition_seconds: float = 5.0
    #: The account's EC2 vCPU quotas (Service Quotas L-1216C47A and L-34B43A08).
    on_demand_vcpu_quota: float = 256.0
    spot_vcpu_quota: float = 128.0
    #: The account's Fargate vCPU quotas (Service Quotas L-3032A538 and L-36FBB829).
    fargate_vcpu_quota: float = 256.0
    fargate_spot_vcpu_quota: float = 256.0
    #: Modules a job may run for real as ``python -m <module>`` (all else is synthetic): the
    #: worker entry points that ship with batchtui, so the demo account shows real worker logs.
    real_modules: tuple[str, ...] = WORKER_MODULES
    #: Mint credentials at start and refuse requests not signed with them (SigV4 checked).
    require_credentials: bool = False
    #: The demo account submits a few new jobs every simulated minute so it looks alive.
    demo_trickle: bool = True
    #: A simulated minute in, the demo account's image tagger runs for real over its photos.
    #: None: only when the clock runs in real time (a test on a manual clock asks for it).
    demo_tags_photos: bool | None = None

    @property
    def tags_photos(self) -> bool:
        """Whether the demo seed runs the real image tagger a simulated minute in:
        ``demo_tags_photos``, or when it is None, whether the clock runs by itself (the TUI's
        ``--sandbox``, the CLI's and ``sandbox serve`` alike; a test's manual clock asks)."""
        if self.demo_tags_photos is None:
            return not self.manual_clock
        return self.demo_tags_photos

    def __post_init__(self) -> None:
        if self.seed not in ("demo", "empty"):
            raise ValueError(f"seed must be 'demo' or 'empty', not {self.seed!r}")
        if self.jobs < 0:
            raise ValueError("jobs must be >= 0")
        if not REGION_NAME.match(self.region):
            raise ValueError(f"region {self.region!r} is not an AWS region name")
        if self.speed <= 0:
            raise ValueError("speed must be > 0")
