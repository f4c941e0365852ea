"""What Rekognition will refuse, told from an object's size and its first bytes.

DetectLabels takes JPEG and PNG only, at most 15 MB from S3, at least 80 pixels and at most
10,000 pixels a side (Amazon Rekognition's set quotas). Checking before the call saves a paid
request that can only fail, and names the reason in the image's item. The format is told by the
file's magic bytes, never by its name; the size by reading PNG's IHDR chunk or JPEG's SOF frame
header, here in plain code (no imaging library in the worker's image).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

#: Rekognition's limit for an image stored as an S3 object (the sandbox's DetectLabels agrees).
MAX_S3_BYTES = 15 * 1024 * 1024
MIN_SIDE = 80
MAX_SIDE = 10_000
#: Bytes read from the start of an object per ranged GET; a JPEG's EXIF segments can push its
#: frame header further, so more chunks are read up to HEADER_LIMIT.
HEADER_CHUNK = 64 * 1024
HEADER_LIMIT = 1024 * 1024

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

#: JPEG markers that stand alone (no length): TEM, RST0-7, SOI.
_STANDALONE = {0x01, 0xD8, *range(0xD0, 0xD8)}
#: Start-of-frame markers: SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_SOS = 0xDA


@dataclass(frozen=True)
class Skip:
    """Why an image is not sent to Rekognition: a stable ``reason`` code and a sentence."""

    reason: str
    detail: str


def image_format(head: bytes) -> str | None:
    """``"png"``, ``"jpeg"`` or None, from the magic bytes."""
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def dimensions(head: bytes) -> tuple[int, int] | None:
    """(width, height) from the image's first bytes, or None when they do not tell it (too few
    bytes read, or a header that does not parse)."""
    kind = image_format(head)
    if kind == "png":
        return _png_dimensions(head)
    if kind == "jpeg":
        return _jpeg_dimensions(head)
    return None


def _png_dimensions(head: bytes) -> tuple[int, int] | None:
    # The first chunk of every PNG is IHDR: length 13, then width and height (big-endian).
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _jpeg_dimensions(head: bytes) -> tuple[int, int] | None:
    pos = 2  # after SOI
    while pos + 2 <= len(head):
        if head[pos] != 0xFF:
            return None  # not at a marker: a corrupt stream
        marker = head[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker == _SOS:
            return None  # image data started before any frame header
        if pos + 4 > len(head):
            return None
        (length,) = struct.unpack(">H", head[pos + 2 : pos + 4])
        if marker in _SOF:
            # FF Cn, length (2), sample precision (1), height (2), width (2).
            if pos + 9 > len(head):
                return None
            height, width = struct.unpack(">HH", head[pos + 5 : pos + 9])
            return width, height
        if length < 2:
            return None
        pos += 2 + length
    return None


def skip_reason(size: int, head: bytes | None) -> Skip | None:
    """Why Rekognition would refuse this object, or None when it may take it.

    ``head`` is None when only the size is known yet (an object over the size limit is skipped
    without reading it). Dimensions that the bytes do not tell are left to Rekognition.
    """
    if size > MAX_S3_BYTES:
        return Skip(
            "too-large",
            f"{size:,} bytes; Rekognition takes at most {MAX_S3_BYTES:,} bytes from S3",
        )
    if head is None:
        return None
    if image_format(head) is None:
        return Skip("not-jpeg-or-png", "not a JPEG or PNG file (its first bytes say so)")
    dims = dimensions(head)
    if dims is None:
        return None
    width, height = dims
    if min(width, height) < MIN_SIDE:
        return Skip(
            "too-small",
            f"{width}x{height} px; Rekognition needs at least {MIN_SIDE} px a side",
        )
    if max(width, height) > MAX_SIDE:
        return Skip(
            "too-many-pixels",
            f"{width}x{height} px; Rekognition takes at most {MAX_SIDE:,} px a side",
        )
    return None
