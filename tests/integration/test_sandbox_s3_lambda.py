"""The sandbox's stand-in for S3 -> Lambda: an upload under a watched prefix ends with labels.

Set up as on AWS, over HTTP: a Lambda function whose handler is the S3-event handler, a bucket
notification (LambdaFunctionConfiguration on a prefix), a job queue and the tagger's job
definition. An object put under the prefix invokes the handler (a real process), which submits
the tagging job, which the sandbox's scheduler runs with the real tagger.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from batchtui.profiles import load_profile
from batchtui.sandbox import moto_glue
from batchtui.sandbox.images import sample_images
from batchtui.sandbox.s3_lambda import HANDLERS
from batchtui.sandbox.seed import BUCKET, INCOMING_PREFIX, LABELS_TABLE, S3_EVENT_FUNCTION
from batchtui.submission.trigger import trigger_setup

REPO = Path(__file__).parents[2]

HANDLER = "batchtui_worker.s3_event.handler"


def lambda_zip(marker: str) -> bytes:
    """Code that would leave a marker file if anything ever ran it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", f"open({marker!r}, 'w').write('ran')\n")
    return buffer.getvalue()


def make_function(aws_client: Any, name: str, handler: str, env: dict[str, str],
                  marker: str) -> str:  # fmt: skip
    iam, lam = aws_client("iam"), aws_client("lambda")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "lambda.amazonaws.com"}}]}  # fmt: skip
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    return str(
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role["Role"]["Arn"], Handler=handler,
            Code={"ZipFile": lambda_zip(marker)}, Environment={"Variables": env},
        )["FunctionArn"]
    )  # fmt: skip


def watch(aws_client: Any, bucket: str, function_arn: str, prefix: str = "") -> None:
    rule: dict[str, Any] = {"Id": "tag-new-images", "LambdaFunctionArn": function_arn,
                            "Events": ["s3:ObjectCreated:*"]}  # fmt: skip
    if prefix:
        rule["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}
    aws_client("s3").put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [rule]}
    )


def log_lines(logs: Any, group: str) -> list[str]:
    lines = []
    for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])
        lines += [e["message"] for e in events["events"]]
    return lines


def item_of(ddb: Any, table: str, bucket: str, key: str) -> dict[str, Any] | None:
    got = ddb.get_item(TableName=table, Key={"image_key": {"S": f"s3://{bucket}/{key}"}},
                       ConsistentRead=True)  # fmt: skip
    item: dict[str, Any] | None = got.get("Item")
    return item


def step_until(sandbox: Any, done: Callable[[], Any], steps: int = 40) -> Any:
    for _ in range(steps):
        sandbox.advance(30)
        assert sandbox.wait_for_workers(timeout=120)
        if result := done():
            return result
    return None


def test_an_upload_under_the_watched_prefix_ends_with_labels(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any,
    unique_name: Callable[[str], str], tmp_path: Any,
) -> None:  # fmt: skip
    s3, ddb, logs = aws_client("s3"), aws_client("dynamodb"), aws_client("logs")
    bucket, table = unique_name("uploads"), unique_name("upload-labels")
    s3.create_bucket(Bucket=bucket)
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "image_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    queue = batch_queue(ces=[{"maxvCpus": 8}])["queue"]
    jobdef = job_definition(["python", "-m", "batchtui_worker.tagger"])
    name = unique_name("s3-event")
    marker = str(tmp_path / "ran")
    arn = make_function(aws_client, name, HANDLER,
                        {"JOB_QUEUE": queue, "JOB_DEFINITION": jobdef, "LABELS_TABLE": table},
                        marker)  # fmt: skip
    watch(aws_client, bucket, arn, "incoming/")
    invocations = sandbox.s3_lambda.invocations
    body = sample_images(1, seed=41)[0][1]
    s3.put_object(Bucket=bucket, Key="incoming/cat one.png", Body=body)
    s3.put_object(Bucket=bucket, Key="elsewhere/dog.png", Body=body)  # not watched

    item = step_until(sandbox, lambda: item_of(ddb, table, bucket, "incoming/cat one.png"))
    assert item is not None, "the upload was tagged"
    assert item["status"]["S"] == "tagged" and item["labels"]["L"]
    assert sandbox.s3_lambda.invocations == invocations + 1, "one event: the watched prefix's"
    assert item_of(ddb, table, bucket, "elsewhere/dog.png") is None
    lines = log_lines(logs, f"/aws/lambda/{name}")
    assert lines[0].startswith("START RequestId: ") and lines[-1].startswith("END RequestId: ")
    [result] = [json.loads(line) for line in lines if line.startswith("{")]
    [submitted] = result["submitted"]
    assert (result["event"], submitted["bucket"], submitted["images"]) == ("done", bucket, 1)
    manifest = s3.get_object(Bucket=bucket, Key=submitted["manifest"])["Body"].read()
    assert manifest == b"incoming/cat one.png\n"
    job = aws_client("batch").describe_jobs(jobs=[submitted["jobId"]])["jobs"][0]
    assert (job["status"], job["jobQueue"].rsplit("/", 1)[-1]) == ("SUCCEEDED", queue)
    assert not (tmp_path / "ran").exists(), "the function's uploaded code never runs"


