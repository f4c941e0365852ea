"""The Sandbox: loopback server + Batch store + scheduler + seed, started and stopped as one."""

from __future__ import annotations

import importlib
import logging
import random
import tempfile
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from batchtui.errors import SandboxError, UsageError
from batchtui.model import ON_DEMAND_STANDARD_QUOTA, SPOT_STANDARD_QUOTA, InstanceType
from batchtui.sandbox import history, moto_glue, seed, signing
from batchtui.sandbox.batch_store import BatchStore
from batchtui.sandbox.catalog import instance_types
from batchtui.sandbox.clock import Clock, ManualClock, RealtimeClock
from batchtui.sandbox.config import SandboxConfig
from batchtui.sandbox.fargate import FARGATE_ON_DEMAND_QUOTA, FARGATE_SPOT_QUOTA
from batchtui.sandbox.faults import FaultInjector
from batchtui.sandbox.regions import RegionalAccount, RegionalHandler, Regions
from batchtui.sandbox.s3_lambda import S3LambdaTrigger
from batchtui.sandbox.scheduler import Scheduler
from batchtui.sandbox.server import Handler, LoopbackServer
from batchtui.sandbox.services import REGIONAL, SERVICES

#: Real seconds between the background thread's steps of a self-running clock.
TICK_SECONDS = 0.1


