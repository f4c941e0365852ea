"""Profiles: the bundled ones load; every problem names file, line and field; unknown keys fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchtui.errors import ExitCode, ProfileError
from batchtui.model import PurchaseModel
from batchtui.profiles import KeyLines, load_profile, parse_profile, resolve_profile_path

REPO = Path(__file__).resolve().parents[2]

MINIMAL = """\
name = "t"
region = "us-east-1"

[quotas]
on_demand_vcpus = 64
spot_vcpus = "auto"

[[compute_environments]]
name = "spot"
purchase_model = "SPOT"
instance_types = ["c5"]
max_vcpus = 64

[[compute_environments]]
name = "od"
purchase_model = "ON_DEMAND"
instance_types = ["m5"]
min_vcpus = 32
max_vcpus = 16

[[job_queues]]
name = "q"
compute_environments = ["spot", "od"]

[job_definition]
name = "jd"
image = "busybox"
vcpus = 1
memory_mib = 1024

[workload]
images = 1000
deadline_hours = 1

[workload.seconds_per_image]
distribution = "fixed"
value = 2
"""


def problems(text: str, path: str = "profiles/x.toml") -> list[str]:
    with pytest.raises(ProfileError) as e:
        parse_profile(text, path)
    assert e.value.exit_code == ExitCode.USAGE
    return e.value.problems


@pytest.mark.parametrize("name", ["image-tagging", "new-account", "sandbox"])
def test_bundled_profiles_load(name: str) -> None:
    profile = load_profile(name, cwd=REPO)
    assert profile.name == name
    assert profile.queue().compute_environments
    assert profile.workload.jobs >= 1


def test_image_tagging_is_production_sized_spot_first() -> None:
    p = load_profile("image-tagging", cwd=REPO)
    assert p.workload.images == 100_000
    pools = [ce.purchase_model for ce in p.queue_compute_environments()]
    assert pools == [PurchaseModel.SPOT, PurchaseModel.EC2]


def test_new_account_quotas() -> None:
    p = load_profile("new-account", cwd=REPO)
    assert (p.quotas.on_demand_vcpus, p.quotas.spot_vcpus) == (64, 5)


def test_max_below_min_names_file_line_and_field() -> None:
    assert problems(MINIMAL) == [
        "profiles/x.toml:19: compute_environments[1].max_vcpus: must be >= min_vcpus (16 < 32)"
    ]


def test_unknown_key_is_an_error_with_a_did_you_mean() -> None:
    text = MINIMAL.replace("max_vcpus = 16", "max_vcpus = 64").replace(
        'image = "busybox"', 'image = "busybox"\nmemroy_mib = 3'
    )
    assert problems(text) == [
        "profiles/x.toml:28: job_definition.memroy_mib: unknown key; did you mean 'memory_mib'?"
    ]


def test_a_misspelt_required_key_is_said_once_where_it_is_misspelt() -> None:
    """Not also as the required key missing: the did-you-mean names it."""
    text = MINIMAL.replace("max_vcpus = 16", "max_vpcus = 64")
    assert problems(text) == [
        "profiles/x.toml:19: compute_environments[1].max_vpcus: unknown key; did you mean "
        "'max_vcpus'?"
    ]


def test_every_problem_is_reported_in_line_order() -> None:
    text = MINIMAL.replace('purchase_model = "SPOT"', 'purchase_model = "SPOTT"').replace(
        "images = 1000", "images = -5"
    )
    found = problems(text)
    assert len(found) == 3
    assert found[0].startswith("profiles/x.toml:10: compute_environments[0].purchase_model:")
    assert "did you mean 'SPOT'?" in found[0]
    assert found[1].startswith("profiles/x.toml:19: compute_environments[1].max_vcpus")
    assert found[2] == "profiles/x.toml:32: workload.images: must be > 0 (got -5)"


def test_unknown_compute_environment_in_queue() -> None:
    text = MINIMAL.replace("max_vcpus = 16", "max_vcpus = 64").replace(
        '["spot", "od"]', '["spott", "od"]'
    )
    (only,) = problems(text)
    assert only.startswith("profiles/x.toml:23: job_queues[0].compute_environments: [0] 'spott'")
    assert "did you mean 'spot'?" in only


def test_not_toml_names_the_line() -> None:
    (only,) = problems('name = "t"\nregion = \n')
    assert only.startswith("profiles/x.toml:2: not valid TOML")


def test_wrong_type() -> None:
    text = MINIMAL.replace("max_vcpus = 16", 'max_vcpus = "lots"')
    (only,) = problems(text)
    assert only == (
        "profiles/x.toml:19: compute_environments[1].max_vcpus: must be an integer (got 'lots')"
    )


def test_auto_quota_and_defaults() -> None:
    p = parse_profile(MINIMAL.replace("max_vcpus = 16", "max_vcpus = 64"))
    assert p.quotas.spot_vcpus is None and p.quotas.wants_auto
    assert p.workload.queue == "q"
    od = p.compute_environment("od")
    assert od.desired_vcpus == 32  # desired defaults to min
    assert od.allocation_strategy == "BEST_FIT_PROGRESSIVE"


def test_lognormal_from_p95() -> None:
    text = MINIMAL.replace("max_vcpus = 16", "max_vcpus = 64").replace(
        'distribution = "fixed"\nvalue = 2', 'distribution = "lognormal"\nmean = 6.0\np95 = 15.0'
    )
    d = parse_profile(text).workload.seconds_per_image
    assert d.mean == 6.0 and 3.0 < d.stddev < 8.0


def test_key_lines_index_nested_arrays_of_tables() -> None:
    lines = KeyLines(
        "[[a]]\nx = 1\n[[a]]\nx = 2\n[[a.b]]\ny = 3\nz = [\n  1,\n]\nw = 1\n[c]\nq = '''\nk = 1\n'''\n"
    )
    assert lines.line_of("a[0].x") == 2
    assert lines.line_of("a[1].x") == 4
    assert lines.line_of("a[1].b[0].y") == 6
    assert lines.line_of("a[1].b[0].w") == 10
    assert lines.line_of("c.k") == 11  # inside a multi-line string: falls back to its table
    assert lines.line_of("nothing.here") == 0


def test_retry_strategy_on_interruption() -> None:
    p = load_profile("image-tagging", cwd=REPO)
    assert p.job_definition.retry_strategy.attempts_on_interruption() == 3
    text = MINIMAL.replace("max_vcpus = 16", "max_vcpus = 64").replace(
        "memory_mib = 1024",
        "memory_mib = 1024\n[job_definition.retry_strategy]\nattempts = 3\n"
        '[[job_definition.retry_strategy.evaluate_on_exit]]\non_status_reason = "Host*"\n'
        'action = "EXIT"',
    )
    assert parse_profile(text).job_definition.retry_strategy.attempts_on_interruption() == 1


def test_bundled_profiles_are_found_from_any_directory(tmp_path: Path) -> None:
    """Outside the checkout (a wheel install, any cwd) a name finds the profiles the package
    carries: every one of the repository's profiles/."""
    shipped = sorted(p.name for p in (REPO / "profiles").glob("*.toml"))
    assert shipped
    for name in shipped:
        path = resolve_profile_path(name.removesuffix(".toml"), cwd=tmp_path)
        assert path.parent == REPO / "batchtui" / "data" / "profiles"
        assert path.read_bytes() == (REPO / "profiles" / name).read_bytes()