def test_only_the_known_handler_runs_whatever_the_function_names(
    sandbox: Any, aws_client: Any, unique_name: Callable[[str], str], tmp_path: Any
) -> None:
    s3, logs = aws_client("s3"), aws_client("logs")
    bucket = unique_name("uploads")
    s3.create_bucket(Bucket=bucket)
    marker = str(tmp_path / "ran")
    names = {}
    for handler in ("handler.handler", "os.system", "batchtui_worker.tagger.main"):
        names[handler] = unique_name("not-the-handler")
        arn = make_function(aws_client, names[handler], handler,
                            {"PYTHONSTARTUP": "handler.py"}, marker)  # fmt: skip
        watch(aws_client, bucket, arn)
        before = sandbox.s3_lambda.invocations
        s3.put_object(Bucket=bucket, Key="a.png", Body=b"x")
        sandbox.advance(1)
        assert sandbox.wait_for_workers(timeout=60)
        assert sandbox.s3_lambda.invocations == before, handler
        assert log_lines(logs, f"/aws/lambda/{names[handler]}") == [
            f"batchtui sandbox: not invoked: handler {handler!r} is not one the sandbox runs "
            f"(it runs only {', '.join(sorted(HANDLERS))})"
        ]
    assert not (tmp_path / "ran").exists()


def test_the_demo_bucket_tags_what_is_uploaded_to_incoming(
    demo_sandbox: Any, aws_client: Any
) -> None:
    s3, ddb = aws_client(demo_sandbox, "s3"), aws_client(demo_sandbox, "dynamodb")
    config = s3.get_bucket_notification_configuration(Bucket=BUCKET)
    [trigger] = config["LambdaFunctionConfigurations"]
    assert trigger["LambdaFunctionArn"].endswith(f":function:{S3_EVENT_FUNCTION}")
    assert trigger["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": INCOMING_PREFIX}]
    key = f"{INCOMING_PREFIX}upload-from-the-test.png"
    with objects_removed_after(s3):
        s3.put_object(Bucket=BUCKET, Key=key, Body=sample_images(1, seed=77)[0][1])
        item = step_until(demo_sandbox, lambda: item_of(ddb, LABELS_TABLE, BUCKET, key))
    assert item is not None and item["status"]["S"] == "tagged"


@contextlib.contextmanager
def objects_removed_after(s3: Any) -> Iterator[None]:
    """The demo bucket as it was: moto's S3 is the whole test process's, so what a test uploads
    to the shared demo (and the manifests its jobs leave) would be seen by later tests."""
    before = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    try:
        yield
    finally:
        for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            if o["Key"] not in before:
                s3.delete_object(Bucket=BUCKET, Key=o["Key"])


def test_invoking_a_function_never_runs_its_code(
    sandbox: Any, aws_client: Any, unique_name: Callable[[str], str], tmp_path: Any
) -> None:
    """moto would run an uploaded function in Docker; anyone reaching the port can upload one."""
    marker = str(tmp_path / "ran")
    name = unique_name("uploaded-code")
    make_function(aws_client, name, "handler.handler", {}, marker)
    answer = aws_client("lambda").invoke(FunctionName=name, Payload=b"{}")
    assert answer["FunctionError"] == "Handled"
    assert json.loads(answer["Payload"].read()) == {
        "errorType": "SandboxRefused",
        "errorMessage": moto_glue.LAMBDA_NOT_RUN,
    }
    assert not (tmp_path / "ran").exists()


