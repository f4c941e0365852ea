"""The embedded sandbox AWS: moto for what moto models well, our own Batch for the rest.

Public API::

    from batchtui.sandbox import Sandbox, SandboxConfig
    with Sandbox(SandboxConfig(seed="empty", manual_clock=True)) as sb:
        sb.url, sb.region, sb.now(), sb.advance(60), sb.quotas, sb.scheduler, sb.store

Importing this package is light; moto loads when a Sandbox is created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from batchtui.sandbox.config import SandboxConfig

if TYPE_CHECKING:  # for type checkers only; at run time __getattr__ below imports it
    from batchtui.sandbox.sandbox import Sandbox

__all__ = ["Sandbox", "SandboxConfig"]


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        # Imported on first use so that importing the package (for SandboxConfig, say) stays
        # light: the Sandbox brings moto, which takes half a second.
        from batchtui.sandbox.sandbox import Sandbox

        return Sandbox
    raise AttributeError(name)
