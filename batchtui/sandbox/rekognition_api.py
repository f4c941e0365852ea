"""Rekognition DetectLabels for the sandbox: labels derived from the image's own bytes.

Different images get different labels and the same image always the same ones: the PNG or JPEG
header gives the dimensions, a PNG's first rows its average colour, and a hash of the bytes
picks a subject and the confidences. Errors are AWS's, with AWS's messages: a missing bucket or
key is ``InvalidS3ObjectException``, bytes that are neither PNG nor JPEG
``InvalidImageFormatException``, more than 15 MB in S3 or 5 MB inline ``ImageTooLargeException``.
Every other Rekognition operation is left to moto.
"""

from __future__ import annotations

import base64
import binascii
import colorsys
import hashlib
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from batchtui.sandbox import moto_glue
from batchtui.sandbox.server import ServiceRequest, ServiceResponse

MAX_S3_BYTES = 15 * 1024 * 1024
MAX_INLINE_BYTES = 5 * 1024 * 1024
DEFAULT_MIN_CONFIDENCE = 55.0
LABEL_MODEL_VERSION = "3.0"
_JSON = "application/x-amz-json-1.1"

#: Subjects a hash of the bytes picks from, with their parents and category, as AWS names them.
SUBJECTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Cat", ("Pet", "Mammal", "Animal"), "Animals and Pets"),
    ("Dog", ("Pet", "Mammal", "Animal"), "Animals and Pets"),
    ("Bicycle", ("Vehicle", "Transportation"), "Vehicles and Automotive"),
    ("Tree", ("Plant",), "Nature and Outdoors"),
    ("Car", ("Vehicle", "Transportation"), "Vehicles and Automotive"),
    ("Boat", ("Vehicle", "Transportation"), "Vehicles and Automotive"),
    ("Mountain", ("Outdoors", "Nature"), "Nature and Outdoors"),
    ("Beach", ("Shoreline", "Outdoors", "Nature"), "Nature and Outdoors"),
    ("Bird", ("Animal",), "Animals and Pets"),
    ("Flower", ("Plant", "Blossom"), "Nature and Outdoors"),
    ("Building", ("Architecture", "City"), "Buildings and Architecture"),
    ("Person", (), "Person Description"),
)
#: Labels the average colour suggests (hue bands), and what brightness suggests.
HUES: tuple[tuple[float, str], ...] = (
    (0.05, "Red"),
    (0.17, "Orange"),
    (0.25, "Yellow"),
    (0.45, "Green"),
    (0.70, "Blue"),
    (0.85, "Purple"),
    (1.01, "Red"),
)
COLOUR_SCENES = {
    "Red": "Flower",
    "Orange": "Sunset",
    "Yellow": "Sand",
    "Green": "Vegetation",
    "Blue": "Sky",
    "Purple": "Dusk",
}


class RekognitionError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ImageFacts:
    kind: str  # "png" | "jpeg"
    width: int
    height: int
    colour: tuple[int, int, int] | None  # average RGB of the sampled pixels, when decoded
    digest: bytes


def handler(sandbox: Any) -> Any:
    """The sandbox's handler for the ``rekognition`` signing name."""
    del sandbox

    def handle(request: ServiceRequest) -> ServiceResponse | None:
        if request.target != "DetectLabels":
            return None
        try:
            return ServiceResponse.json(200, detect_labels(request.json()), _JSON)
        except RekognitionError as e:
            return ServiceResponse.json(400, {"__type": e.code, "Message": e.message}, _JSON)

    return handle


def detect_labels(params: dict[str, Any]) -> dict[str, Any]:
    image = params.get("Image")
    max_labels = params.get("MaxLabels")
    min_confidence = params.get("MinConfidence", DEFAULT_MIN_CONFIDENCE)
    if not isinstance(image, dict) or ("Bytes" in image) == ("S3Object" in image):
        raise RekognitionError(
            "InvalidParameterException", "Image must have exactly one of Bytes or S3Object"
        )
    if max_labels is not None and (not isinstance(max_labels, int) or max_labels < 0):
        raise RekognitionError("InvalidParameterException", "MaxLabels must be at least 0")
    if not isinstance(min_confidence, (int, float)) or not 0 <= min_confidence <= 100:
        raise RekognitionError(
            "InvalidParameterException", "MinConfidence must be between 0 and 100"
        )
    data = _image_bytes(image)
    labels = [
        label
        for label in labels_for(image_facts(data))
        if label["Confidence"] >= float(min_confidence)
    ]
    if max_labels is not None:
        labels = labels[:max_labels]
    return {"Labels": labels, "LabelModelVersion": LABEL_MODEL_VERSION}


