"""botocore failures become batchtui errors with messages a user can act on."""

import botocore.exceptions as bx
import pytest

from batchtui.aws.errors import translate
from batchtui.errors import (
    AccessDenied,
    AwsError,
    CredentialsError,
    EndpointUnreachable,
    ExitCode,
    NotFound,
    Throttled,
)


def client_error(code: str, message: str = "m") -> bx.ClientError:
    return bx.ClientError({"Error": {"Code": code, "Message": message}}, "SubmitJob")


@pytest.mark.parametrize(
    ("exc", "expected", "fragment"),
    [
        (client_error("AccessDeniedException"), AccessDenied, "batch:SubmitJob"),
        (client_error("ThrottlingException"), Throttled, "throttled"),
        (client_error("ExpiredTokenException"), CredentialsError, "expired"),
        (client_error("UnrecognizedClientException"), CredentialsError, "rejected"),
        (client_error("ResourceNotFoundException", "no such"), NotFound, "no such"),
        (client_error("ClientException", "JobQueue q not found"), AwsError, "JobQueue q not found"),
        (bx.NoCredentialsError(), CredentialsError, "no AWS credentials"),
        (bx.EndpointConnectionError(endpoint_url="http://x:1"), EndpointUnreachable, "http://x:1"),
        (bx.SSOTokenLoadError(error_msg="gone"), CredentialsError, "aws sso login"),
    ],
)
def test_translation(exc: Exception, expected: type, fragment: str) -> None:
    with pytest.raises(expected) as info, translate("batch", "SubmitJob"):
        raise exc
    assert fragment in str(info.value)
    assert info.value.exit_code == ExitCode.FAILED


def test_missing_credentials_name_a_custom_endpoint() -> None:
    """With --endpoint-url (a LocalStack or moto server) the message says where, and that any
    keys do for a local emulator: botocore signs before it connects."""
    with (
        pytest.raises(CredentialsError) as info,
        translate("batch", "ListJobs", endpoint="http://127.0.0.1:1"),
    ):
        raise bx.NoCredentialsError()
    assert "batch:ListJobs at http://127.0.0.1:1" in str(info.value)
    assert "AWS_ACCESS_KEY_ID" in str(info.value)
