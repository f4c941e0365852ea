"""The profile the planner estimates a submission with: its workload made the submission's.

``batchtui submit`` shows the same estimate ``batchtui plan`` would for the images it found:
the profile's workload, with the image count, images per job and array size of the layout.
"""

from __future__ import annotations

from dataclasses import replace

from batchtui.profiles import Profile
from batchtui.submission.layout import Layout


def workload_profile(profile: Profile, layout: Layout) -> Profile:
    """``profile`` with the workload ``layout`` submits (same queue, job and assumptions)."""
    workload = replace(
        profile.workload,
        images=layout.image_count,
        images_per_job=layout.images_per_job,
        array_size=max(a.children for a in layout.arrays),
    )
    return replace(profile, workload=workload)
