"""The worker's pure parts: settings, slicing, S3 event parsing, image headers."""

import struct
import threading

import pytest
from batchtui_worker.config import ConfigError, WorkerConfig
from batchtui_worker.image_header import (
    MAX_S3_BYTES,
    PNG_MAGIC,
    Skip,
    dimensions,
    image_format,
    skip_reason,
)
from batchtui_worker.s3_event import new_image_keys
from batchtui_worker.tagger import Interrupted, manifest_keys, my_slice, with_retries
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

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


# -- image headers: Rekognition's limits told from the first bytes ----------------------------


def png_head(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_MAGIC + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


def jpeg_head(width: int, height: int, *, sof: int = 0xC0, exif: int = 0) -> bytes:
    """SOI, an APP0, an optional APP1 of ``exif`` bytes, a DHT, then the SOF frame header."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    app1 = b"\xff\xe1" + struct.pack(">H", exif + 2) + bytes(exif) if exif else b""
    dht = b"\xff\xc4" + struct.pack(">H", 5) + b"\0\0\0"
    frame = bytes([0xFF, sof]) + struct.pack(">HBHHB", 17, 8, height, width, 3) + bytes(9)
    return b"\xff\xd8" + app0 + app1 + dht + b"\xff\xff" + frame + b"\xff\xda\0\x02"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (png_head(1, 1), "png"),
        (jpeg_head(1, 1), "jpeg"),
        (b"GIF89a" + bytes(10), None),
        (b"\x89PNG\r\n", None),  # cut short: not the whole magic
        (b"", None),
        (b"<svg xmlns=", None),
    ],
)
def test_format_by_magic_bytes(head: bytes, kind: str | None) -> None:
    assert image_format(head) == kind


def test_png_dimensions_from_ihdr() -> None:
    assert dimensions(png_head(640, 480)) == (640, 480)
    assert dimensions(png_head(640, 480)[:23]) is None  # the height not read yet
    bad = png_head(640, 480).replace(b"IHDR", b"IDAT")
    assert dimensions(bad) is None


def test_jpeg_dimensions_from_the_frame_header() -> None:
    assert dimensions(jpeg_head(4000, 3000)) == (4000, 3000)
    assert dimensions(jpeg_head(81, 79, sof=0xC2)) == (81, 79)  # progressive
    assert dimensions(jpeg_head(120, 90, exif=30_000)) == (120, 90)  # past a big EXIF segment
    assert dimensions(jpeg_head(120, 90, exif=30_000)[:20_000]) is None  # needs more bytes
    # DHT (C4) looks like a SOF marker but is not one.
    assert dimensions(jpeg_head(300, 200)) == (300, 200)
    no_frame = b"\xff\xd8" + b"\xff\xda\0\x02" + bytes(10)  # scan data before any frame
    assert dimensions(no_frame) is None
    assert dimensions(b"\xff\xd8\xff\xe0\0\x10JFIF" + b"\x00garbage") is None


@pytest.mark.parametrize(
    ("size", "head", "reason", "detail"),
    [
        (MAX_S3_BYTES + 1, None, "too-large",
         "15,728,641 bytes; Rekognition takes at most 15,728,640 bytes from S3"),
        (100, b"GIF89a" + bytes(20), "not-jpeg-or-png",
         "not a JPEG or PNG file (its first bytes say so)"),
        (100, png_head(79, 500), "too-small", "79x500 px; Rekognition needs at least 80 px a side"),
        (100, jpeg_head(500, 12), "too-small", "500x12 px; Rekognition needs at least 80 px a side"),
        (100, png_head(10_001, 80), "too-many-pixels",
         "10001x80 px; Rekognition takes at most 10,000 px a side"),
    ],
)  # fmt: skip
def test_skip_reasons(size: int, head: bytes | None, reason: str, detail: str) -> None:
    assert skip_reason(size, head) == Skip(reason, detail)


@pytest.mark.parametrize(
    ("size", "head"),
    [
        (MAX_S3_BYTES, None),  # exactly 15 MB is allowed; the header is read next
        (1000, png_head(80, 80)),
        (1000, jpeg_head(10_000, 80)),
        (1000, jpeg_head(120, 90, exif=30_000)[:100]),  # size unknown yet: Rekognition decides
    ],
)
def test_what_rekognition_may_take(size: int, head: bytes | None) -> None:
    assert skip_reason(size, head) is None


def test_manifest_formats() -> None:
    jsonl = '{"key": "a b.png", "eTag": "1"}\n\n{"key": "c.jpg", "eTag": "2"}\n'
    assert manifest_keys(jsonl, "m/x.jsonl") == ["a b.png", "c.jpg"]
    assert manifest_keys("a.png\n  b.png \n\n", "m/x.txt") == ["a.png", "b.png"]


@given(
    width=st.integers(1, 65_535),
    height=st.integers(1, 65_535),
    exif=st.integers(0, 65_000),
    sof=st.sampled_from([0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xCA, 0xCF]),
)
def test_dimensions_read_back_what_the_header_says(
    width: int, height: int, exif: int, sof: int
) -> None:
    assert dimensions(png_head(width, height)) == (width, height)
    assert dimensions(jpeg_head(width, height, sof=sof, exif=exif)) == (width, height)


@given(head=st.binary(max_size=200))
def test_any_bytes_are_parsed_without_an_error(head: bytes) -> None:
    for data in (head, PNG_MAGIC + head, b"\xff\xd8\xff" + head):
        dims = dimensions(data)
        assert dims is None or all(side >= 0 for side in dims)
        skip_reason(len(data), data)


def throttled() -> None:
    raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "PutItem")


def test_sigterm_cuts_a_retry_backoff_short() -> None:
    stopping = threading.Event()
    stopping.set()  # SIGTERM came: the first backoff returns at once and the image is left
    with pytest.raises(Interrupted):
        with_retries(throttled, stopping)


def test_retries_give_up_after_their_tries_and_let_other_errors_through() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            throttled()
        return "ok"

    never_stopping = threading.Event()
    assert with_retries(flaky, never_stopping, tries=3, backoff=0) == "ok" and len(calls) == 3

    def denied() -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "HeadObject")

    with pytest.raises(ClientError, match="AccessDenied"):
        with_retries(denied, never_stopping, backoff=0)
