"""Who may talk to the sandbox: requests signed with AWS Signature Version 4.

Every request must carry a SigV4 signature, in the ``Authorization`` header or as a presigned
URL's query string, as AWS requires. When the sandbox holds credentials of its own
(:func:`mint_credentials`), the signature is recomputed with botocore's signer over the request
as it arrived, and a request signed with other keys is refused; otherwise any keys are accepted,
as moto accepts them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from botocore.auth import HmacV1Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials
from botocore.utils import normalize_url_path

_HEADER = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request\s*,"
    r"\s*SignedHeaders=([a-z0-9;\-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$"
)
_SCOPE = re.compile(r"^([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request$")
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


class SignatureProblem(Exception):
    """Why a request is refused; ``code`` is AWS's error code for it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Signature:
    """The SigV4 parts of one request."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str
    presigned: bool
    #: S3's older query signing (what boto3's generate_presigned_url makes by default).
    v2_expires: str = ""


def mint_credentials() -> tuple[str, str]:
    """A fresh access key id and secret for one run of the sandbox, shaped like AWS's."""
    key_id = "ASIA" + "".join(secrets.choice(_BASE32) for _ in range(16))
    return key_id, secrets.token_urlsafe(30)


def _query_pairs(environ: dict[str, Any]) -> list[tuple[str, str]]:
    # unquote, not unquote_plus: SigV4 clients encode a space as %20, and a literal '+' was signed.
    pairs = []
    for part in environ.get("QUERY_STRING", "").split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return pairs


def read_signature(environ: dict[str, Any]) -> Signature | None:
    """The request's signature, None when it carries none; malformed ones raise."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if auth:
        m = _HEADER.match(auth.strip())
        if m is None:
            raise SignatureProblem(
                "IncompleteSignatureException",
                "Authorization header requires a SigV4 Credential, SignedHeaders and Signature.",
            )
        key, date, region, service, headers, signature = m.groups()
        timestamp = environ.get("HTTP_X_AMZ_DATE", "")
        if not timestamp.startswith(date):
            raise SignatureProblem(
                "IncompleteSignatureException",
                "The X-Amz-Date header is missing or does not match the credential scope's date.",
            )
        return Signature(key, date, region, service, tuple(headers.split(";")), signature,
                         timestamp, presigned=False)  # fmt: skip
    query = dict(_query_pairs(environ))
    if {"AWSAccessKeyId", "Signature", "Expires"} <= set(query):
        return Signature(query["AWSAccessKeyId"], "", "us-east-1", "s3", (), query["Signature"],
                         "", presigned=True, v2_expires=query["Expires"])  # fmt: skip
    if "X-Amz-Signature" not in query and "X-Amz-Credential" not in query:
        return None
    scope = _SCOPE.match(query.get("X-Amz-Credential", ""))
    signature = query.get("X-Amz-Signature", "")
    timestamp = query.get("X-Amz-Date", "")
    if (
        scope is None
        or query.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256"
        or not re.fullmatch(r"[0-9a-f]{64}", signature)
        or not timestamp.startswith(scope.group(2))
    ):
        raise SignatureProblem(
            "AuthorizationQueryParametersError",
            "A presigned URL needs X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, "
            "X-Amz-SignedHeaders and X-Amz-Signature.",
        )
    key, date, region, service = scope.groups()
    headers = tuple(query.get("X-Amz-SignedHeaders", "host").split(";"))
    return Signature(key, date, region, service, headers, signature, timestamp, presigned=True)


def _header(environ: dict[str, Any], name: str) -> str | None:
    if name == "content-type":
        return environ.get("CONTENT_TYPE")
    if name == "content-length":
        return environ.get("CONTENT_LENGTH")
    return environ.get("HTTP_" + name.upper().replace("-", "_"))


def _canonical_request(
    signer: SigV4Auth, sig: Signature, environ: dict[str, Any], body: bytes
) -> str:
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
    path = raw.split("?", 1)[0]
    if sig.service != "s3":  # S3 signs the path as sent; every other service encodes it again
        path = quote(normalize_url_path(path), safe="/~")
    query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, v in sorted(_query_pairs(environ))
        if not (sig.presigned and k == "X-Amz-Signature")
    )
    headers = HTTPHeaders()
    for name in sig.signed_headers:
        value = _header(environ, name)
        if value is None:
            raise SignatureProblem(
                "IncompleteSignatureException", f"The signed header {name!r} is missing."
            )
        headers[name] = value
    payload = _header(environ, "x-amz-content-sha256")
    if payload is None:
        payload = UNSIGNED_PAYLOAD if sig.presigned else hashlib.sha256(body).hexdigest()
    elif re.fullmatch(r"[0-9a-f]{64}", payload) and payload != hashlib.sha256(body).hexdigest():
        raise SignatureProblem(
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
    return "\n".join(
        [
            environ.get("REQUEST_METHOD", "GET").upper(),
            path,
            query,
            signer.canonical_headers(headers) + "\n",
            signer.signed_headers(headers),
            payload,
        ]
    )


def verify(
    sig: Signature, environ: dict[str, Any], body: bytes, credentials: tuple[str, str]
) -> None:
    """Raise :class:`SignatureProblem` unless ``sig`` was made with ``credentials``."""
    if not hmac.compare_digest(sig.access_key, credentials[0]):
        raise SignatureProblem(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    if sig.v2_expires:
        _verify_v2(sig, environ, credentials)
        return
    signer = SigV4Auth(Credentials(*credentials), sig.service, sig.region)
    request = AWSRequest(method=environ.get("REQUEST_METHOD", "GET"), url="http://sandbox/")
    request.context["timestamp"] = sig.timestamp
    canonical = _canonical_request(signer, sig, environ, body)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, sig.signature):
        raise SignatureProblem(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
        )


def _verify_v2(sig: Signature, environ: dict[str, Any], credentials: tuple[str, str]) -> None:
    """S3's query-string signing (HMAC-SHA1 over method, expiry and resource)."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
    signer = HmacV1Auth(Credentials(*credentials))
    resource = signer.canonical_resource(urlsplit(raw), auth_path=raw.split("?", 1)[0])
    string_to_sign = "\n".join(
        [
            environ.get("REQUEST_METHOD", "GET").upper(),
            _header(environ, "content-md5") or "",
            _header(environ, "content-type") or "",
            sig.v2_expires,
            resource,
        ]
    )
    if not hmac.compare_digest(signer.sign_string(string_to_sign), sig.signature):
        raise SignatureProblem(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
