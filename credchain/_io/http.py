"""Network probes: the instance metadata service and container credential endpoints.

Both follow botocore's own fetch rules and use botocore's own HTTP stack
(``URLLib3Session``, ``AWSRequest``, ``ContainerMetadataFetcher``), so the same
responses give the same outcome. The IMDS probe differs in one respect only:
the IMDSv2 token request and the IMDSv1 role request go out concurrently, so a
silent metadata service costs one timeout where botocore spends two.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from typing import Any

import attrs


class _ProbeThreadFilter(logging.Filter):
    """Drop botocore's DEBUG records made in credchain's probe threads.

    ``ContainerMetadataFetcher`` logs response bodies — which may hold
    credentials — at DEBUG; credchain's own outputs never carry them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno <= logging.DEBUG and (record.threadName or "").startswith("credchain")
        )


_FILTER = _ProbeThreadFilter()
for _name in ("botocore.utils", "botocore.httpsession", "botocore.credentials"):
    logging.getLogger(_name).addFilter(_FILTER)

TOKEN_PATH = "latest/api/token"
ROLE_PATH = "latest/meta-data/iam/security-credentials/"
REQUIRED_FIELDS = ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")


@attrs.frozen
class IMDSResult:
    """What the IMDS credential fetch saw (``outcome`` names the branch botocore takes)."""

    outcome: str  # "credentials" | "unreachable" | "no-role" | "bad-credentials" | "raise"
    url: str
    detail: str
    role_name: str | None = None
    credentials: Any = None
    exception: BaseException | None = None
    v2: bool | None = None


def _url(base: str, path: str) -> str:
    return f"{base}{'' if base.endswith('/') else '/'}{path}"


class _Exceeded(Exception):
    """botocore's _RetriesExceededError: the fetch gives up and returns no credentials."""


def environ_proxies(url: str, env: Mapping[str, str]) -> dict[str, str]:
    """botocore's ``get_environ_proxies(url)`` (urllib's rules), reading ``env``, not os.environ."""
    import socket
    import urllib.request
    from urllib.parse import urlparse

    # urllib.request.getproxies_environment, over env: names ending in "_proxy" win.
    proxies: dict[str, str] = {}
    for name, value in env.items():
        if value and name.lower().endswith("_proxy"):
            proxies[name.lower()[:-6]] = value
    if "REQUEST_METHOD" in env:  # no HTTP_PROXY in CGI (CVE-2016-1000110)
        proxies.pop("http", None)
    for name, value in env.items():
        if name.endswith("_proxy"):
            if value:
                proxies[name.lower()[:-6]] = value
            else:
                proxies.pop(name.lower()[:-6], None)
    try:  # botocore's should_bypass_proxies
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if bypass(urlparse(url).netloc, proxies):
            return {}
    except (TypeError, socket.gaierror):
        pass
    return proxies


