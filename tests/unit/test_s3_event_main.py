"""``python -m batchtui_worker.s3_event EVENT.json``: a bad event file is told, not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batchtui_worker.s3_event import main


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "No such file or directory"),
        ("{not json", "Expecting property name"),
        ("[1, 2]", "not a JSON object"),
    ],
)
def test_a_bad_event_file_exits_2_with_one_json_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, error: str
) -> None:
    path = tmp_path / "event.json"
    if content is not None:
        path.write_text(content)
    assert main([str(path)]) == 2
    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["event"] == "bad-event" and error in record["error"]