def test_the_printed_trigger_works_as_printed(
    sandbox: Any, aws_client: Any, batch_queue: Any, job_definition: Any,
    unique_name: Callable[[str], str], tmp_path: Any,
) -> None:  # fmt: skip
    """`submit --print-trigger`'s function and notification, set up in the sandbox's account
    (the profile's 123456789012 is moto's): S3 takes the configuration, and a camera's .JPG
    under the images prefix invokes the handler, a note beside it does not."""
    setup = trigger_setup(load_profile(str(REPO / "profiles" / "image-tagging.toml")))
    s3, lam, iam = aws_client("s3"), aws_client("lambda"), aws_client("iam")
    bucket = unique_name("printed-trigger")
    s3.create_bucket(Bucket=bucket)
    queue = batch_queue(ces=[{"maxvCpus": 8}])["queue"]
    jobdef = job_definition(["sh", "-c", "sleep 30"])
    role = unique_name("printed-trigger-role")
    iam.create_role(RoleName=role,
                    AssumeRolePolicyDocument=json.dumps(setup.trust_policy()))  # fmt: skip
    function = setup.function()
    function["FunctionName"] = name = unique_name("printed-trigger")
    function["Role"] = f"arn:aws:iam::123456789012:role/{role}"
    # The queue and job definition are the test's own: the session sandbox is shared.
    function["Environment"]["Variables"] |= {"JOB_QUEUE": queue, "JOB_DEFINITION": jobdef}
    arn = lam.create_function(**function, Code={"ZipFile": lambda_zip(str(tmp_path / "ran"))})
    notification = json.loads(json.dumps(setup.notification).replace(setup.function_arn,
                                                                      arn["FunctionArn"]))  # fmt: skip
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=notification)
    before = sandbox.s3_lambda.invocations
    s3.put_object(Bucket=bucket, Key="images/IMG_0001.JPG", Body=b"\xff\xd8\xff")
    s3.put_object(Bucket=bucket, Key="images/notes.txt", Body=b"not an image")
    s3.put_object(Bucket=bucket, Key="elsewhere/IMG_0002.JPG", Body=b"\xff\xd8\xff")
    sandbox.advance(1)
    assert sandbox.wait_for_workers(timeout=60)
    assert sandbox.s3_lambda.invocations == before + 1
    [result] = [json.loads(line) for line in log_lines(aws_client("logs"), f"/aws/lambda/{name}")
                if line.startswith("{")]  # fmt: skip
    [submitted] = result["submitted"]
    assert submitted["manifest"].startswith("manifests/")
    manifest = s3.get_object(Bucket=bucket, Key=submitted["manifest"])["Body"].read()
    assert manifest == b"images/IMG_0001.JPG\n"


def test_each_sandbox_delivers_the_uploads_it_was_sent(
    sandbox: Any, aws_client: Any, unique_name: Callable[[str], str], tmp_path: Any
) -> None:
    """moto's S3 is one per process; the sandbox that stored the object invokes the handler
    (its own Batch gets the job), and one stopping leaves the others' triggers working."""
    from batchtui.sandbox import Sandbox, SandboxConfig

    bucket = unique_name("two-sandboxes")
    aws_client("s3").create_bucket(Bucket=bucket)
    arn = make_function(aws_client, unique_name("two-sandboxes"), HANDLER,
                        {"JOB_QUEUE": "none", "JOB_DEFINITION": "none", "LABELS_TABLE": "none"},
                        str(tmp_path / "ran"))  # fmt: skip
    watch(aws_client, bucket, arn, "incoming/")  # not manifests/: the handler writes there
    before = sandbox.s3_lambda.invocations
    with Sandbox(SandboxConfig(seed="empty", manual_clock=True)) as other:
        aws_client(other, "s3").put_object(Bucket=bucket, Key="incoming/a.png", Body=b"x")
        other.advance(1)
        sandbox.advance(1)
        assert other.wait_for_workers(timeout=60) and sandbox.wait_for_workers(timeout=60)
        assert (other.s3_lambda.invocations, sandbox.s3_lambda.invocations) == (1, before)
    aws_client("s3").put_object(Bucket=bucket, Key="incoming/b.png", Body=b"x")
    sandbox.advance(1)
    assert sandbox.wait_for_workers(timeout=60)
    assert sandbox.s3_lambda.invocations == before + 1


def test_the_demo_tagger_runs_for_real_on_the_photos_when_given_no_manifest(
    demo_sandbox: Any, aws_client: Any
) -> None:
    """demo-image-tagger submitted plainly runs the real worker over photos/ (not over the
    manifests the S3-event function leaves in the bucket), and its logs are the worker's."""
    batch, logs = aws_client(demo_sandbox, "batch"), aws_client(demo_sandbox, "logs")
    with objects_removed_after(aws_client(demo_sandbox, "s3")):
        aws_client(demo_sandbox, "s3").put_object(Bucket=BUCKET, Key="manifests/left-over.txt",
                                                  Body=b"photos/none.png\n")  # fmt: skip
        _tag_the_photos(demo_sandbox, batch, logs)


def _tag_the_photos(demo_sandbox: Any, batch: Any, logs: Any) -> None:
    job_id = batch.submit_job(jobName="tag-the-photos", jobQueue="demo-main",
                              jobDefinition="demo-image-tagger")["jobId"]  # fmt: skip
    job = step_until(demo_sandbox, lambda: next(
        (j for j in batch.describe_jobs(jobs=[job_id])["jobs"]
         if j["status"] in ("SUCCEEDED", "FAILED")), None))  # fmt: skip
    assert job is not None and job["status"] == "SUCCEEDED", job
    events = logs.get_log_events(logGroupName="/batchtui/demo/tagger",
                                 logStreamName=job["container"]["logStreamName"])["events"]  # fmt: skip
    records = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
    assert records[0]["event"] == "start" and records[0]["images"] == 50
    keys = [r["key"] for r in records if r["event"] == "image"]
    assert len(keys) == 50 and all(k.startswith("photos/") for k in keys)
    assert records[-1]["event"] == "done" and sum(records[-1]["counts"].values()) == 50