def probe_imds(
    base_url: str,
    timeout: float,
    attempts: int,
    v1_disabled: bool,
    user_agent: str,
    proxies: dict[str, str] | None = None,
) -> IMDSResult:
    """botocore's ``InstanceMetadataFetcher.retrieve_iam_role_credentials``, side by side.

    ``proxies``: those of the inspected environment; None reads os.environ, as botocore does.
    """
    from botocore.awsrequest import AWSRequest
    from botocore.exceptions import HTTPClientError, ReadTimeoutError
    from botocore.httpsession import URLLib3Session
    from botocore.utils import RETRYABLE_HTTP_ERRORS, get_environ_proxies

    if proxies is None:
        proxies = get_environ_proxies(base_url)
    http = URLLib3Session(timeout=timeout, proxies=proxies)
    headers_ua = {"User-Agent": user_agent}
    timed_out: list[str] = []

    def send(method: str, path: str, headers: dict[str, str]) -> Any:
        req = AWSRequest(method=method, url=_url(base_url, path), headers={**headers, **headers_ua})
        return http.send(req.prepare())

    def fetch_token() -> str | None:
        for _ in range(attempts):
            try:
                r = send("PUT", TOKEN_PATH, {"x-aws-ec2-metadata-token-ttl-seconds": "21600"})
                if r.status_code == 200:
                    return str(r.text)
                if r.status_code in (404, 403, 405):
                    return None
                if r.status_code == 400:
                    raise _BadRequest()
            except ReadTimeoutError:
                timed_out.append("token")
                return None
            except RETRYABLE_HTTP_ERRORS as e:
                if "Timeout" in type(e).__name__:
                    timed_out.append("token")
            except HTTPClientError as e:
                from urllib3.exceptions import LocationParseError

                if isinstance(e.kwargs.get("error"), LocationParseError):
                    from botocore.exceptions import InvalidIMDSEndpointError

                    raise InvalidIMDSEndpointError(
                        endpoint=_url(base_url, TOKEN_PATH), error=e
                    ) from e
                raise
        return None

    def get(path: str, token: str | None, check_json: bool = False) -> Any:
        headers = {"x-aws-ec2-metadata-token": token} if token is not None else {}
        for _ in range(attempts):
            try:
                r = send("GET", path, headers)
            except RETRYABLE_HTTP_ERRORS as e:
                if "Timeout" in type(e).__name__:
                    timed_out.append(path)
                continue
            if r.status_code != 200 or not r.content:
                continue
            if check_json:
                try:
                    json.loads(r.text)
                except ValueError:
                    continue
            return r
        raise _Exceeded()

    # Start the IMDSv1 role request beside the token request: botocore sends it only
    # after the token request fails, and gets the same answer then.
    v1: dict[str, Any] = {}

    def v1_role() -> None:
        try:
            v1["r"] = get(ROLE_PATH, None)
        except BaseException as e:
            v1["e"] = e

    v1_thread = None
    if not v1_disabled:
        v1_thread = threading.Thread(target=v1_role, daemon=True, name="credchain-imds-v1")
        v1_thread.start()
    try:
        try:
            token = fetch_token()
        except _BadRequest:
            return IMDSResult(
                "no-role", base_url, "the token request was refused with HTTP 400", v2=True
            )
        if not token and v1_disabled:  # botocore: an empty token counts as none here
            from botocore.exceptions import MetadataRetrievalError

            exc = MetadataRetrievalError(
                error_msg="Unable to retrieve token for use in IMDSv2 call and "
                "IMDSv1 has been disabled"
            )
            return IMDSResult(
                "raise",
                base_url,
                "no IMDSv2 token, and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)",
                exception=exc,
                v2=False,
            )
        if token is not None:
            role_response = get(ROLE_PATH, token)
        else:
            assert v1_thread is not None
            v1_thread.join()
            if "e" in v1:
                raise v1["e"]
            role_response = v1["r"]
        role_name = str(role_response.text)
        creds_response = get(ROLE_PATH + role_name, token, check_json=True)
        credentials = json.loads(creds_response.text)
    except _Exceeded:
        if timed_out:
            detail = f"no answer within {timeout:g} s"
            return IMDSResult("unreachable", base_url, detail, v2=None)
        return IMDSResult(
            "no-role", base_url, "reachable, but no IAM role is attached (or no answer)", v2=None
        )
    except Exception as e:
        return IMDSResult("raise", base_url, f"the metadata request failed: {e}", exception=e)
    if all(field in credentials for field in REQUIRED_FIELDS):
        return IMDSResult(
            "credentials",
            base_url,
            "role credentials returned",
            role_name=role_name,
            credentials=credentials,
            v2=token is not None,
        )
    return IMDSResult(
        "bad-credentials",
        base_url,
        f"role {role_name} returned no usable credentials",
        role_name=role_name,
        credentials=credentials,
        v2=token is not None,
    )


class _BadRequest(Exception):
    pass


def probe_container(url: str, headers: dict[str, str] | None, timeout: float | None) -> Any:
    """botocore's ``ContainerMetadataFetcher.retrieve_full_uri``, with its attempts.

    Returns the parsed JSON response or raises exactly what botocore's fetcher raises.
    """
    from botocore.httpsession import URLLib3Session
    from botocore.utils import ContainerMetadataFetcher

    t = timeout if timeout is not None else ContainerMetadataFetcher.TIMEOUT_SECONDS
    fetcher = ContainerMetadataFetcher(session=URLLib3Session(timeout=t), sleep=_short_sleep)
    return fetcher.retrieve_full_uri(url, headers=headers)


def _short_sleep(seconds: float) -> None:
    # botocore sleeps 1 s between its three attempts; the attempts matter, the pause doesn't.
    threading.Event().wait(min(seconds, 0.1))
