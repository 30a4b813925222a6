"""IAM and STS ARNs as values, and the rules for matching an expected role.

Parsing splits an ARN with botocore's own ``botocore.utils.ArnParser`` (compiled
from botocore's source while the heavy ``botocore.utils`` is not loaded) and
classifies the resource:

- ``arn:aws:iam::123456789012:user/path/Name`` — an IAM user
- ``arn:aws:iam::123456789012:root`` — the account root
- ``arn:aws:iam::123456789012:role/app/Worker`` — an IAM role (with a path)
- ``arn:aws:sts::123456789012:assumed-role/Worker/i-0abc`` — a role session, what
  ``sts:GetCallerIdentity`` returns for role credentials (never with the path)
- ``arn:aws:sts::123456789012:federated-user/Name`` — ``sts:GetFederationToken``
- IAM Identity Center roles: ``AWSReservedSSO_<PermissionSet>_<hex>``, as a role
  under ``/aws-reserved/sso.amazonaws.com/`` or as an assumed role.

Any partition is accepted (``aws``, ``aws-cn``, ``aws-us-gov``, …).
"""

from __future__ import annotations

import enum
import re
from fnmatch import fnmatchcase

from credchain._record import record

__all__ = ["Arn", "ArnKind", "Match", "RoleRef", "match_role", "parse_arn", "role_matches"]

_SSO_NAME = re.compile(r"^AWSReservedSSO_(?P<permission_set>.+)_(?P<suffix>[0-9a-fA-F]+|\*)$")
_SSO_PATTERN = re.compile(r"^AWSReservedSSO_(?P<permission_set>.+)_(?P<suffix>[^_]*)$")
_SSO_PREFIX = "AWSReservedSSO_"


class ArnKind(str, enum.Enum):
    """What an IAM or STS ARN names.

    .. versionadded:: 0.1.0
    """

    USER = "user"
    ROOT = "root"
    ROLE = "role"
    ASSUMED_ROLE = "assumed-role"
    FEDERATED_USER = "federated-user"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


def sso_permission_set(role_name: str | None) -> str | None:
    """The permission set of an IAM Identity Center role name, else None."""
    if not role_name:
        return None
    m = _SSO_NAME.match(role_name)
    return m.group("permission_set") if m else None


@record
class Arn:
    """A parsed ARN, classified for identities.

    ``name`` is the user, role or federated-user name (None for root and other
    resources); ``path`` is the IAM path (``"/"`` when none); ``session_name``
    is set for assumed roles.

    .. versionadded:: 0.1.0
    """

    partition: str
    service: str
    region: str
    account: str
    resource: str
    kind: ArnKind
    name: str | None = None
    path: str = "/"
    session_name: str | None = None

    @property
    def role_name(self) -> str | None:
        """The role name for a role or assumed-role ARN, else None."""
        return self.name if self.kind in (ArnKind.ROLE, ArnKind.ASSUMED_ROLE) else None

    @property
    def is_role(self) -> bool:
        """True for IAM role and assumed-role ARNs."""
        return self.role_name is not None

    @property
    def sso_permission_set(self) -> str | None:
        """For an IAM Identity Center role (``AWSReservedSSO_<set>_<hex>``), the permission set."""
        return sso_permission_set(self.role_name)

    def __str__(self) -> str:
        return ":".join(
            ("arn", self.partition, self.service, self.region, self.account, self.resource)
        )


def parse_arn(text: str) -> Arn:
    """Parse and classify an ARN.

    Args:
        text: an ARN such as ``arn:aws:sts::123456789012:assumed-role/Worker/i-0abc``.

    Returns:
        The :class:`Arn`; resources other than users, root, roles, assumed
        roles and federated users have kind :attr:`ArnKind.OTHER`.

    Raises:
        ValueError: ``text`` is not an ARN.

    .. versionadded:: 0.1.0
    """
    from credchain._botocore import from_utils

    if not isinstance(text, str) or not text.startswith("arn:"):
        raise ValueError(f"not an ARN: {text!r}")
    parts = from_utils("ArnParser")().parse_arn(text)  # InvalidArnException is a ValueError
    fields = {k: str(parts[k]) for k in ("partition", "service", "region", "account", "resource")}
    return Arn(**fields, **_classify(fields["service"], fields["resource"]))  # type: ignore[arg-type]


def _classify(service: str, resource: str) -> dict[str, object]:
    kind, _, rest = resource.partition("/")
    if service == "iam" and resource == "root":
        return {"kind": ArnKind.ROOT}
    if service == "iam" and kind in ("user", "role") and rest:
        path, _, name = ("/" + rest).rpartition("/")
        return {"kind": ArnKind(kind), "name": name, "path": path + "/"}
    if service == "sts" and kind == "assumed-role" and rest:
        role, _, session = rest.partition("/")
        return {"kind": ArnKind.ASSUMED_ROLE, "name": role, "session_name": session or None}
    if service == "sts" and kind == "federated-user" and rest:
        return {"kind": ArnKind.FEDERATED_USER, "name": rest}
    return {"kind": ArnKind.OTHER}


