"""Small (80 to 128 px), valid PNG images made deterministically, for the demo's S3 bucket of photos."""

from __future__ import annotations

import random
import struct
import zlib

SUBJECTS = ("cat", "dog", "bicycle", "tree", "car", "boat", "mountain", "beach", "bird", "flower")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, pixel: tuple[int, int, int], seed: int, block: int = 1) -> bytes:
    """An RGB PNG: a colour field with a diagonal stripe and deterministic noise, drawn in
    squares of ``block`` pixels (big images stay cheap to make: the noise is per square)."""
    rng = random.Random(seed)
    rows = []
    for y in range(0, height, block):
        row = bytearray()
        for x in range(0, width, block):
            stripe = 60 if (x // block + y // block) % 8 < 2 else 0
            square = bytes(min(255, max(0, c + stripe + rng.randint(-12, 12))) for c in pixel)
            row += square * min(block, width - x)
        line = b"\x00" + bytes(row)  # filter type 0 (None) for every scanline
        rows.extend([line] * min(block, height - y))
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
        # At least 80 px a side, as Rekognition needs; 4-px squares keep the noise cheap.
        size = rng.choice((80, 96, 128))
        image = png(size, size, colour, i, block=4)
        out.append((f"photos/{subject}/{subject}-{i:03d}.png", image))
    return out
