"""credchain's exceptions.

Every exception keeps structured fields, builds its message from them and
defines ``__reduce__`` so that it survives pickling (pytest-xdist sends failures
between processes). No field ever holds a secret: access key ids are masked
(first 4 and last 4 characters), and text that comes from botocore or STS is
scrubbed before it is stored.
"""

from __future__ import annotations

from typing import Any

from credchain._mask import mask_key, scrub, scrub_optional

__all__ = [
    "CredchainError",
    "IdentityError",
    "RoleAssertionError",
    "UnsupportedBotocoreError",
]


def _rebuild(cls: type[Any], kwargs: dict[str, Any]) -> Any:
    """Unpickle an exception from its keyword fields."""
    return cls(**kwargs)


class CredchainError(Exception):
    """Base class of every exception credchain raises on purpose.

    .. versionadded:: 0.1.0
    """


class UnsupportedBotocoreError(CredchainError):
    """The installed botocore is older than credchain supports, or built in a way it cannot read.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        message: str = "",
        *,
        botocore_version: str | None = None,
        minimum: str | None = None,
    ) -> None:
        self.botocore_version = botocore_version
        self.minimum = minimum
        if not message:
            found = botocore_version or "unknown"
            message = f"botocore {found} is not supported"
            if minimum:
                message += f"; credchain needs botocore >= {minimum}"
        self.detail = scrub(message)
        super().__init__(self.detail)

    def __reduce__(self) -> tuple[Any, ...]:
        kwargs = {
            "message": self.detail,
            "botocore_version": self.botocore_version,
            "minimum": self.minimum,
        }
        return (_rebuild, (type(self), kwargs))


class IdentityError(CredchainError):
    """``sts:GetCallerIdentity`` could not tell who the credentials belong to.

    Attributes:
        code: STS's error code (``"ExpiredToken"``, ``"InvalidClientTokenId"``,
            ``"AccessDenied"``…) or the name of the botocore exception
            (``"EndpointConnectionError"``, ``"NoCredentialsError"``,
            ``"CredentialRetrievalError"``…).
        kind: ``"refused"`` (STS answered with an error), ``"unreachable"`` (no
            answer: connection, timeout, TLS, proxy), ``"no-credentials"`` or
            ``"credentials"`` (botocore failed while loading the credentials).
        detail: the scrubbed error message.
        endpoint: the STS endpoint URL the call went to (without user info), if known.
        provider: the METHOD of the credentials used, if botocore got that far.

    .. versionadded:: 0.1.0
    """

    EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        kind: str = "refused",
        endpoint: str | None = None,
        provider: str | None = None,
    ) -> None:
        self.code = scrub(code)
        self.detail = scrub(detail)
        self.kind = kind
        self.endpoint = scrub_optional(endpoint)
        self.provider = provider
        super().__init__(scrub(self._message()))

    @property
    def expired(self) -> bool:
        """True when STS said the credentials (or the signed request) have expired."""
        return self.code in self.EXPIRED_CODES

    def _message(self) -> str:
        where = f" at {self.endpoint}" if self.endpoint else ""
        what = {
            "refused": f"STS{where} refused the credentials",
            "unreachable": f"STS{where} could not be reached",
            "no-credentials": "botocore found no credentials to call STS with",
            "credentials": "botocore failed while loading the credentials",
        }.get(self.kind, f"sts:GetCallerIdentity{where} failed")
        if self.expired:
            what += " (they have expired)"
        detail = f": {self.detail}" if self.detail else ""
        return f"{what} — {self.code}{detail}"

    def __reduce__(self) -> tuple[Any, ...]:
        kwargs = {
            "code": self.code,
            "detail": self.detail,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "provider": self.provider,
        }
        return (_rebuild, (type(self), kwargs))


class RoleAssertionError(CredchainError, AssertionError):
    """The credentials botocore would use are not the role that was required.

    Raised by :func:`credchain.assert_role` and :func:`credchain.require_role`.
    The message is built from the fields below: what was expected, what
    botocore would use instead and from where, what it shadows, and the fix.

    Attributes:
        problem: one sentence saying what is wrong ("these are long-term IAM
            user keys, not a role").
        expected_role: the ``role`` argument (name, ARN or glob), or None for "any role".
        expected_account: the ``account`` argument, or None.
        actual: the caller ARN STS returned (when verified), else None.
        verified: whether ``actual`` comes from ``sts:GetCallerIdentity``.
        provider: the METHOD of the provider botocore would use (or that raises).
        source: where that provider found them: file and ``[section]``, or
            environment variable names, or a URL.
        access_key: the access key id, masked (first 4 and last 4 characters).
        shadowed: one line per provider the winner hides ("iam-role: role
            ExampleInstanceRole (…)").
        fix: what to change.
        report: the :class:`credchain.Report` it was decided from (not pickled).

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        problem: str,
        *,
        expected_role: str | None = None,
        expected_account: str | None = None,
        actual: str | None = None,
        verified: bool = False,
        provider: str | None = None,
        source: str | None = None,
        access_key: str | None = None,
        shadowed: tuple[str, ...] | list[str] = (),
        fix: str | None = None,
        report: Any = None,
    ) -> None:
        self.problem = scrub(problem)
        self.expected_role = scrub_optional(expected_role)
        self.expected_account = expected_account
        self.actual = scrub_optional(actual)
        self.verified = verified
        self.provider = provider
        self.source = scrub_optional(source)
        self.access_key = mask_key(access_key)
        self.shadowed = tuple(scrub(s) for s in shadowed)
        self.fix = scrub_optional(fix)
        self.report = report
        super().__init__(scrub(self._message()))

    @property
    def expected(self) -> str:
        """What was required, as words: "role 'X' in account 123456789012"."""
        what = f"role {self.expected_role!r}" if self.expected_role else "role credentials"
        if self.expected_account:
            what += f" in account {self.expected_account}"
        return what

    def _message(self) -> str:
        lines = [f"expected {self.expected}, but {self.problem}"]
        rows: list[tuple[str, str]] = []
        if self.actual:
            how = "verified with sts:GetCallerIdentity" if self.verified else "from configuration"
            rows.append(("botocore uses", f"{self.actual} ({how})"))
        if self.provider:
            where = self.provider
            if self.source:
                where += f" from {self.source}"
            if self.access_key:
                where += f" (access key {self.access_key})"
            rows.append(("provider", where))
        rows.extend(("shadowed", s) for s in self.shadowed)
        if self.fix:
            rows.append(("fix", self.fix))
        lines.extend(f"  {label + ':':<15}{value}" for label, value in rows)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        kwargs = {
            "problem": self.problem,
            "expected_role": self.expected_role,
            "expected_account": self.expected_account,
            "actual": self.actual,
            "verified": self.verified,
            "provider": self.provider,
            "source": self.source,
            "access_key": self.access_key,
            "shadowed": self.shadowed,
            "fix": self.fix,
        }
        return (_rebuild, (type(self), kwargs))
