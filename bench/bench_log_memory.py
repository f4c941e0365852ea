"""Benchmark: memory of the TUI's log buffer fed a long log, against the unbounded approach
and toolong-like line offsets, measured in the same run.

A 1,000,000-line log (lines of 60-120 characters, a tenth with CJK and emoji, three attempt
labels) goes through :class:`batchtui.tui.logbuffer.LogBuffer` in batches of 10,000 events,
as the follow loop delivers them. Each measure runs in a fresh child process and reports the
peak of Python allocations (tracemalloc) and, in a second child without tracemalloc, the peak
resident set (VmHWM from /proc/self/status; ru_maxrss would report this parent's peak).

Peers:
- unbounded: the same buffer holding every line (what the log view did before);
- offsets: toolong's approach, the lines written to a file and only their byte offsets held
  (8 bytes a line, so it grows with the log too, and every redraw reads the file back).

Run: ``python bench/run.py log_memory`` or ``python bench/bench_log_memory.py``.
"""

from __future__ import annotations

import subprocess
import sys

from common import print_table

LINES = 1_000_000
SHORT = 250_000

CHILD = r"""
import sys, time, tracemalloc
from array import array
from batchtui.follow import LogEvent, LogTarget
from batchtui.tui.logbuffer import HELD_LINES, LogBuffer

mode, lines, how = sys.argv[1], int(sys.argv[2]), sys.argv[3]
targets = [LogTarget("j", "/aws/batch/job", f"etl/default/{a}", a, label=f"attempt {a}")
           for a in (1, 2, 3)]
WIDE = " 画像タグ付け 🚀 処理件数 ✅"

def batches():
    for start in range(0, lines, 10_000):
        yield [LogEvent(timestamp=1_790_000_000_000 + i,
                        message=f"{i:08d} processed s3://bucket/images/{i * 7919 % 10**9:09d}.jpg "
                                f"labels={i % 17} in {i % 997} ms" + (WIDE if i % 10 == 0 else "")
                                + "x" * (i % 40),
                        target=targets[i * 3 // lines])
               for i in range(start, min(lines, start + 10_000))]

if how == "tracemalloc":
    tracemalloc.start()
t0 = time.perf_counter()
if mode == "offsets":
    import tempfile
    offsets, pos = array("Q"), 0
    with tempfile.TemporaryFile() as f:
        for batch in batches():
            for e in batch:
                data = (e.message + "\n").encode()
                offsets.append(pos)
                pos += len(data)
                f.write(data)
    held = len(offsets)
else:
    buf = LogBuffer(HELD_LINES if mode == "bounded" else 10**9)
    for batch in batches():
        buf.extend(batch)
    held = len(buf)
elapsed = time.perf_counter() - t0
if how == "tracemalloc":
    peak = tracemalloc.get_traced_memory()[1]
else:
    status = open("/proc/self/status").read()
    peak = int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1]) * 1024
print(held, peak, elapsed)
"""


def _measure(mode: str, lines: int, how: str) -> tuple[int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(lines), how],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} {lines} {how}: {out.stderr[-400:]}")
    held, peak, elapsed = out.stdout.split()
    return int(held), int(peak) / 2**20, float(elapsed)


def main() -> None:
    from batchtui.tui.logbuffer import HELD_LINES

    # (label, mode, lines, also VmHWM): tracemalloc slows a child several times, so the peak
    # resident set is measured (in a child of its own) only where it is compared.
    runs = [
        ("batchtui, newest held", "bounded", SHORT, False),
        ("batchtui, newest held", "bounded", LINES, True),
        ("unbounded (the old buffer)", "unbounded", LINES, True),
        ("toolong-like offsets", "offsets", LINES, False),
    ]
    rows = []
    peaks: dict[tuple[str, int], tuple[float, float]] = {}
    for name, mode, lines, hwm_too in runs:
        held, traced, elapsed = _measure(mode, lines, "tracemalloc")
        hwm = _measure(mode, lines, "vmhwm")[1] if hwm_too else float("nan")
        peaks[(mode, lines)] = (traced, hwm)
        rows.append(
            (
                name,
                f"{lines:,}",
                f"{held:,}",
                f"{traced:.1f}",
                f"{hwm:.1f}" if hwm_too else "-",
                f"{elapsed:.1f}",
            )
        )
    print(f"held lines (HELD_LINES): {HELD_LINES:,}; lines fed in batches of 10,000")
    print_table(["buffer", "log lines", "held", "peak traced MiB", "VmHWM MiB", "s (traced)"], rows)
    ours, old = peaks[("bounded", LINES)], peaks[("unbounded", LINES)]
    growth = ours[0] / peaks[("bounded", SHORT)][0]
    offsets = peaks[("offsets", LINES)][0]
    per_line = offsets * 2**20 / LINES
    print(
        f"batchtui peak at {LINES:,} / at {SHORT:,} lines: {growth:.2f}x (bounded: ~1.0)\n"
        f"unbounded / batchtui peak at {LINES:,} lines: {old[0] / ours[0]:.1f}x traced, "
        f"{old[1] / ours[1]:.1f}x VmHWM\n"
        f"offsets / batchtui peak at {LINES:,} lines: {offsets / ours[0]:.2f}x traced; offsets "
        f"grow with the log (~{per_line:.0f} B a line here), passing batchtui's peak at about "
        f"{ours[0] * LINES / offsets / 1e6:.1f} M lines\n"
        "(times are under tracemalloc and on a shared machine: not a speed comparison)"
    )


if __name__ == "__main__":
    main()