@record
class RoleRef:
    """A role as far as it is known — from a caller ARN, or from configuration alone.

    Any field may be None, meaning "not known". ``sso_permission_set`` alone
    (``name`` None) is an IAM Identity Center role known only from
    ``sso_role_name``: STS will call it ``AWSReservedSSO_<set>_<unknown suffix>``.
    """

    name: str | None
    account: str | None = None
    partition: str | None = None
    session_name: str | None = None
    sso_permission_set: str | None = None

    @classmethod
    def from_arn(cls, arn: Arn) -> RoleRef:
        """The role of a role or assumed-role ARN. Raises ValueError for other ARNs."""
        if not arn.is_role:
            raise ValueError(f"not a role ARN: {arn}")
        return cls(
            name=arn.role_name,
            account=arn.account or None,
            partition=arn.partition or None,
            session_name=arn.session_name,
            sso_permission_set=arn.sso_permission_set,
        )

    @classmethod
    def from_config(cls, text: str, *, sso: bool = False) -> RoleRef:
        """A role from configuration: a role ARN, ``role/path/Name`` or a bare name.

        With ``sso=True`` the name is an ``sso_role_name`` (a permission set), not
        the role name STS will report.
        """
        account = partition = None
        name: str | None
        if text.startswith("arn:"):
            arn = parse_arn(text)
            if not arn.is_role:
                raise ValueError(f"not a role ARN: {text}")
            name, account, partition = arn.role_name, arn.account, arn.partition
        else:
            name = text.rstrip("/").rpartition("/")[2]
        account = account if account and account != "*" else None
        if sso:
            return cls(
                None, account, partition, sso_permission_set=sso_permission_set(name) or name
            )
        return cls(name, account, partition, sso_permission_set=sso_permission_set(name))


class Match(enum.Enum):
    """Whether a role matches what was expected: yes, no, or not knowable offline."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@record
class _Pattern:
    name: str
    partition: str | None = None
    account: str | None = None
    session_name: str | None = None


def _pattern(expected: str) -> _Pattern:
    """Read ``expected``: a role name or glob, an IAM role ARN, or an assumed-role ARN."""
    if not isinstance(expected, str) or not expected.strip():
        raise ValueError("the expected role must be a non-empty role name, ARN or glob")
    if expected.startswith("arn:"):
        arn = parse_arn(expected)
        if not arn.is_role:
            raise ValueError(
                f"expected a role name, an IAM role ARN or an assumed-role ARN, got {expected!r}"
            )
        return _Pattern(str(arn.role_name), arn.partition, arn.account, arn.session_name)
    name = expected.rstrip("/").rpartition("/")[2]  # "app/Worker" and "role/app/Worker" name Worker
    if not name:
        raise ValueError(f"no role name in {expected!r}")
    return _Pattern(name)


def _part(pattern: str | None, value: str | None) -> Match:
    if pattern is None:
        return Match.YES
    if value is None:
        return Match.UNKNOWN
    return Match.YES if fnmatchcase(value, pattern) else Match.NO


def _name(pattern: str, ref: RoleRef) -> Match:
    if ref.name is not None:
        names = [ref.name, ref.sso_permission_set]
        return Match.YES if any(n and fnmatchcase(n, pattern) for n in names) else Match.NO
    permission_set = ref.sso_permission_set
    if permission_set is None:
        return Match.UNKNOWN
    # Offline IAM Identity Center role: STS will say AWSReservedSSO_<set>_<suffix>, suffix
    # unknown. A literal "*" stands for it, so only a wildcard in the pattern can match it.
    template = f"{_SSO_PREFIX}{permission_set}_*"
    if fnmatchcase(permission_set, pattern) or fnmatchcase(template, pattern):
        return Match.YES
    m = _SSO_PATTERN.match(pattern)
    if m and fnmatchcase(permission_set, m.group("permission_set")):
        return Match.UNKNOWN  # the right permission set; its suffix needs STS
    return Match.NO


def match_role(expected: str, ref: RoleRef) -> Match:
    """Whether ``ref`` is the role ``expected`` describes.

    Args:
        expected: a role name or ``fnmatch`` glob on the name, an IAM role ARN
            (its path is ignored; partition and account must match), or an
            assumed-role ARN (its session name, when present, must match too).
            Globs work in every part of an ARN.
        ref: the role to test.

    Returns:
        :attr:`Match.YES`, :attr:`Match.NO`, or :attr:`Match.UNKNOWN` when a part
        that matters is not known (offline: account, session, SSO suffix).

    Raises:
        ValueError: ``expected`` is empty or an ARN that names no role.
    """
    pattern = _pattern(expected)
    results = (
        _part(pattern.partition, ref.partition),
        _part(pattern.account, ref.account),
        _part(pattern.session_name, ref.session_name),
        _name(pattern.name, ref),
    )
    if Match.NO in results:
        return Match.NO
    return Match.UNKNOWN if Match.UNKNOWN in results else Match.YES


def role_matches(expected: str, identity_arn: str) -> bool:
    """Whether the caller ``identity_arn`` is the role ``expected`` describes.

    Matching is case-sensitive (``fnmatch.fnmatchcase``) and works on the role
    name, so an IAM role ARN with a path matches the assumed-role ARN STS
    returns for it (which has no path). An IAM Identity Center role
    ``AWSReservedSSO_<PermissionSet>_<hex>`` also answers to its permission
    set name. Users, root and federated users never match.

    Args:
        expected: a role name, a glob on the name (``"AWSReservedSSO_Admin_*"``),
            an IAM role ARN or an assumed-role ARN.
        identity_arn: the ARN to test, usually ``sts:GetCallerIdentity``'s ``Arn``.

    Returns:
        True when ``identity_arn`` is a role or assumed-role ARN that matches.

    Raises:
        ValueError: either argument is malformed, or ``expected`` is an ARN
            that names no role.

    .. versionadded:: 0.1.0
    """
    arn = parse_arn(identity_arn)
    _pattern(expected)  # validate even when the identity is not a role
    if not arn.is_role:
        return False
    return match_role(expected, RoleRef.from_arn(arn)) is Match.YES
