"""The worker's pure parts: settings, slicing, S3 event parsing."""

import pytest
from batchtui_worker.config import ConfigError, WorkerConfig
from batchtui_worker.s3_event import new_image_keys
from batchtui_worker.tagger import my_slice

BASE = {"IMAGE_BUCKET": "b", "LABELS_TABLE": "t"}


def test_defaults_and_array_index() -> None:
    cfg = WorkerConfig.from_env(BASE | {"AWS_BATCH_JOB_ARRAY_INDEX": "2", "IMAGES_PER_JOB": "3"})
    assert (cfg.array_index, cfg.images_per_job, cfg.attempt) == (2, 3, 1)
    keys = [f"k{i}" for i in range(10)]
    assert my_slice(keys, cfg) == ["k6", "k7", "k8"]
    last = WorkerConfig.from_env(BASE | {"AWS_BATCH_JOB_ARRAY_INDEX": "3", "IMAGES_PER_JOB": "3"})
    assert my_slice(keys, last) == ["k9"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LABELS_TABLE": "t"}, "IMAGE_BUCKET is not set"),
        (BASE | {"IMAGES_PER_JOB": "many"}, "IMAGES_PER_JOB='many' is not a number"),
        (BASE | {"IMAGES_PER_JOB": "0"}, "at least 1"),
    ],
)
def test_bad_settings(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        WorkerConfig.from_env(env)


def test_s3_event_keys_are_decoded_and_filtered() -> None:
    event = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": "imgs"}, "object": {"key": "cats/a+b%281%29.jpg"}},
            },
            {
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": "imgs"}, "object": {"key": "notes.txt"}},
            },
            {
                "eventName": "ObjectRemoved:Delete",
                "s3": {"bucket": {"name": "imgs"}, "object": {"key": "gone.png"}},
            },
        ]
    }
    assert new_image_keys(event) == {"imgs": ["cats/a b(1).jpg"]}
