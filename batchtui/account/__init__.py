"""The account as the TUI and the commands see it, with no textual import (k9s' model layer).

Between :mod:`batchtui.aws` (the calls) and :mod:`batchtui.tui` (widgets and screens): what to
read and in which order (:mod:`.loaders`), the values a read returns (:mod:`.snapshots`), the jobs
of a listing held outside any widget (:mod:`.jobstore`), when the next automatic refresh runs and
how it backs off (:mod:`.refresh`), and the one gatherer of a plan's facts (:mod:`.plan_facts`).

This ``__init__`` imports nothing: the TUI's first screen reads :mod:`.snapshots` before boto3 (which
:mod:`.loaders` needs) is imported.
"""
