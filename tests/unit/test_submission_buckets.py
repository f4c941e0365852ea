"""Where `submit --status` and `:submissions` look for submissions when no bucket is named:
on AWS only the user's own profiles' buckets, never the bundled examples' (a placeholder bucket
name is anyone's to own); on the sandbox the bundled profiles name its demo bucket."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchtui.account.submissions import buckets_named, image_buckets
from batchtui.errors import UsageError

REPO = Path(__file__).resolve().parents[2]


def test_on_aws_the_bundled_example_buckets_are_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"no planning profile in \./profiles names an image"):
        image_buckets(None)
    (tmp_path / "profiles").mkdir()
    text = (REPO / "profiles" / "image-tagging.toml").read_text()
    (tmp_path / "profiles" / "mine.toml").write_text(
        text.replace('"example-image-tagging"', '"my-own-photos"')
    )
    assert image_buckets(None) == ["my-own-photos"]
    assert "example-image-tagging" not in buckets_named("")
    assert buckets_named("s3://someone-named/") == ["someone-named"]


def test_on_the_sandbox_the_bundled_profiles_name_the_demo_bucket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert "batchtui-demo-images" in image_buckets(None, sandbox=True)
    assert image_buckets("sandbox") == ["batchtui-demo-images"]
