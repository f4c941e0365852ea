"""The statusReason words the sandbox's Batch gives a job or an attempt, as AWS words them.

One leaf module so the job lifecycle, multi-node jobs, the scheduler and the seeded history all
say the same words without importing each other.
"""

from __future__ import annotations

ESSENTIAL_EXIT = "Essential container in task exited"
ATTEMPT_TIMEOUT = "Job attempt duration exceeded timeout"
DEPENDENCY_FAILED = "Dependent Job failed"
CHILD_FAILED = "Array Child Job failed"
TIME_LIMIT = "Canceled by JobStateTimeLimit action due to reason: {reason}"
#: A Fargate task stopped because its compute environment was deleted (a guess at the words).
TASK_STOPPED = "Task stopped: its compute environment was deleted"
