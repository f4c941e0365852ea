"""`batchtui diagnose`'s own options: bad input is one line naming the option, exit 2."""

from __future__ import annotations

import pytest

from batchtui.cli import main


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("abc", "--dwell abc: not a number of seconds"),
        ("", "--dwell : not a number of seconds"),
        ("-1", "--dwell -1: must be 0 or more seconds"),
        ("nan", "--dwell nan: must be 0 or more seconds"),
        ("inf", "--dwell inf: must be 0 or more seconds"),
    ],
)
def test_a_bad_dwell_is_one_line_naming_it(
    value: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diagnose", "--queue", "q", "--dwell", value]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"batchtui: {says} "), err
    assert len(err.strip().splitlines()) == 1 and "usage:" not in err
