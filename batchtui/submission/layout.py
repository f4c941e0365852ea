"""How a submission's images become Batch jobs: array jobs, their manifests, the fan-in.

N images at ``images_per_job`` make ``ceil(N / images_per_job)`` children (slices). AWS Batch
takes 2 to 10,000 children per array job. By default the children are spread over
``ceil(children / 10,000)`` array jobs of sizes that differ by one at most (10,001 children make
arrays of 5,001 and 5,000, never 10,000 and a lone 1). With an array size chosen (the profile's
``workload.array_size``), every array job has that many children but the last, which has the
rest (25 children at 10 make 10, 10 and 5), as the profile says. A slice of one child (a
single slice, or a last one left alone) is a plain job. Each array
job tags a contiguous run of the sorted images, listed in its own manifest; child ``i`` of an
array tags lines ``[i * images_per_job, (i + 1) * images_per_job)`` of it, which is what the
worker reads (MANIFEST_KEY, IMAGES_PER_JOB, AWS_BATCH_JOB_ARRAY_INDEX).

The summary job runs when every array job has succeeded. A job may depend on 20 jobs at most, so
with more than 20 arrays, fan-in jobs wait for 20 arrays each (and fan-ins for 20 fan-ins, a
level up, when there are more than 400 arrays); the summary waits for the last level.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from batchtui.submission.identity import MAX_ARRAY_SIZE, MIN_ARRAY_SIZE, Image, SubmitOptions

MAX_DEPENDENCIES = 20
#: AWS: job names are 1 to 128 letters, digits, hyphens and underscores, starting alphanumeric.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
PROFILE_NAME_CHARS = 60  # of the 128: the rest is the id and the step


@dataclass(frozen=True)
class ArraySlice:
    """One array job (or, for a single slice, one plain job) and the images it tags."""

    index: int
    job_name: str
    first_image: int  # position of its first image in the sorted set
    image_count: int
    children: int
    manifest_key: str

    @property
    def is_array(self) -> bool:
        """False for one child: AWS arrays have 2 to 10,000 children, so it is a plain job."""
        return self.children >= MIN_ARRAY_SIZE


@dataclass(frozen=True)
class FanIn:
    """A job that only waits: it succeeds when every job it depends on has (20 at most)."""

    level: int  # 1: waits for array jobs; 2: for level-1 fan-ins ...
    index: int
    job_name: str
    depends_on: tuple[str, ...]  # step names: "array-0003", "fanin-1-0000"

    @property
    def step(self) -> str:
        return fan_in_step(self.level, self.index)


@dataclass(frozen=True)
class Layout:
    """Every job a submission makes, in the order they are submitted."""

    submission_id: str
    profile_name: str
    bucket: str
    images_per_job: int
    image_count: int
    arrays: tuple[ArraySlice, ...]
    fan_ins: tuple[FanIn, ...]
    summary_job_name: str
    summary_depends_on: tuple[str, ...]
    journal_key: str
    array_size: int | None = None  # the most children per array, when chosen (else 10,000)

    @property
    def children(self) -> int:
        return sum(a.children for a in self.arrays)

    @property
    def folder(self) -> str:
        """The submission's folder in the bucket: its manifests, journal and report."""
        return self.journal_key.rsplit("/", 1)[0] + "/"

    @property
    def report_key(self) -> str:
        """Where the summary job writes the submission's report."""
        return f"{self.folder}report.json"

    @property
    def steps(self) -> tuple[str, ...]:
        """Every step, in the order they are submitted."""
        return (
            *(array_step(a.index) for a in self.arrays),
            *(f.step for f in self.fan_ins),
            SUMMARY_STEP,
        )

    def job_name(self, step: str) -> str:
        """The job name of ``step`` (it carries the submission id)."""
        names = {array_step(a.index): a.job_name for a in self.arrays}
        names.update((f.step, f.job_name) for f in self.fan_ins)
        names[SUMMARY_STEP] = self.summary_job_name
        return names[step]

    def tags(self, step: str) -> dict[str, str]:
        """The tags every job of the submission carries (50 at most per resource: three)."""
        return {
            "batchtui:submission": self.submission_id,
            "batchtui:profile": self.profile_name,
            "batchtui:step": step,
        }

    def environment(self, array: ArraySlice) -> dict[str, str]:
        """The worker's settings for one array job (containerOverrides.environment)."""
        return {
            "IMAGE_BUCKET": self.bucket,
            "MANIFEST_KEY": array.manifest_key,
            "IMAGES_PER_JOB": str(self.images_per_job),
        }


