"""The maxvCpus a diagnosis recommends is one with which the job can be placed now: the vCPUs
the compute environment holds plus the smallest instance that fits the job; and a job that
waits for room under maxvCpus (the compute environment full of other jobs' instances) says so."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from test_diagnose import NOW_MS, ce, facts, first, job

from batchtui.diagnose import QueuePosition, Severity, diagnose

MAX_RESOURCE = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
HEAD = (QueuePosition("j1", 1, NOW_MS),)


def test_the_recommended_max_counts_the_vcpus_the_ce_holds_and_says_how() -> None:
    held = ce(max_vcpus=15, min_vcpus=2, desired_vcpus=8)
    f = first(facts(job(vcpus=16), ces=(held,), container_instances={"ce": (2, 8)}))
    assert f.code == MAX_RESOURCE and f.severity is Severity.BLOCKING
    assert f.max_vcpus == 24
    assert f.fix.startswith(
        "raise maxvCpus of ce to at least 24 (the 8 vCPUs it holds now + a 16-vCPU m5.4xlarge)"
    )
    assert "ce: 8" in [e.value for e in f.evidence if e.field.endswith("desiredvCpus")]


def test_an_empty_ce_needs_only_the_instance() -> None:
    f = first(facts(job(vcpus=16), ces=(ce(max_vcpus=15),)))
    assert f.max_vcpus == 16 and "at least 16 (a 16-vCPU m5.4xlarge)" in f.fix


def test_vcpus_kept_by_min_vcpus_leave_no_room_for_the_instance_ever() -> None:
    floor = ce(max_vcpus=16, min_vcpus=2, desired_vcpus=2)
    f = first(facts(job(vcpus=16), ces=(floor,), container_instances={"ce": (1, 2)}))
    assert f.code == MAX_RESOURCE and f.severity is Severity.BLOCKING
    assert "leaves no room for m5.4xlarge (16 vCPUs)" in f.title
    assert "its minvCpus keeps 2 vCPUs running" in f.title
    assert f.max_vcpus == 18


def test_a_ce_full_of_other_jobs_is_waited_on_by_name_with_what_it_needs_and_holds() -> None:
    busy = ce(max_vcpus=16, min_vcpus=0, desired_vcpus=8)
    d = diagnose(facts(job(vcpus=16), ces=(busy,), container_instances={"ce": (2, 8)},
                       front_of_queue=HEAD))  # fmt: skip
    assert not d.blocking
    (f,) = d.findings
    assert (f.code, f.severity) == ("WAITING", Severity.INFO)
    assert f.title == (
        "waiting for room under maxvCpus 16 of ce for a new m5.4xlarge: it needs 16 vCPUs, "
        "and instances running other jobs hold 8"
    )
    assert "room on running instances" not in f.title
    assert f.max_vcpus == 24 and f.target == "ce" and f.action is not None
    assert "raise maxvCpus of ce to 24 (the 8 vCPUs it holds now + a 16-vCPU m5.4xlarge)" in f.fix
    assert d.waiting[0].waits_for.startswith("room under maxvCpus 16 of ce")
    # Further back it waits for its turn first: raising maxvCpus would not start it now.
    behind = (QueuePosition("other", 1, NOW_MS), QueuePosition("j1", 2, NOW_MS))
    later = diagnose(facts(job(vcpus=16), ces=(busy,), container_instances={"ce": (2, 8)},
                           front_of_queue=behind))  # fmt: skip
    assert later.findings[0].title == "waiting for its turn" and later.findings[0].max_vcpus is None


def test_an_instance_launching_that_could_be_the_jobs_is_not_called_no_room() -> None:
    launching = ce(max_vcpus=24, min_vcpus=0, desired_vcpus=24)
    d = diagnose(facts(job(vcpus=16), ces=(launching,), container_instances={"ce": (1, 8)},
                       front_of_queue=HEAD))  # fmt: skip
    assert d.findings[0].title == "waiting for instances launching in ce"


def test_room_under_max_is_plain_waiting() -> None:
    roomy = ce(max_vcpus=24, min_vcpus=0, desired_vcpus=8)
    d = diagnose(facts(job(vcpus=16), ces=(roomy,), container_instances={"ce": (2, 8)},
                       front_of_queue=HEAD))  # fmt: skip
    assert d.findings[0].title == "waiting for room on running instances, or instances to launch"


@given(
    vcpus=st.sampled_from([1, 2, 3, 4, 8, 16]),
    min_v=st.integers(0, 40),
    extra=st.integers(0, 40),
    max_v=st.integers(0, 80),
)
def test_applying_the_recommended_max_leaves_room_for_the_job(
    vcpus: int, min_v: int, extra: int, max_v: int
) -> None:
    """Whatever the CE holds, raising maxvCpus to what a finding recommends (held unchanged)
    leaves neither the maxvCpus cause nor a wait for room under maxvCpus."""
    desired = min_v + extra
    held = ce(max_vcpus=max(max_v, desired), min_vcpus=min_v, desired_vcpus=desired)
    room = {"ce": (1, desired)}
    before = facts(job(vcpus=vcpus), ces=(held,), container_instances=room, front_of_queue=HEAD)
    wanted = [f.max_vcpus for f in diagnose(before).findings if f.max_vcpus is not None]
    if not wanted:
        return
    raised = replace(held, max_vcpus=wanted[0])
    after = diagnose(
        facts(job(vcpus=vcpus), ces=(raised,), container_instances=room, front_of_queue=HEAD)
    )
    assert not after.blocking
    assert not any("room under maxvCpus" in f.title for f in after.findings)