class Sandbox:
    """An embedded, loopback-only AWS whose Batch behaves like AWS Batch.

    ``start()`` returns the endpoint URL; any AWS client pointed at it, in any region, that
    signs its requests reaches it: with any keys (the tests use ``testing``/``testing``), or,
    with ``require_credentials``, only with :attr:`credentials`. With ``manual_clock`` only
    :meth:`advance` moves simulated time; otherwise a background thread runs it at ``speed``.
    :attr:`store`, :attr:`scheduler` and :attr:`quotas` are the account of :attr:`region` (where
    the seed goes); :attr:`regions` holds every region's, each on the same simulated time.
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.region = self.config.region
        self.rng = random.Random(self.config.random_seed)
        self.t0 = self.config.start_time if self.config.start_time is not None else time.time()
        #: Service Quotas code -> value; the scheduler reads it live, so changes apply at once.
        self.quotas: dict[str, float] = self._configured_quotas()
        self.store = BatchStore(self.region, self.rng)
        self.scheduler = Scheduler(
            self.store, self.config, ManualClock(self.t0), self.quotas, self.rng
        )
        #: Every region's account: this one, seeded, and the others as requests reach them.
        self.regions = Regions(self._new_region)
        self.regions.add(RegionalAccount(self.region, self.store, self.scheduler, self.quotas))
        self._server: Any = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self.url = ""
        #: The keys clients sign with: minted per run with ``require_credentials`` (and then the
        #: only ones accepted), else the conventional fake ones (and then any are accepted).
        self.credentials: tuple[str, str] = (
            signing.mint_credentials()
            if self.config.require_credentials
            else ("testing", "testing")
        )
        self._home: tempfile.TemporaryDirectory[str] | None = None
        #: The stand-in for S3 -> Lambda (:mod:`.s3_lambda`), while the sandbox runs.
        self.s3_lambda: S3LambdaTrigger | None = None

    def _configured_quotas(self) -> dict[str, float]:
        return {
            ON_DEMAND_STANDARD_QUOTA: float(self.config.on_demand_vcpu_quota),
            SPOT_STANDARD_QUOTA: float(self.config.spot_vcpu_quota),
            FARGATE_ON_DEMAND_QUOTA: float(self.config.fargate_vcpu_quota),
            FARGATE_SPOT_QUOTA: float(self.config.fargate_spot_vcpu_quota),
        }

    def _new_region(self, region: str) -> RegionalAccount:
        """An empty account in ``region``, its clock where the sandbox's is now."""
        rng = random.Random(f"{self.config.random_seed}/{region}")
        store = BatchStore(region, rng)
        quotas = self._configured_quotas()
        clock = self.clock
        if isinstance(clock, ManualClock):
            clock = ManualClock(self.now())
        scheduler = Scheduler(store, self.config, clock, quotas, rng)
        scheduler.endpoint_url = self.url
        scheduler.credentials = self.credentials
        scheduler.run_home = self._home.name if self._home is not None else ""
        scheduler.publish_events()  # nothing seeded here: every change is news
        return RegionalAccount(region, store, scheduler, quotas)

    def _schedulers(self) -> list[Scheduler]:
        return [account.scheduler for account in self.regions]

    @property
    def catalog(self) -> dict[str, InstanceType]:
        return instance_types()

    @property
    def clock(self) -> Clock:
        return self.scheduler.clock

    @property
    def speed(self) -> float:
        return 0.0 if self.config.manual_clock else self.config.speed

    def start(self) -> str:
        moto_glue.load_aws_managed_policies()
        handlers: dict[str, Handler] = {}
        for service, target in SERVICES.items():
            module, _, name = target.partition(":")
            factory = getattr(importlib.import_module(module), name)
            if service in REGIONAL:
                handlers[service] = RegionalHandler(factory, self.regions)
            else:
                handlers[service] = factory(self)
        try:
            self._server = LoopbackServer(handlers, self.config.port)
        except OSError as e:
            raise UsageError(
                f"cannot listen on 127.0.0.1:{self.config.port}: {e.strerror or e}"
            ) from e
        if self.config.require_credentials:
            self._server.app.credentials = self.credentials
        self._server.app.clock = self.now
        self.url = self._server.start()
        # Jobs that run for real reach the sandbox with its keys, from a home of their own.
        self._home = tempfile.TemporaryDirectory(prefix="batchtui-sandbox-")
        self.scheduler.endpoint_url = self.url
        self.scheduler.credentials = self.credentials
        self.scheduler.run_home = self._home.name
        self.s3_lambda = S3LambdaTrigger(
            schedule=self._at_next_step,
            now=self.now,
            endpoint_url=self.url,
            credentials=self.credentials,
            home=self._home.name,
        )
        self._server.app.s3_lambda = self.s3_lambda.notify
        try:
            self._seed()
        except Exception as e:
            self.stop()
            raise SandboxError(f"seeding the sandbox failed: {e}") from e
        self.scheduler.publish_events()
        if not self.config.manual_clock:
            self.scheduler.clock = RealtimeClock(self.scheduler.now, self.config.speed)
            self._ticker = threading.Thread(target=self._tick, name="sandbox-clock", daemon=True)
            self._ticker.start()
        return self.url

    def _seed(self) -> None:
        if self.config.seed == "demo":
            seed.seed_demo(self)  # its history includes config.jobs
        elif self.config.jobs:
            with self.scheduler.lock:
                history.seed_history(self, self.config.jobs, end=self.scheduler.now)

    def _at_next_step(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` at the scheduler's next step (from any thread: a request's)."""
        with self.scheduler.lock:
            self.scheduler.call_at(self.scheduler.now, lambda scheduler: fn())

    def _tick(self) -> None:
        while not self._stopping.wait(TICK_SECONDS):
            try:
                for scheduler in self._schedulers():
                    scheduler.catch_up()
            except Exception:  # keep the clock alive; the failure is logged, not raised
                logging.getLogger(__name__).exception("sandbox scheduler step failed")

    @property
    def faults(self) -> FaultInjector:
        """The faults the sandbox injects (what ``/_batchtui/faults`` sets over HTTP)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        injector: FaultInjector = self._server.app.faults
        return injector

    def now(self) -> float:
        """Simulated epoch seconds."""
        return max(self.scheduler.now, self.clock.now())

    def advance(self, seconds: float) -> None:
        """Run the scheduler through ``seconds`` of simulated time, synchronously."""
        if seconds < 0:
            raise ValueError("cannot go back in time")
        clock = self.clock
        if isinstance(clock, RealtimeClock):  # shared by every region
            clock.set(clock.now() + seconds)
            for scheduler in self._schedulers():
                scheduler.catch_up()
        else:
            t = self.scheduler.now + seconds
            for scheduler in self._schedulers():
                scheduler.run_until(t)

    def wait_for_workers(self, timeout: float = 60.0) -> bool:
        """Block until every job running as a real subprocess has exited (then advance)."""
        deadline = time.monotonic() + timeout
        if self.s3_lambda is not None and not self.s3_lambda.wait(timeout):
            return False  # an S3 event's handler first: it may submit the jobs waited for next
        runs = [run for scheduler in self._schedulers() for run in scheduler.runs.values()]
        return all(run.wait(max(0.0, deadline - time.monotonic())) for run in runs)

    def stop(self) -> None:
        self._stopping.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
            self._ticker = None
        for scheduler in self._schedulers():
            for run in list(scheduler.runs.values()):
                run.kill()
        if self.s3_lambda is not None:
            self.s3_lambda.stop()
            self.s3_lambda = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._home is not None:
            self._home.cleanup()
            self._home = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