def _image_bytes(image: dict[str, Any]) -> bytes:
    if "Bytes" in image:
        try:
            data = base64.b64decode(image["Bytes"], validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise RekognitionError(
                "InvalidParameterException", "Image.Bytes is not valid base64"
            ) from None
        if len(data) > MAX_INLINE_BYTES:
            raise RekognitionError("ImageTooLargeException", "Image size is too large.")
        return data
    s3 = image.get("S3Object") or {}
    stored = moto_glue.s3_object_bytes(
        str(s3.get("Bucket", "")), str(s3.get("Name", "")), s3.get("Version")
    )
    if stored is None:
        raise RekognitionError(
            "InvalidS3ObjectException",
            "Unable to get object metadata from S3. Check object key, region and/or access "
            "permissions.",
        )
    if len(stored) > MAX_S3_BYTES:
        raise RekognitionError("ImageTooLargeException", "Image size is too large.")
    return stored


# ---------------------------------------------------------------- reading the image


def image_facts(data: bytes) -> ImageFacts:
    digest = hashlib.sha256(data).digest()
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_facts(data, digest)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg_facts(data, digest)
    raise _bad_format()


def _bad_format() -> RekognitionError:
    return RekognitionError("InvalidImageFormatException", "Request has invalid image format")


def _png_facts(data: bytes, digest: bytes) -> ImageFacts:
    pos = 8
    width = height = depth = colour_type = 0
    palette = b""
    idat = bytearray()
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise _bad_format()
        if kind == b"IHDR" and length == 13:
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if not width or not height or not idat:
        raise _bad_format()
    return ImageFacts(
        "png", width, height, _png_average(bytes(idat), width, depth, colour_type, palette), digest
    )


#: PNG colour type -> samples per pixel.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_SAMPLE_ROWS = 64  # enough for an average colour; bounds the work on big images


def _png_average(
    idat: bytes, width: int, depth: int, colour_type: int, palette: bytes
) -> tuple[int, int, int] | None:
    """Average RGB over the first rows (8-bit images; None for others, which is fine)."""
    channels = _CHANNELS.get(colour_type)
    if channels is None or depth != 8:
        return None
    stride = width * channels
    try:
        raw = zlib.decompressobj().decompress(idat, (stride + 1) * _SAMPLE_ROWS)
    except zlib.error:
        raise _bad_format() from None
    prev = bytearray(stride)
    totals = [0, 0, 0]
    pixels = 0
    for y in range(len(raw) // (stride + 1)):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        row = _unfilter(line[0], bytearray(line[1:]), prev, channels)
        step = max(1, width // 64) * channels  # sample up to 64 pixels a row
        for x in range(0, stride, step):
            if colour_type == 3:
                i = row[x] * 3
                rgb = palette[i : i + 3] if i + 3 <= len(palette) else b"\0\0\0"
            elif channels >= 3:
                rgb = bytes(row[x : x + 3])
            else:
                rgb = bytes([row[x]] * 3)
            totals[0] += rgb[0]
            totals[1] += rgb[1]
            totals[2] += rgb[2]
            pixels += 1
        prev = row
    if not pixels:
        return None
    return (totals[0] // pixels, totals[1] // pixels, totals[2] // pixels)


def _unfilter(kind: int, row: bytearray, prev: bytearray, bpp: int) -> bytearray:
    if kind == 0:
        return row
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        up = prev[i]
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + ((left + up) >> 1)) & 0xFF
        elif kind == 4:
            up_left = prev[i - bpp] if i >= bpp else 0
            p = left + up - up_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
            pred = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
            row[i] = (row[i] + pred) & 0xFF
        else:
            raise _bad_format()
    return row


def _jpeg_facts(data: bytes, digest: bytes) -> ImageFacts:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise _bad_format()
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame's dimensions.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            if width and height:
                return ImageFacts("jpeg", width, height, None, digest)
            break
        pos += 2 + length
    raise _bad_format()


# ---------------------------------------------------------------- labels


def labels_for(facts: ImageFacts) -> list[dict[str, Any]]:
    """Labels with confidences, highest first: a subject, scene words, colour and shape."""
    d = facts.digest

    def confidence(i: int, low: float, high: float) -> float:
        return round(low + (high - low) * d[i] / 255, 3)

    found: dict[str, tuple[float, tuple[str, ...], str]] = {}
    subject, parents, category = SUBJECTS[d[0] % len(SUBJECTS)]
    found[subject] = (confidence(1, 80, 99.9), parents, category)
    for rank, parent in enumerate(parents):
        found.setdefault(parent, (confidence(2 + rank, 75, 99.5), (), category))
    second, parents2, category2 = SUBJECTS[d[5] % len(SUBJECTS)]
    if second != subject:
        found.setdefault(second, (confidence(6, 50, 78), parents2, category2))
    if facts.colour is not None:
        r, g, b = facts.colour
        hue, _, value = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        name = next(n for limit, n in HUES if hue < limit)
        if value < 0.25:
            found.setdefault("Night", (confidence(7, 70, 95), ("Outdoors",), "Nature and Outdoors"))
        elif value > 0.85:
            found.setdefault("Daylight", (confidence(8, 60, 90), (), "Nature and Outdoors"))
        scene = COLOUR_SCENES[name]
        found.setdefault(scene, (confidence(9, 60, 92), (), "Nature and Outdoors"))
    aspect = facts.width / facts.height
    if aspect >= 1.6:
        found.setdefault("Panoramic", (confidence(10, 55, 85), (), "Photography"))
    elif aspect <= 0.75:
        found.setdefault("Portrait", (confidence(11, 55, 85), (), "Photography"))
    if facts.width * facts.height >= 2_000_000:
        found.setdefault("Photography", (confidence(12, 60, 90), (), "Photography"))
    ordered = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [
        {
            "Name": name,
            "Confidence": conf,
            "Instances": [],
            "Parents": [{"Name": p} for p in parents],
            "Aliases": [],
            "Categories": [{"Name": cat}],
        }
        for name, (conf, parents, cat) in ordered
    ]
