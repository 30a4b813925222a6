"""``container-role``: ECS task roles and EKS Pod Identity — mirrors ``ContainerProvider``.

Reads ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (on ``http://169.254.170.2``)
or ``AWS_CONTAINER_CREDENTIALS_FULL_URI``, and the authorization token from
``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`` or ``AWS_CONTAINER_AUTHORIZATION_TOKEN``.
botocore commits as soon as either URI variable is set: a token file it can't
read, a host it doesn't allow, an endpoint that fails its three attempts, or a
response without the credential fields all raise. With ``network=False`` the
endpoint is not probed and the provider is reported as configured. The probe
makes botocore's three attempts within ``timeout=`` (default: botocore's
2 s container timeout) as a whole; cut short there, the finding is ``unknown``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from credchain._context import Context
from credchain._mask import safe_url
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error

RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"


@record
class ContainerProvider:
    """Inspector for botocore's ``ContainerProvider``."""

    METHOD: ClassVar[str] = "container-role"
    CANONICAL_NAME: ClassVar[str] = "EcsContainer"

    def inspect(self, ctx: Context, profile: str) -> Finding:
        env = ctx.env
        if RELATIVE not in env and FULL not in env:
            return Finding(Status.NOT_FOUND, f"{RELATIVE}, {FULL}", "neither variable is set.")
        var = RELATIVE if RELATIVE in env else FULL
        url = f"http://169.254.170.2{env[RELATIVE]}" if var == RELATIVE else env[FULL]
        shown = safe_url(url)  # without user info or sensitive query values
        source = f"{var} -> {shown}"
        fix = f"unset {var}"
        try:
            headers = _headers(ctx)
            _validate(url)
        except Exception as e:
            return error(e, source, f"botocore rejects the container endpoint set up: {e}", fix=fix)
        kind = "EKS Pod Identity" if "169.254.170.23" in url or "fd00:ec2::23" in url else "ECS"
        if not ctx.network:
            return Finding(
                Status.FOUND,
                source,
                f"{kind} container credentials endpoint {shown} (not probed: network=False); "
                "botocore would fetch credentials from it.",
                fix=fix,
                usable=None,
                usable_reason="the endpoint was not probed (network=False)",
            )
        from credchain._io.http import Cut, container_attempts, failure, probe_container

        attempts, request_timeout = container_attempts()
        bound = ctx.timeout if ctx.timeout is not None else request_timeout
        pending = ctx.probe(
            f"container {url}",
            lambda probe: probe_container(probe, url, headers),
            bound=bound,
            request_timeout=request_timeout,
            waits_for=f"the container credentials endpoint {url} (up to {bound:g} s)",
        )
        try:
            response = pending.result()
        except Cut as cut:
            return Finding(
                Status.UNKNOWN,
                source,
                f"{kind} container credentials endpoint {shown} "
                + ("was still sending its answer" if cut.still_answering else "gave no answer")
                + f" when credchain stopped at its bound of {bound:g} s; botocore would make "
                f"{attempts} attempts x {request_timeout:g} s (pausing 1 s after each) and "
                "raise CredentialRetrievalError unless one succeeds.",
                fix=fix,
            )
        except Exception as e:
            from botocore.exceptions import CredentialRetrievalError, MetadataRetrievalError

            said = f"the container endpoint {shown} failed: {e}"
            if isinstance(e, MetadataRetrievalError):
                status = re.search(r"non 200 response (\d+)", str(e))
                if e.__cause__ is not None:  # a connection that failed, as botocore tried it
                    said = failure(e.__cause__, shown or url, request_timeout)
                    said += f" ({attempts} attempts)"
                    said += ", so botocore raises CredentialRetrievalError"
                elif status is not None:  # said without the body, which may hold secrets
                    said = f"the container endpoint {shown} answered HTTP {status.group(1)} "
                    said += f"({attempts} attempts), so botocore raises CredentialRetrievalError"
                e = CredentialRetrievalError(provider=self.METHOD, error_msg=str(e))
            return error(e, source, said, fix=fix)
        try:
            return _credentials(ctx, response, source, kind, shown or "", fix)
        except Exception as e:
            return error(
                e, source, f"the container endpoint {shown} returned unusable data.", fix=fix
            )


def _headers(ctx: Context) -> dict[str, str] | None:
    """botocore's ``_build_headers``: the token file wins over the token variable."""
    token = None
    if TOKEN_FILE in ctx.env:
        token = ctx.read_as_botocore(ctx.env[TOKEN_FILE], what=f"the token file ({TOKEN_FILE})")
    elif TOKEN in ctx.env:
        token = ctx.env[TOKEN]
    if token is None:
        return None
    ctx.secrets.add(token.strip()) if token.strip() else None
    if "\r" in token or "\n" in token:
        raise ValueError("Auth token value is not a legal header value")
    return {"Authorization": token}


def _validate(url: str) -> None:
    """botocore's own ``ContainerMetadataFetcher._validate_allowed_url`` (it changes between
    versions: botocore 1.40 checks the host of an https URL too, later ones don't)."""
    from credchain._botocore import validate_container_url

    validate_container_url(url)


def _credentials(
    ctx: Context, response: Any, source: str, kind: str, url: str, fix: str
) -> Finding:
    # The same reads as botocore's fetch_creds, in the same order.
    access_key = response["AccessKeyId"]
    ctx.note_value("SecretAccessKey", response["SecretAccessKey"])
    ctx.note_value("Token", response["Token"])
    expiry = response["Expiration"]
    response.get("AccountId")
    from credchain._expiry import aware, is_expired, parse, relative

    expires_at = aware(parse(expiry))  # botocore's _parse_if_needed
    usable: bool | None = True
    usable_reason = None
    if expires_at is None:
        usable, usable_reason = False, "its Expiration has no time zone"
    elif is_expired(expires_at, ctx.now()):
        # botocore fetches again at first use and raises if they are still expired.
        usable = False
        usable_reason = f"the endpoint's credentials {relative(expires_at, ctx.now())}"
    role_arn = response.get("RoleArn") if isinstance(response.get("RoleArn"), str) else None
    if isinstance(access_key, str):
        ctx.key_ids.add(access_key)
    reason = f"{kind} container credentials from {url} (expiring {expiry})."
    if usable_reason:
        reason += f" But {usable_reason}: the first call fails unless a new fetch renews them."
    return Finding(
        Status.FOUND,
        source,
        reason,
        access_key=access_key if isinstance(access_key, str) else None,
        role_arn=role_arn,
        fix=fix,
        expires_at=expires_at,
        usable=usable,
        usable_reason=usable_reason,
    )