def array_step(index: int) -> str:
    return f"array-{index:04d}"


def fan_in_step(level: int, index: int) -> str:
    return f"fanin-{level}-{index:04d}"


SUMMARY_STEP = "summary"


def array_sizes(children: int, array_size: int | None = None) -> list[int]:
    """Children per array job: ``array_size`` each but the last (the rest); without one, as
    few arrays as AWS's 10,000 limit allows, evenly filled."""
    if children <= 0:
        return []
    if array_size is not None:
        full, rest = divmod(children, array_size)
        return [array_size] * full + ([rest] if rest else [])
    arrays = math.ceil(children / MAX_ARRAY_SIZE)
    base, extra = divmod(children, arrays)
    return [base + 1 if i < extra else base for i in range(arrays)]


def job_name_prefix(profile_name: str, submission_id: str) -> str:
    """``<profile>-<id>``: the profile's name made safe for a job name, then the id."""
    safe = _NAME_UNSAFE.sub("-", profile_name).strip("-_")[:PROFILE_NAME_CHARS] or "submission"
    return f"{safe}-{submission_id}"


def plan_layout(
    submission_id: str, profile_name: str, image_count: int, options: SubmitOptions
) -> Layout:
    """The jobs of a submission of ``image_count`` images (the sorted set's positions)."""
    per_job = options.images_per_job
    children = math.ceil(image_count / per_job)
    prefix = job_name_prefix(profile_name, submission_id)
    folder = f"{options.manifest_prefix}{submission_id}/"
    arrays = []
    first_child = 0
    for index, size in enumerate(array_sizes(children, options.array_size)):
        first = first_child * per_job
        count = min(image_count, (first_child + size) * per_job) - first
        arrays.append(
            ArraySlice(
                index=index,
                job_name=f"{prefix}-{array_step(index)}",
                first_image=first,
                image_count=count,
                children=size,
                manifest_key=f"{folder}{array_step(index)}.jsonl",
            )
        )
        first_child += size
    fan_ins, last_level = _fan_in(prefix, [array_step(a.index) for a in arrays])
    return Layout(
        submission_id=submission_id,
        profile_name=profile_name,
        bucket=options.bucket,
        images_per_job=per_job,
        image_count=image_count,
        arrays=tuple(arrays),
        fan_ins=tuple(fan_ins),
        summary_job_name=f"{prefix}-{SUMMARY_STEP}",
        summary_depends_on=tuple(last_level),
        journal_key=f"{folder}journal.json",
        array_size=options.array_size,
    )


def _fan_in(prefix: str, steps: list[str]) -> tuple[list[FanIn], list[str]]:
    """Fan-in levels until at most 20 steps are left for the summary to wait for."""
    fan_ins: list[FanIn] = []
    level = 0
    while len(steps) > MAX_DEPENDENCIES:
        level += 1
        groups = [steps[i : i + MAX_DEPENDENCIES] for i in range(0, len(steps), MAX_DEPENDENCIES)]
        made = [
            FanIn(level, i, f"{prefix}-{fan_in_step(level, i)}", tuple(group))
            for i, group in enumerate(groups)
        ]
        fan_ins += made
        steps = [f.step for f in made]
    return fan_ins, steps


def manifest_body(images: tuple[Image, ...], array: ArraySlice) -> bytes:
    """The array's manifest: JSON Lines, one ``{"key": ..., "eTag": ...}`` per image."""
    lines = (
        json.dumps({"key": image.key, "eTag": image.etag}, ensure_ascii=False) + "\n"
        for image in images[array.first_image : array.first_image + array.image_count]
    )
    return "".join(lines).encode("utf-8")