def test_resolve_unknown_name_suggests() -> None:
    with pytest.raises(ProfileError) as e:
        resolve_profile_path("image-taging", cwd=REPO)
    assert "did you mean 'image-tagging'?" in str(e.value)


VALID = MINIMAL.replace("max_vcpus = 16", "max_vcpus = 64")


def test_unknown_instance_type_or_family_names_the_field_with_a_did_you_mean() -> None:
    # The planner places and prices with the bundled catalog: 'zz9' would launch nothing.
    text = VALID.replace(
        'instance_types = ["c5"]', 'instance_types = ["zz9", "m5.larg", "optimal"]'
    )
    found = problems(text)
    assert len(found) == 2
    assert found[0].startswith(
        "profiles/x.toml:11: compute_environments[0].instance_types: [0] 'zz9' is not an "
        "instance type or family of the bundled catalog (c5, "
    )
    assert found[1].startswith("profiles/x.toml:11: compute_environments[0].instance_types: [1]")
    assert found[1].endswith("did you mean 'm5.large'?")
    ok = VALID.replace('["c5"]', '["c5", "m6i.large", "optimal", "default_arm64"]')
    assert parse_profile(ok).compute_environments[0].instance_types[1] == "m6i.large"


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        (
            "max_vcpus = 64",
            "max_vcpus = 99999999999999999999",
            12,
            "compute_environments[0].max_vcpus",
        ),
        ("memory_mib = 1024", "memory_mib = 2147483648", 29, "job_definition.memory_mib"),
    ],
)
def test_integers_aws_takes_as_int32_are_bounded(old: str, new: str, line: int, field: str) -> None:
    (only,) = problems(VALID.replace(old, new, 1))
    value = new.split(" = ")[1]
    assert only == (
        f"profiles/x.toml:{line}: {field}: must be at most 2147483647 "
        f"(AWS takes a 32-bit integer; got {value})"
    )
    assert parse_profile(VALID.replace(old, old.split(" = ")[0] + " = 2147483647", 1))


def test_fractional_vcpus_are_for_fargate_only() -> None:
    (only,) = problems(VALID.replace("vcpus = 1\n", "vcpus = 0.5\n"))
    assert only == (
        "profiles/x.toml:28: job_definition.vcpus: must be a whole number for EC2 and SPOT "
        "compute environments (got 0.5); only Fargate takes 0.25 or 0.5"
    )
    fargate = (
        VALID.replace(
            'purchase_model = "SPOT"\ninstance_types = ["c5"]', 'purchase_model = "FARGATE"'
        )
        .replace('["spot", "od"]', '["spot"]')
        .replace("vcpus = 1\n", "vcpus = 0.5\n")
    )
    assert parse_profile(fargate).job_definition.vcpus == 0.5
    (only,) = problems(fargate.replace("vcpus = 0.5\n", "vcpus = 0.3\n"))
    assert only.endswith("job_definition.vcpus: a fractional vCPU count must be 0.25 or 0.5 on "
                         "Fargate (got 0.3)")  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        (
            'distribution = "fixed"\nvalue = 2',
            'distribution = "lognormal"\nmean = inf\np95 = 15.0',
            37,
            "workload.seconds_per_image.mean",
        ),
        ("on_demand_vcpus = 64", "on_demand_vcpus = inf", 5, "quotas.on_demand_vcpus"),
        ("deadline_hours = 1", "deadline_hours = nan", 33, "workload.deadline_hours"),
    ],
)
def test_numbers_must_be_finite_and_the_field_is_named(
    old: str, new: str, line: int, field: str
) -> None:
    (only,) = problems(VALID.replace(old, new))
    value = "nan" if "nan" in new else "inf"
    assert only == f"profiles/x.toml:{line}: {field}: must be a finite number (got {value})"


def test_a_directory_is_not_a_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as e:
        load_profile(str(tmp_path))
    assert e.value.problems == [f"{tmp_path}: is a directory, not a profile file"]
