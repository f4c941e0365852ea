"""Fair-share scheduling: which RUNNABLE job of a fair-share queue goes next, and the capacity
each queue and share holds (GetJobQueueSnapshot's ``queueUtilization``).

AWS's documented algorithm (Batch user guide, "Fair-share scheduling policies"), modelled so:

- **Usage.** A share's usage is the vCPUs its jobs hold now plus their average over the recent
  past, an exponentially decayed average with time constant ``shareDecaySeconds`` (0 means
  AWS's minimum, 600 s): "the decay allows for more recently run jobs to have more weight".
- **Weight.** The next job comes from the share whose usage times its ``weightFactor`` is
  lowest. Held up under contention, this makes each share's usage proportional to
  1 / weightFactor: shares of weights 1 and 3 run jobs 3:1, as AWS's "a weight factor of
  0.125 gets 8 times the compute resources of 1" says.
- **Reservation.** ``computeReservation`` holds back ``(computeReservation/100)^active`` of the
  queue's maximum vCPUs (its compute environments' maxvCpus) for shares that have no job
  running: a job of an active share does not start when it would eat into that reserve.
- **Priority.** Within a share, higher ``schedulingPriority`` first, then the order in which
  jobs became RUNNABLE.

Capacity held is counted from the moment a job is placed (on an instance still launching, too)
until it gives its capacity back, for every queue, fair-share or FIFO.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from batchtui.sandbox.batch_records import Job, SchedulingPolicyRecord

#: GetJobQueueSnapshot lists the busiest 20 shares (botocore: "the top 20 shares").
TOP_SHARES = 20


@dataclass
class _Share:
    held: float = 0.0  # vCPUs its jobs hold now
    average: float = 0.0  # decayed average of ``held``, as of ``at``
    at: float = 0.0


class QueueUsage:
    """vCPUs held per queue and per share, updated as jobs are placed and give capacity back."""

    def __init__(self) -> None:
        self._holding: dict[str, tuple[str, str | None, float]] = {}  # job id -> what it holds
        self._queues: dict[str, float] = {}
        self._shares: dict[str, dict[str, _Share]] = {}

    # -- accounting --------------------------------------------------------------------------
    def placed(self, job: Job, now: float, decay: float | None) -> None:
        """The job got capacity; ``decay`` is its queue's shareDecaySeconds (None: FIFO)."""
        if job.job_id in self._holding or job.request is None:
            return
        vcpus = float(job.request.vcpus)
        self._holding[job.job_id] = (job.queue, job.share_identifier, vcpus)
        self._queues[job.queue] = self._queues.get(job.queue, 0.0) + vcpus
        if job.share_identifier is not None:
            share = self._shares.setdefault(job.queue, {}).setdefault(
                job.share_identifier, _Share(at=now)
            )
            self._settle(share, now, decay)
            share.held += vcpus

    def released(self, job: Job, now: float, decay: float | None) -> None:
        """The job gave its capacity back (no-op for a job that held none)."""
        held = self._holding.pop(job.job_id, None)
        if held is None:
            return
        queue, share_id, vcpus = held
        self._queues[queue] = max(0.0, self._queues.get(queue, 0.0) - vcpus)
        if share_id is not None:
            share = self._shares[queue][share_id]
            self._settle(share, now, decay)
            share.held = max(0.0, share.held - vcpus)

    @staticmethod
    def _settle(share: _Share, now: float, decay: float | None) -> None:
        """Bring the decayed average up to ``now`` (``held`` was constant since ``at``)."""
        if now > share.at:
            keep = math.exp(-(now - share.at) / (decay or 600.0))
            share.average = share.held + (share.average - share.held) * keep
            share.at = now

    # -- reading -----------------------------------------------------------------------------
    def in_use(self, queue: str) -> float:
        """vCPUs the queue's jobs hold now."""
        return self._queues.get(queue, 0.0)

    def held_by_share(self, queue: str) -> dict[str, float]:
        """vCPUs each share of the queue holds now (shares holding none left out)."""
        return {k: s.held for k, s in self._shares.get(queue, {}).items() if s.held > 1e-9}

    def usage(self, queue: str, share: str, now: float, decay: float) -> float:
        """The share's usage for ordering: held now plus its decayed average."""
        s = self._shares.get(queue, {}).get(share)
        if s is None:
            return 0.0
        self._settle(s, now, decay)
        return s.held + s.average

    def top_shares(self, queue: str) -> list[tuple[str, float]]:
        """The busiest shares by vCPUs held now, at most :data:`TOP_SHARES`."""
        held = sorted(self.held_by_share(queue).items(), key=lambda kv: (-kv[1], kv[0]))
        return held[:TOP_SHARES]

    # -- deciding ----------------------------------------------------------------------------
    def dispatch_order(
        self, queue: str, policy: SchedulingPolicyRecord, pending: Iterable[Job], now: float
    ) -> Iterator[Job]:
        """The queue's RUNNABLE jobs in the order fair share takes them.

        Each job taken counts toward its share's usage as if it started, so a pass that places
        many jobs at one instant shares them out by weight, not all to one share.
        """
        decay = policy.share_decay_seconds
        by_share: dict[str, list[tuple[int, int, Job]]] = {}
        for job in pending:
            share = job.share_identifier or ""
            by_share.setdefault(share, []).append(
                (-(job.scheduling_priority or 0), job.runnable_seq, job)
            )
        heap: list[tuple[float, str]] = []
        planned: dict[str, float] = {}
        for share, jobs in by_share.items():
            heapq.heapify(jobs)
            planned[share] = self.usage(queue, share, now, decay)
            heap.append((planned[share] * policy.weight_of(share), share))
        heapq.heapify(heap)
        while heap:
            _, share = heapq.heappop(heap)
            jobs = by_share[share]
            job = heapq.heappop(jobs)[2]
            yield job
            if jobs:
                # Two vCPU-units per vCPU: one held now, one in the average it will raise.
                planned[share] += 2.0 * float(job.request.vcpus if job.request else 1)
                heapq.heappush(heap, (planned[share] * policy.weight_of(share), share))

    def reserve_allows(self, job: Job, policy: SchedulingPolicyRecord, max_vcpus: float) -> bool:
        """False when starting the job (of a share already running jobs) would use capacity
        that computeReservation holds back for shares not yet running any."""
        reservation = policy.compute_reservation
        if not reservation or job.request is None:
            return True
        held = self.held_by_share(job.queue)
        if (job.share_identifier or "") not in held:
            return True  # the reserve is for this share: it may use it
        reserved = (reservation / 100.0) ** len(held) * max_vcpus
        return self.in_use(job.queue) + job.request.vcpus <= max_vcpus - reserved + 1e-9
