"""The errors tests make (faults.py) read like the sandbox's own: same shape on the wire, same
batchtui error after translation, and calls not named still reach the sandbox."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_on
from faults import Faults

import batchtui.aws.session as session
from batchtui.errors import BatchtuiError, Throttled

TOO_MANY_IDS = [f"job-{i}" for i in range(101)]  # DescribeJobs takes at most 100


def test_a_made_error_answers_like_the_sandboxs_own(demo) -> None:
    real = aws_on(demo)
    made = aws_on(demo)
    Faults(made).fail("ClientException", "DescribeJobs")
    responses = []
    for aws in (real, made):
        with pytest.raises(ClientError) as e:
            aws.client("batch").describe_jobs(jobs=TOO_MANY_IDS)
        responses.append(e.value.response)
    sandbox, faked = responses
    assert faked["Error"]["Code"] == sandbox["Error"]["Code"] == "ClientException"
    assert faked["Error"]["Message"] and sandbox["Error"]["Message"]
    status = [r["ResponseMetadata"]["HTTPStatusCode"] for r in responses]
    assert status == [400, 400]
    translated = []
    for aws in (real, made):
        with pytest.raises(BatchtuiError) as e:
            aws.call("batch", "DescribeJobs", jobs=TOO_MANY_IDS)
        translated.append(e.value)
    assert type(translated[0]) is type(translated[1])
    assert translated[0].exit_code == translated[1].exit_code
    assert all("DescribeJobs" in str(e) for e in translated)


def test_calls_not_named_reach_the_sandbox(demo, monkeypatch) -> None:
    monkeypatch.setattr(session, "MAX_ATTEMPTS", 0)  # botocore: retries, not attempts
    aws = aws_on(demo)
    faults = Faults(aws)
    faults.fail("ThrottlingException", "GetJobQueueSnapshot")
    queues = aws.call("batch", "DescribeJobQueues")["jobQueues"]
    assert "demo-main" in [q["jobQueueName"] for q in queues]
    with pytest.raises(Throttled):
        aws.call("batch", "GetJobQueueSnapshot", jobQueue="demo-main")
    assert faults.answered == ["GetJobQueueSnapshot"]
    faults.fail(None)
    assert "frontOfQueue" in aws.call("batch", "GetJobQueueSnapshot", jobQueue="demo-main")
