"""The submission core: its id, its arrays and manifests, the fan-in, the journal.

Figures worked by hand: children = ceil(images / images per job); arrays = ceil(children /
10,000), filled evenly, or, with the profile's array size, full arrays of that size and the rest
last; a job depends on 20 jobs at most.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchtui.errors import UsageError
from batchtui.submission import (
    Image,
    Journal,
    SubmitOptions,
    array_sizes,
    image_set,
    image_set_digest,
    manifest_body,
    pending_steps,
    plan_layout,
    plan_submission,
    profile_ref,
    read_journal,
    submission_id,
    submit_request,
)

PROFILE = profile_ref("image-tagging", b'name = "image-tagging"\n')
SID = "0123456789abcdef"


def images(n: int, etag: str = "e") -> list[Image]:
    return [Image(f"photos/{i:04d}.png", f'"{etag}{i}"') for i in range(n)]


# -- slicing: exact figures ----------------------------------------------------------------


def test_ten_thousand_images_at_100_a_job_are_one_array_of_100() -> None:
    lay = plan_layout(SID, "image-tagging", 10_000, SubmitOptions("photos", 100))
    assert [(a.children, a.first_image, a.image_count) for a in lay.arrays] == [(100, 0, 10_000)]
    assert lay.arrays[0].is_array
    assert lay.fan_ins == () and lay.summary_depends_on == ("array-0000",)


def test_a_hundred_thousand_images_one_a_job_are_ten_full_arrays() -> None:
    lay = plan_layout(SID, "image-tagging", 100_000, SubmitOptions("photos", 1))
    assert [a.children for a in lay.arrays] == [10_000] * 10
    assert (lay.arrays[3].first_image, lay.arrays[3].image_count) == (30_000, 10_000)
    assert lay.fan_ins == ()  # 10 arrays: the summary depends on them directly
    assert lay.summary_depends_on == tuple(f"array-{i:04d}" for i in range(10))


def test_a_million_and_one_images_at_100_a_job_are_two_arrays() -> None:
    """10,001 children: arrays of 5,001 and 5,000 (AWS takes no array of one child)."""
    lay = plan_layout(SID, "image-tagging", 1_000_001, SubmitOptions("photos", 100))
    assert lay.children == 10_001
    first, second = lay.arrays
    assert (first.children, first.first_image, first.image_count) == (5_001, 0, 500_100)
    assert (second.children, second.first_image, second.image_count) == (5_000, 500_100, 499_901)
    # The last child of the second array tags the one image left: 499,901 = 4,999 * 100 + 1.


def test_a_partial_last_slice_and_a_single_slice() -> None:
    lay = plan_layout(SID, "image-tagging", 250, SubmitOptions("photos", 100))
    assert [(a.children, a.image_count) for a in lay.arrays] == [(3, 250)]
    single = plan_layout(SID, "image-tagging", 40, SubmitOptions("photos", 100))
    assert [(a.children, a.is_array) for a in single.arrays] == [(1, False)]  # a plain job


def test_array_sizes_spread_evenly() -> None:
    assert array_sizes(0) == []
    assert array_sizes(1) == [1]
    assert array_sizes(10_000) == [10_000]
    assert array_sizes(10_001) == [5_001, 5_000]
    assert array_sizes(25_000) == [8_334, 8_333, 8_333]


# -- the profile's array size: the most children an array gets ------------------------------


def test_25_slices_at_an_array_size_of_10_are_arrays_of_10_10_and_5() -> None:
    lay = plan_layout(SID, "image-tagging", 250, SubmitOptions("photos", 10, array_size=10))
    assert [(a.children, a.first_image, a.image_count, a.is_array) for a in lay.arrays] == [
        (10, 0, 100, True), (10, 100, 100, True), (5, 200, 50, True),
    ]  # fmt: skip
    assert lay.array_size == 10
    assert lay.summary_depends_on == ("array-0000", "array-0001", "array-0002")


def test_a_last_slice_left_alone_is_a_plain_job() -> None:
    """21 slices at 10: two arrays of 10, then one child, which AWS takes only as a plain job."""
    lay = plan_layout(SID, "p", 205, SubmitOptions("photos", 10, array_size=10))
    assert [(a.children, a.image_count, a.is_array) for a in lay.arrays] == [
        (10, 100, True), (10, 100, True), (1, 5, False),
    ]  # fmt: skip
    assert submit_request(lay, "array-0002", job_queue="q", job_definition="d", job_ids={},
                          summary_command=("x",)).get("arrayProperties") is None  # fmt: skip


def test_array_sizes_fill_up_to_the_chosen_size() -> None:
    assert array_sizes(0, 10) == []
    assert array_sizes(25, 10) == [10, 10, 5]
    assert array_sizes(20, 10) == [10, 10]
    assert array_sizes(3, 2) == [2, 1]
    assert array_sizes(10_001, 10_000) == [10_000, 1]  # chosen: unlike the even default


@pytest.mark.parametrize("size", [-1, 0, 1, 10_001, 1_000_000])
def test_an_array_size_aws_does_not_take_is_refused(size: int) -> None:
    with pytest.raises(UsageError, match="children per array job must be 2 to 10,000"):
        SubmitOptions("photos", 1, array_size=size)


def test_the_array_size_is_in_the_id_only_when_chosen() -> None:
    """A submission laid out by AWS's limit keeps its id (it still resumes); a chosen size,
    10,000 included, lays the arrays out otherwise, so it is another submission."""
    base = plan_submission(PROFILE, images(5), SubmitOptions("photos", 2))[0].submission_id
    ten = plan_submission(PROFILE, images(5), SubmitOptions("photos", 2, array_size=10))[0]
    most = plan_submission(PROFILE, images(5), SubmitOptions("photos", 2, array_size=10_000))[0]
    assert base == "3f0e2fbeb59f122a"
    assert len({base, ten.submission_id, most.submission_id}) == 3
    again = plan_submission(PROFILE, images(5)[::-1], SubmitOptions("photos", 2, array_size=10))
    assert again[0].submission_id == ten.submission_id


def test_the_journal_carries_the_array_size_and_lays_the_arrays_out_again() -> None:
    from batchtui.submission.journal import ImageCounts, read_image_counts
    from batchtui.submission.progress import array_shapes

    lay = plan_layout(SID, "p", 250, SubmitOptions("photos", 10, array_size=10))
    journal = Journal(SID, {"array-0000": "j0"})
    counts = read_image_counts(journal.to_json(lay))
    assert counts == ImageCounts(250, 10, 10)
    assert [(s.children, s.image_count) for s in array_shapes(*counts)] == [
        (a.children, a.image_count) for a in lay.arrays
    ]
    default = plan_layout(SID, "p", 250, SubmitOptions("photos", 10))
    assert '"arraySize"' not in journal.to_json(default)
    assert read_image_counts(journal.to_json(default)) == ImageCounts(250, 10, None)


def test_the_estimate_is_made_on_the_arrays_submitted() -> None:
    from batchtui.profiles import load_profile
    from batchtui.submission.estimate import workload_profile

    profile = load_profile("sandbox")
    lay = plan_layout(SID, "p", 250, SubmitOptions("photos", 10, array_size=10))
    w = workload_profile(profile, lay).workload
    assert (w.images, w.images_per_job, w.array_size, w.jobs) == (250, 10, 10, 25)


# -- the fan-in to the summary: 20 dependencies at most --------------------------------------


def test_more_than_20_arrays_fan_in_through_wait_jobs() -> None:
    """2,500,000 images one a job: 250 arrays of 10,000; 13 fan-ins of 20 (the last of 10);
    the summary waits for the 13."""
    lay = plan_layout(SID, "image-tagging", 2_500_000, SubmitOptions("photos", 1))
    assert len(lay.arrays) == 250
    assert [(f.level, len(f.depends_on)) for f in lay.fan_ins] == [(1, 20)] * 12 + [(1, 10)]
    assert lay.fan_ins[12].depends_on == tuple(f"array-{i:04d}" for i in range(240, 250))
    assert lay.fan_ins[0].job_name == f"image-tagging-{SID}-fanin-1-0000"
    assert lay.summary_depends_on == tuple(f"fanin-1-{i:04d}" for i in range(13))


def test_more_than_400_arrays_fan_in_over_two_levels() -> None:
    """9,000,000 images one a job: 900 arrays, 45 fan-ins, then 3, which the summary waits
    for."""
    lay = plan_layout(SID, "image-tagging", 9_000_000, SubmitOptions("photos", 1))
    levels = [f.level for f in lay.fan_ins]
    assert (levels.count(1), levels.count(2)) == (45, 3)
    assert lay.fan_ins[-1].depends_on == tuple(f"fanin-1-{i:04d}" for i in range(40, 45))
    assert lay.summary_depends_on == ("fanin-2-0000", "fanin-2-0001", "fanin-2-0002")


# -- names, tags, manifests --------------------------------------------------------------------


def test_names_tags_and_manifest_locations_carry_the_submission_id() -> None:
    lay = plan_layout(SID, "image tagging/v2", 20_001, SubmitOptions("photos", 1))
    assert [a.job_name for a in lay.arrays] == [
        f"image-tagging-v2-{SID}-array-0000",
        f"image-tagging-v2-{SID}-array-0001",
        f"image-tagging-v2-{SID}-array-0002",
    ]
    assert lay.summary_job_name == f"image-tagging-v2-{SID}-summary"
    assert lay.arrays[1].manifest_key == f"batchtui/submissions/{SID}/array-0001.jsonl"
    assert lay.journal_key == f"batchtui/submissions/{SID}/journal.json"
    assert lay.tags("array-0001") == {
        "batchtui:submission": SID,
        "batchtui:profile": "image tagging/v2",
        "batchtui:step": "array-0001",
    }
    assert lay.environment(lay.arrays[1]) == {
        "IMAGE_BUCKET": "photos",
        "MANIFEST_KEY": f"batchtui/submissions/{SID}/array-0001.jsonl",
        "IMAGES_PER_JOB": "1",
    }


def test_job_names_stay_within_aws_limits() -> None:
    lay = plan_layout(SID, "é" * 10 + "x" * 300, 10, SubmitOptions("photos", 1))
    name = lay.arrays[0].job_name
    assert name == "x" * 60 + f"-{SID}-array-0000" and len(name) <= 128
    assert plan_layout(SID, "///", 10, SubmitOptions("b", 1)).summary_job_name == (
        f"submission-{SID}-summary"
    )


def test_manifests_list_each_arrays_images() -> None:
    lay, kept = plan_submission(PROFILE, images(5), SubmitOptions("photos", 2))
    assert manifest_body(kept, lay.arrays[0]) == (
        b'{"key": "photos/0000.png", "eTag": "e0"}\n'
        b'{"key": "photos/0001.png", "eTag": "e1"}\n'
        b'{"key": "photos/0002.png", "eTag": "e2"}\n'
        b'{"key": "photos/0003.png", "eTag": "e3"}\n'
        b'{"key": "photos/0004.png", "eTag": "e4"}\n'
    )


# -- the image set and the id ----------------------------------------------------------------


def test_the_submission_id_is_pinned() -> None:
    """A re-run finds its journal by the id: the same inputs must give it in every version."""
    lay, _ = plan_submission(PROFILE, images(5), SubmitOptions("photos", 2))
    assert PROFILE.sha256 == "5de25f4756985890803da379f9401fe6e8095947bbe9737ed6c3626c30bda0b6"
    assert lay.submission_id == "3f0e2fbeb59f122a"


def test_the_image_set_leaves_out_the_submissions_own_objects_and_refuses_a_key_twice() -> None:
    opts = SubmitOptions("photos", 2)
    listed = [Image("b.png", '"2"'), Image("batchtui/submissions/x/journal.json", "j"),
              Image("a.png", "1")]  # fmt: skip
    assert image_set(listed, opts) == (Image("a.png", "1"), Image("b.png", "2"))
    with pytest.raises(UsageError, match=r"image key 'a\.png' is listed twice"):
        image_set([Image("a.png", "1"), Image("a.png", "2")], opts)
    with pytest.raises(UsageError, match="no images to submit in s3://photos"):
        plan_submission(PROFILE, [], opts)
    with pytest.raises(UsageError, match="images per job must be at least 1"):
        SubmitOptions("photos", 0)


# -- the journal ---------------------------------------------------------------------------


def test_the_journal_records_what_was_submitted_in_camel_case() -> None:
    lay = plan_layout(SID, "image-tagging", 450_000, SubmitOptions("photos", 1))  # 45 arrays
    journal = Journal(SID).recorded("array-0000", "job-a0").recorded("array-0001", "job-a1")
    journal = journal.recorded("fanin-1-0000", "job-f0")
    assert json.loads(journal.to_json(lay)) == {
        "journalVersion": 1,
        "submissionId": SID,
        "imageCount": 450_000,
        "imagesPerJob": 1,
        "arrays": [
            {"arrayIndex": 0, "jobName": f"image-tagging-{SID}-array-0000", "jobId": "job-a0",
             "manifestKey": f"batchtui/submissions/{SID}/array-0000.jsonl"},
            {"arrayIndex": 1, "jobName": f"image-tagging-{SID}-array-0001", "jobId": "job-a1",
             "manifestKey": f"batchtui/submissions/{SID}/array-0001.jsonl"},
        ],
        "fanIns": [
            {"level": 1, "index": 0, "jobName": f"image-tagging-{SID}-fanin-1-0000",
             "jobId": "job-f0"},
        ],
        "summary": None,
    }  # fmt: skip
    again = read_journal(journal.to_json(lay), "s3://photos/j.json", SID)
    assert again == journal
    pending = pending_steps(lay, again)
    assert pending[:2] == ["array-0002", "array-0003"]
    # 45 arrays wait in 3 fan-ins (20, 20, 5): 43 arrays, 2 fan-ins and the summary to go.
    assert pending[-3:] == ["fanin-1-0001", "fanin-1-0002", "summary"]
    assert len(pending) == 43 + 2 + 1


def test_a_finished_journal_leaves_nothing_to_submit() -> None:
    lay = plan_layout(SID, "image-tagging", 10, SubmitOptions("photos", 5))
    done = Journal(SID).recorded("array-0000", "a").recorded("summary", "s")
    text = done.to_json(lay)
    assert json.loads(text)["summary"] == {"jobName": f"image-tagging-{SID}-summary", "jobId": "s"}
    assert pending_steps(lay, read_journal(text, "j", SID)) == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{not json", "Expecting property name"),
        ('{"journalVersion": 2}', "journalVersion 2 is not 1"),
        (json.dumps({"journalVersion": 1, "submissionId": "other"}),
         "it is submission 'other''s, not '0123456789abcdef''s"),
        (json.dumps({"journalVersion": 1, "submissionId": SID, "arrays": [{}]}), "'arrayIndex'"),
        ("[]", "'list' object has no attribute 'get'"),
    ],
)  # fmt: skip
def test_a_journal_that_does_not_read_is_bad_input(text: str, why: str) -> None:
    with pytest.raises(UsageError) as e:
        read_journal(text, "s3://photos/journal.json", SID)
    assert str(e.value).startswith(
        "s3://photos/journal.json: not a submission journal batchtui can read: "
    )
    assert why in str(e.value)


# -- properties ------------------------------------------------------------------------------


@given(
    count=st.integers(min_value=1, max_value=3_000_000),
    per_job=st.integers(min_value=1, max_value=500),
)
def test_every_image_is_in_exactly_one_slice(count: int, per_job: int) -> None:
    lay = plan_layout(SID, "p", count, SubmitOptions("b", per_job))
    position = 0
    for array in lay.arrays:
        assert array.first_image == position  # contiguous: no gap, no overlap
        assert 1 <= array.children <= 10_000
        assert array.is_array or len(lay.arrays) == 1
        # Every child but the last has per_job images; the last has 1 to per_job.
        assert (array.children - 1) * per_job < array.image_count <= array.children * per_job
        position += array.image_count
    assert position == count
    sizes = [a.children for a in lay.arrays]
    assert max(sizes) - min(sizes) <= 1


@settings(deadline=None)  # thousands of arrays of 2 take a while on a loaded machine
@given(
    count=st.integers(min_value=1, max_value=50_000),
    per_job=st.integers(min_value=1, max_value=50),
    size=st.integers(min_value=2, max_value=10_000),
)
def test_with_an_array_size_every_array_is_full_but_the_last(
    count: int, per_job: int, size: int
) -> None:
    lay = plan_layout(SID, "p", count, SubmitOptions("b", per_job, array_size=size))
    position = 0
    for array in lay.arrays:
        assert array.first_image == position
        position += array.image_count
    assert position == count
    *full, last = [a.children for a in lay.arrays]
    assert full == [size] * len(full) and 1 <= last <= size
    assert len(lay.arrays) == -(-lay.children // size)


@settings(deadline=None)  # 9,000 arrays take a few hundred ms on a loaded machine
@given(arrays=st.integers(min_value=1, max_value=9_000))
def test_the_summary_waits_for_every_array_through_at_most_20_dependencies(arrays: int) -> None:
    lay = plan_layout(SID, "p", arrays * 10_000, SubmitOptions("b", 1))
    needs = {f.step: f.depends_on for f in lay.fan_ins}
    assert all(len(d) <= 20 for d in needs.values()) and len(lay.summary_depends_on) <= 20
    reached, todo = set(), list(lay.summary_depends_on)
    while todo:
        step = todo.pop()
        assert step not in reached, "each job is waited for once"
        reached.add(step)
        todo += needs.get(step, ())
    assert {s for s in reached if s.startswith("array-")} == {
        f"array-{i:04d}" for i in range(arrays)
    }


image_lists = st.lists(
    st.builds(Image, st.text(min_size=1, max_size=12), st.text(max_size=6)),
    min_size=1,
    max_size=30,
    unique_by=lambda i: i.key,
).filter(lambda xs: all(not i.key.startswith("batchtui/submissions/") for i in xs))


def sid_of(listed: list[Image], options: SubmitOptions, profile: bytes = b"p") -> str:
    kept = image_set(listed, options)
    return submission_id(profile_ref("p", profile), image_set_digest(kept), options)


@given(listed=image_lists, seed=st.randoms())
def test_the_same_inputs_in_any_order_give_the_same_id(
    listed: list[Image], seed: random.Random
) -> None:
    options = SubmitOptions("b", 3)
    shuffled = list(listed)
    seed.shuffle(shuffled)
    assert sid_of(listed, options) == sid_of(shuffled, options)


@given(listed=image_lists, data=st.data())
def test_any_change_gives_another_id(listed: list[Image], data: st.DataObject) -> None:
    options = SubmitOptions("b", 3)
    base = sid_of(listed, options)
    i = data.draw(st.integers(0, len(listed) - 1))
    changed_etag = [*listed[:i], Image(listed[i].key, listed[i].etag + "x"), *listed[i + 1 :]]
    assert sid_of(changed_etag, options) != base
    if len(listed) > 1:
        assert sid_of(listed[:i] + listed[i + 1 :], options) != base  # one image fewer
    renamed = [*listed[:i], Image(listed[i].key + "~", listed[i].etag), *listed[i + 1 :]]
    if len({im.key for im in renamed}) == len(renamed):
        assert sid_of(renamed, options) != base
    assert sid_of(listed, SubmitOptions("b", 4)) != base
    assert sid_of(listed, SubmitOptions("c", 3)) != base
    assert sid_of(listed, options, profile=b"p2") != base


# -- SubmitJob requests ----------------------------------------------------------------------


def test_submit_requests_name_their_dependencies_by_job_id() -> None:
    lay = plan_layout(SID, "image-tagging", 250_000, SubmitOptions("photos", 1))  # 25 arrays
    ids = {f"array-{i:04d}": f"job-{i}" for i in range(25)}
    common = {"job_queue": "image-tagging", "job_definition": "image-tagging:3"}
    array = submit_request(lay, "array-0024", job_ids=ids, **common)
    assert array == {
        "jobName": f"image-tagging-{SID}-array-0024",
        "jobQueue": "image-tagging",
        "jobDefinition": "image-tagging:3",
        "tags": lay.tags("array-0024"),
        "propagateTags": True,
        "containerOverrides": {"environment": [
            {"name": "IMAGE_BUCKET", "value": "photos"},
            {"name": "MANIFEST_KEY", "value": f"batchtui/submissions/{SID}/array-0024.jsonl"},
            {"name": "IMAGES_PER_JOB", "value": "1"},
        ]},
        "arrayProperties": {"size": 10_000},
    }  # fmt: skip
    wait = submit_request(lay, "fanin-1-0001", job_ids=ids, **common)
    assert wait["dependsOn"] == [{"jobId": f"job-{i}"} for i in range(20, 25)]
    assert wait["containerOverrides"] == {"command": ["python", "-c", "pass"]}
    with pytest.raises(KeyError):  # the fan-ins are not submitted yet
        submit_request(lay, "summary", job_ids=ids, **common)
    ids |= {"fanin-1-0000": "wait-0", "fanin-1-0001": "wait-1"}
    summary = submit_request(lay, "summary", job_ids=ids, **common)
    assert summary["dependsOn"] == [{"jobId": "wait-0"}, {"jobId": "wait-1"}]
    assert {"name": "JOURNAL_KEY", "value": lay.journal_key} in summary["containerOverrides"][
        "environment"
    ]
    single = plan_layout(SID, "image-tagging", 5, SubmitOptions("photos", 10))
    assert "arrayProperties" not in submit_request(single, "array-0000", job_ids={}, **common)
    with pytest.raises(ValueError, match="'array-0001' is not a step of submission"):
        submit_request(single, "array-0001", job_ids={}, **common)


def test_steps_are_in_submit_order_with_their_names_and_the_report_beside_the_journal() -> None:
    layout = plan_layout(SID, "image tagging!", 21 * 10_000, SubmitOptions("photos", 1))
    assert layout.steps[:2] == ("array-0000", "array-0001")
    assert layout.steps[-3:] == ("fanin-1-0000", "fanin-1-0001", "summary")
    assert len(layout.steps) == 21 + 2 + 1
    assert layout.job_name("fanin-1-0001") == f"image-tagging-{SID}-fanin-1-0001"
    assert layout.job_name("summary") == layout.summary_job_name
    assert layout.folder == f"batchtui/submissions/{SID}/"
    assert layout.report_key == f"batchtui/submissions/{SID}/report.json"
    assert layout.journal_key.startswith(layout.folder)
