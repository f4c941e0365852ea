"""The sandbox's Rekognition DetectLabels over HTTP with boto3: labels from the image's bytes."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest
from botocore.exceptions import ClientError


def png(width: int, height: int, rgb: tuple[int, int, int], *, filter_type: int = 0) -> bytes:
    """A tiny RGB PNG of one colour; filter_type 1 (Sub) exercises the unfiltering."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b""
    for _ in range(height):
        if filter_type == 1:  # Sub: the first pixel literal, then differences of 0
            rows += b"\x01" + bytes(rgb) + bytes(3 * (width - 1))
        else:
            rows += b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, an APP0 segment and a baseline SOF0 frame header: what DetectLabels reads of a JPEG."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + bytes(9)
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


@pytest.fixture(scope="module")
def rekognition(aws_client: Any) -> Any:
    return aws_client("rekognition")


@pytest.fixture(scope="module")
def bucket(aws_client: Any) -> str:
    s3 = aws_client("s3")
    name = "rekognition-tests-images"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="blue.png", Body=png(32, 16, (20, 60, 220)))
    s3.put_object(Bucket=name, Key="green.png", Body=png(16, 32, (30, 200, 40), filter_type=1))
    s3.put_object(Bucket=name, Key="photo.jpg", Body=jpeg_header(4000, 3000))
    s3.put_object(Bucket=name, Key="notes.txt", Body=b"not an image")
    s3.put_object(Bucket=name, Key="huge.png", Body=png(8, 8, (0, 0, 0)) + bytes(15 * 2**20))
    return name


def names(result: dict[str, Any]) -> list[str]:
    return [label["Name"] for label in result["Labels"]]


def detect(rekognition: Any, bucket: str, key: str, **kw: Any) -> dict[str, Any]:
    answer = rekognition.detect_labels(Image={"S3Object": {"Bucket": bucket, "Name": key}}, **kw)
    assert answer["ResponseMetadata"]["RequestId"]  # every answer has its own request id
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def test_labels_come_from_the_image_and_are_deterministic(rekognition: Any, bucket: str) -> None:
    blue = detect(rekognition, bucket, "blue.png")
    green = detect(rekognition, bucket, "green.png")
    assert blue == detect(rekognition, bucket, "blue.png")
    assert names(blue) != names(green)
    assert "Sky" in names(blue) and "Panoramic" in names(blue)  # blue, twice as wide as high
    assert "Vegetation" in names(green) and "Portrait" in names(green)  # green, Sub-filtered
    photo = detect(rekognition, bucket, "photo.jpg")
    assert "Photography" in names(photo)  # 12 megapixels, read from the SOF0 header
    for result in (blue, green, photo):
        confidences = [label["Confidence"] for label in result["Labels"]]
        assert confidences == sorted(confidences, reverse=True)
        assert all(55 <= c <= 100 for c in confidences)
        assert result["LabelModelVersion"] == "3.0"


def test_inline_bytes_give_the_same_labels_as_s3(rekognition: Any, bucket: str) -> None:
    inline = rekognition.detect_labels(Image={"Bytes": png(32, 16, (20, 60, 220))})
    assert inline["Labels"] == detect(rekognition, bucket, "blue.png")["Labels"]


def test_max_labels_and_min_confidence(rekognition: Any, bucket: str) -> None:
    everything = detect(rekognition, bucket, "blue.png", MinConfidence=0)
    assert len(everything["Labels"]) >= 4
    assert (
        names(detect(rekognition, bucket, "blue.png", MaxLabels=2, MinConfidence=0))
        == names(everything)[:2]
    )
    threshold = everything["Labels"][1]["Confidence"]
    high = detect(rekognition, bucket, "blue.png", MinConfidence=threshold)
    assert names(high) == names(everything)[:2]


@pytest.mark.parametrize(
    ("image", "code", "message"),
    [
        (
            {"S3Object": {"Bucket": "rekognition-tests-images", "Name": "missing.png"}},
            "InvalidS3ObjectException",
            "Unable to get object metadata from S3. Check object key, region and/or access "
            "permissions.",
        ),
        (
            {"S3Object": {"Bucket": "no-such-bucket-here", "Name": "a.png"}},
            "InvalidS3ObjectException",
            "Unable to get object metadata from S3. Check object key, region and/or access "
            "permissions.",
        ),
        (
            {"S3Object": {"Bucket": "rekognition-tests-images", "Name": "notes.txt"}},
            "InvalidImageFormatException",
            "Request has invalid image format",
        ),
        (
            {"S3Object": {"Bucket": "rekognition-tests-images", "Name": "huge.png"}},
            "ImageTooLargeException",
            "Image size is too large.",
        ),
        ({"Bytes": b"\x89PNG\r\n\x1a\n" + bytes(5 * 2**20)}, "ImageTooLargeException", None),
        ({"Bytes": b"GIF89a" + bytes(20)}, "InvalidImageFormatException", None),
    ],
    ids=["missing key", "missing bucket", "not an image", "S3 > 15 MB", "bytes > 5 MB", "gif"],
)
def test_aws_errors(
    rekognition: Any, bucket: str, image: dict[str, Any], code: str, message: str | None
) -> None:
    with pytest.raises(ClientError) as e:
        rekognition.detect_labels(Image=image)
    assert e.value.response["Error"]["Code"] == code
    if message:
        assert e.value.response["Error"]["Message"] == message


def test_sandbox_sample_images_get_varied_labels(rekognition: Any) -> None:
    from batchtui.sandbox.images import sample_images

    results = [rekognition.detect_labels(Image={"Bytes": data}) for _, data in sample_images(10)]
    assert len({tuple(names(r)) for r in results}) >= 5
