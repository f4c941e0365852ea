"""Small, valid PNG images made deterministically, for the demo's S3 bucket of photos."""

from __future__ import annotations

import random
import struct
import zlib

SUBJECTS = ("cat", "dog", "bicycle", "tree", "car", "boat", "mountain", "beach", "bird", "flower")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, pixel: tuple[int, int, int], seed: int) -> bytes:
    """An RGB PNG: a colour field with a diagonal stripe and deterministic noise."""
    rng = random.Random(seed)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0 (None) for every scanline
        for x in range(width):
            stripe = 60 if (x + y) % 8 < 2 else 0
            row += bytes(min(255, max(0, c + stripe + rng.randint(-12, 12))) for c in pixel)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def sample_images(count: int = 50, seed: int = 0) -> list[tuple[str, bytes]]:
    """(S3 key, PNG bytes) pairs, the same for the same arguments."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        subject = SUBJECTS[i % len(SUBJECTS)]
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        size = rng.choice((16, 24, 32))
        out.append((f"photos/{subject}/{subject}-{i:03d}.png", png(size, size, colour, i)))
    return out
