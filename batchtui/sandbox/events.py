"""Batch's EventBridge events, published on the region's default event bus as AWS does.

"Batch Job State Change" goes out whenever a job's status changes (not for its submission: AWS
says "Events aren't created for the initial job submission"), with the job's ARN as its resource; "Batch Job Queue Blocked" when a job at the head of a queue is
found blocked, with the job's and the queue's ARNs. Either event's ``detail`` is the job as
DescribeJobs returns it (AWS: "the detail section resembles the JobDetail object"). Rules a user
puts on the default bus, with SQS, SNS or CloudWatch Logs targets, receive them
(:func:`~batchtui.sandbox.moto_glue.deliver_event`). With no rule on the bus nothing is built,
so a job's status change costs one lookup.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from batchtui.sandbox import batch_views as views
from batchtui.sandbox import moto_glue
from batchtui.sandbox.batch_records import Job
from batchtui.sandbox.batch_store import BatchStore

SOURCE = "aws.batch"
JOB_STATE_CHANGE = "Batch Job State Change"
JOB_QUEUE_BLOCKED = "Batch Job Queue Blocked"


class BatchEvents:
    def __init__(self, store: BatchStore, now: Callable[[], float]) -> None:
        self.store = store
        self.now = now

    def job_state_changed(self, job: Job) -> None:
        rules = moto_glue.default_bus_rules(self.store.region)
        if rules:
            self._publish(rules, JOB_STATE_CHANGE, job, [self.store.job_arn(job.job_id)])

    def queue_blocked(self, job: Job) -> None:
        rules = moto_glue.default_bus_rules(self.store.region)
        if rules:
            resources = [self.store.job_arn(job.job_id), self.store.arn("job-queue", job.queue)]
            self._publish(rules, JOB_QUEUE_BLOCKED, job, resources)

    def _publish(self, rules: list[Any], detail_type: str, job: Job, resources: list[str]) -> None:
        now = self.now()
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),  # not from the store's seeded generator: that stays as is
            "detail-type": detail_type,
            "source": SOURCE,
            "account": self.store.account,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "region": self.store.region,
            "resources": resources,
            "detail": views.job_detail(self.store, job, now),
        }
        moto_glue.deliver_event(self.store.region, rules, event, int(now * 1000))
