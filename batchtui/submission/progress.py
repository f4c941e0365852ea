"""A submission's progress, from what Batch says of its jobs: counts, fraction, ETA.

Pure: the caller reads the journal, DescribeJobs of the array jobs and ListJobs of their failed
children (:mod:`batchtui.aws.submissions`) and hands the facts over as values.

How many images are done is counted from the array jobs, not from the labels table. A child
that SUCCEEDED has recorded every image of its slice (the worker exits 0 only then), so the
images done are the succeeded children times the images per child, the short last child of the
last array counted as what it holds. That costs one DescribeJobs per 100 jobs of the submission
(``arrayProperties.statusSummary``) however many images it has. Counting items in DynamoDB
would not: Scan or Query with ``Select=COUNT`` reads (and bills) every item it counts, 1 MB a
page, so a million items is about a hundred calls at every refresh; a counter item updated by
every worker is an extra write per image on one hot key, and double counts retried images
unless each write is conditional; a GSI on the submission id still reads every item of the
partition to count it. The price of the cheap count: images of a child still running, or of one
that failed part-way, are not counted until the child succeeds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from batchtui.submission.layout import array_sizes

#: Child statuses in the order they are shown (AWS's lifecycle order).
CHILD_STATUSES = (
    "SUBMITTED",
    "PENDING",
    "RUNNABLE",
    "STARTING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
)
FINISHED = ("SUCCEEDED", "FAILED")


@dataclass(frozen=True)
class ArrayShape:
    """What one array job of the submission tags: its children and its images."""

    index: int
    children: int
    image_count: int
    images_per_job: int

    @property
    def last_child_images(self) -> int:
        """Images of the last child: fewer than ``images_per_job`` when the set runs out."""
        return self.image_count - (self.children - 1) * self.images_per_job


def array_shapes(
    image_count: int, images_per_job: int, array_size: int | None = None
) -> tuple[ArrayShape, ...]:
    """The arrays a submission of ``image_count`` images at ``images_per_job`` (and at most
    ``array_size`` children an array, when chosen) makes, as
    :func:`~batchtui.submission.layout.plan_layout` lays them out (only the last array's last
    child may be short)."""
    if image_count <= 0 or images_per_job <= 0:
        return ()
    shapes = []
    first_child = 0
    children = math.ceil(image_count / images_per_job)
    for index, size in enumerate(array_sizes(children, array_size)):
        first = first_child * images_per_job
        count = min(image_count, (first_child + size) * images_per_job) - first
        shapes.append(ArrayShape(index, size, count, images_per_job))
        first_child += size
    return tuple(shapes)


@dataclass(frozen=True)
class ArrayState:
    """One array job as Batch reports it (a single slice is a plain job: one child, itself)."""

    shape: ArrayShape
    job_id: str
    job_name: str = ""
    status: str = ""  # the parent's status
    #: Children per status (``arrayProperties.statusSummary``; a plain job: its own status).
    children_by_status: Mapping[str, int] = field(default_factory=dict)
    #: The last child's status when it is short (it holds fewer images than the others).
    last_child_status: str | None = None
    started_at: int | None = None  # epoch ms, as AWS reports
    job_queue: str = ""  # the queue's name

    def count(self, status: str) -> int:
        return int(self.children_by_status.get(status, 0))

    def images_in(self, status: str) -> int:
        """Images of the children in ``status``: exact when the last child's status is known
        or it is not short; else the short child is counted as another child is."""
        shape = self.shape
        children = self.count(status)
        short = shape.images_per_job - shape.last_child_images
        if children == 0:
            return 0
        if children == shape.children:
            return shape.image_count
        if self.last_child_status == status:
            return children * shape.images_per_job - short
        if self.last_child_status is None:
            return min(shape.image_count, children * shape.images_per_job)
        return children * shape.images_per_job

    @property
    def images_done(self) -> int:
        return self.images_in("SUCCEEDED")

    @property
    def images_failed(self) -> int:
        return self.images_in("FAILED")


@dataclass(frozen=True)
class StepState:
    """A fan-in or the summary job: it only waits, then succeeds or fails."""

    step: str
    job_id: str
    job_name: str = ""
    status: str = ""
    status_reason: str = ""


@dataclass(frozen=True)
class FailedChild:
    """A child (or a plain job) that FAILED, and why."""

    job_id: str
    job_name: str
    array_index: int | None
    status_reason: str = ""
    exit_code: int | None = None
    stopped_at: int | None = None  # epoch ms


@dataclass(frozen=True)
class Progress:
    """A submission's progress at one moment (``observed_at``: the endpoint's epoch seconds)."""

    submission_id: str
    bucket: str
    image_count: int
    images_per_job: int
    arrays: tuple[ArrayState, ...]
    steps: tuple[StepState, ...] = ()
    #: Steps the journal has no job id for yet: the submission is still being submitted.
    pending_steps: tuple[str, ...] = ()
    failed_children: tuple[FailedChild, ...] = ()
    observed_at: float = 0.0

    @property
    def children(self) -> int:
        return sum(a.shape.children for a in self.arrays)

    def children_by_status(self) -> dict[str, int]:
        """Children per status over every array, in :data:`CHILD_STATUSES` order (the ones no
        array has yet are the children of arrays still to be submitted: SUBMITTED)."""
        counts = dict.fromkeys(CHILD_STATUSES, 0)
        for array in self.arrays:
            for status, n in array.children_by_status.items():
                counts[status] = counts.get(status, 0) + n
        unreported = self.planned_children - sum(counts.values())
        counts["SUBMITTED"] += max(0, unreported)
        return counts

    @property
    def planned_children(self) -> int:
        """Every child the submission makes, submitted or not (however they are grouped in
        arrays: one per slice of the images)."""
        if self.image_count <= 0 or self.images_per_job <= 0:
            return 0
        return math.ceil(self.image_count / self.images_per_job)

    @property
    def images_done(self) -> int:
        return sum(a.images_done for a in self.arrays)

    @property
    def images_failed(self) -> int:
        return sum(a.images_failed for a in self.arrays)

    @property
    def images_left(self) -> int:
        """Images neither done nor in a failed child: what is still to run."""
        return max(0, self.image_count - self.images_done - self.images_failed)

    @property
    def fraction(self) -> float:
        """Images done over images submitted, 0 to 1."""
        return self.images_done / self.image_count if self.image_count else 0.0

    @property
    def failed_count(self) -> int:
        """Failed children, and failed fan-in or summary jobs."""
        steps = sum(1 for s in self.steps if s.status == "FAILED")
        return sum(a.count("FAILED") for a in self.arrays) + steps

    @property
    def status(self) -> str:
        """SUBMITTING (steps to submit), SUCCEEDED (the summary did), FAILED (a child, a
        fan-in or the summary failed and nothing is left to run), else RUNNING."""
        if self.pending_steps:
            return "SUBMITTING"
        summary = next((s for s in self.steps if s.step == "summary"), None)
        if summary is not None and summary.status == "SUCCEEDED":
            return "SUCCEEDED"
        if summary is not None and summary.status == "FAILED":
            return "FAILED"
        if self.failed_count and self.images_left == 0:
            return "FAILED"
        return "RUNNING"

    @property
    def started_at(self) -> float | None:
        """When the first child started (epoch seconds), None before."""
        starts = [a.started_at for a in self.arrays if a.started_at]
        return min(starts) / 1000 if starts else None


@dataclass(frozen=True)
class Sample:
    """Images done at one moment (epoch seconds of the endpoint's clock)."""

    at: float
    images_done: int


def observed_rate(samples: Sequence[Sample]) -> float | None:
    """Images a second between the first and the last sample; None without two samples apart
    in time, or when the count went down (a re-read of another submission's state)."""
    if len(samples) < 2:
        return None
    first, last = samples[0], samples[-1]
    elapsed = last.at - first.at
    done = last.images_done - first.images_done
    if elapsed <= 0 or done < 0:
        return None
    return done / elapsed


def pace_is_known(progress: Progress) -> bool:
    """Whether the children finished so far tell the submission's pace: once at least as many
    have finished as are starting or running now (and at least one).

    Before that, the first wave is still running: the images done are the few of its quickest
    children, while the time since the first child started is nearly all of a child's run, so
    the rate since then is far too low and the ETA far too long (a child of 100 images that
    took 5 minutes, out of 50 running, would say 0.33 images/s where the pace is about 17)."""
    counts = progress.children_by_status()
    finished = counts["SUCCEEDED"] + counts["FAILED"]
    return finished >= max(1, counts["STARTING"] + counts["RUNNING"])


#: Statuses of a child that has not run yet, in lifecycle order.
WAITING = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING")


def waiting_children(progress: Progress) -> dict[str, int]:
    """The children waiting to run, per status (only the statuses some child is in), when none
    is RUNNING; empty while a child runs or none waits.

    While children wait and none runs, no rate is honest: the rate since the first child
    started falls on every read although nothing has slowed down (the children wait for
    capacity, which comes in steps), so an ETA from it climbs until the children run, and then
    they finish in a fraction of it."""
    counts = progress.children_by_status()
    if counts["RUNNING"]:
        return {}
    return {status: counts[status] for status in WAITING if counts[status]}


def eta_seconds(progress: Progress, samples: Sequence[Sample]) -> float | None:
    """Seconds until every image left is done at the rate observed over ``samples``: 0 when
    none is left; None while children wait and none runs (see :func:`waiting_children`),
    while still estimating (see :func:`pace_is_known`) or while no rate is known (nothing done
    yet, or a single sample)."""
    if progress.images_left == 0:
        return 0.0
    if waiting_children(progress) or not pace_is_known(progress):
        return None
    rate = observed_rate(samples)
    if not rate:
        return None
    return progress.images_left / rate


def since_start(progress: Progress) -> list[Sample]:
    """The samples one reading gives: none done when the first child started, and now."""
    start = progress.started_at
    now = Sample(progress.observed_at, progress.images_done)
    if start is None or start >= progress.observed_at:
        return [now]
    return [Sample(start, 0), now]


@dataclass
class History:
    """Samples of one submission over the last ``window`` seconds, for its rate: a TUI left
    open sees the rate of the last minutes, not the average since the start."""

    window: float = 600.0
    samples: list[Sample] = field(default_factory=list)

    def observe(self, progress: Progress) -> list[Sample]:
        """Add this reading; the samples to measure the rate over: the run since its start
        until the history spans the window, then the window's."""
        sample = Sample(progress.observed_at, progress.images_done)
        if self.samples and sample.images_done < self.samples[-1].images_done:
            self.samples.clear()  # counts went back: not the run measured so far
        if self.samples and self.samples[-1].at >= sample.at:
            self.samples[-1] = sample
        else:
            self.samples.append(sample)
        while len(self.samples) > 1 and self.samples[1].at <= sample.at - self.window:
            self.samples.pop(0)
        if sample.at - self.samples[0].at < self.window:
            return since_start(progress)
        return list(self.samples)


def child_statuses(summary: Iterable[tuple[str, int]]) -> dict[str, int]:
    """``statusSummary`` pairs as a mapping, without the statuses no child is in."""
    return {status: int(n) for status, n in summary if n}
