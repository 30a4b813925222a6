"""Expiry of temporary credentials and tokens: parsing as botocore does, and saying it.

botocore reads every expiry with ``_parse_if_needed`` (a ``datetime`` as is,
else ``dateutil.parser.parse``) and compares it with an aware "now"
(``_local_now``: ``datetime.now(tzlocal())``). An expiry without a time zone
therefore makes botocore fail at first use (``TypeError``: naive and aware
datetimes cannot be compared); credchain reports that instead of guessing one.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

UTC = datetime.timezone.utc


def system_clock() -> datetime.datetime:
    """The default clock: an aware "now" in UTC."""
    return datetime.datetime.now(UTC)


def parse(value: Any) -> datetime.datetime:
    """botocore's ``_parse_if_needed``: a datetime as is, else dateutil's parse (may raise)."""
    if isinstance(value, datetime.datetime):
        return value
    from dateutil.parser import parse as dateutil_parse

    parsed: datetime.datetime = dateutil_parse(value)
    return parsed


def aware(value: datetime.datetime) -> datetime.datetime | None:
    """The datetime if it carries a time zone, else None (botocore fails on it)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return None
    return value


def iso_utc(value: datetime.datetime) -> str:
    """``2026-12-01T15:00:00Z``: ISO 8601 in UTC, to the second."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def span(delta: datetime.timedelta) -> str:
    """A duration for people: ``42 s``, ``42 min``, ``3 h``, ``3 h 20 min``, ``2 days``."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {minutes} min" if minutes and hours < 10 else "")
    days = hours // 24
    return f"{days} days"


def relative(expires_at: datetime.datetime, now: datetime.datetime) -> str:
    """``expires in 42 min`` or ``expired 3 h ago``, seen from ``now``."""
    delta = expires_at - now
    if delta.total_seconds() > 0:
        return f"expires in {span(delta)}"
    return f"expired {span(delta)} ago"


def is_expired(expires_at: datetime.datetime, now: datetime.datetime) -> bool:
    return expires_at <= now


_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", re.ASCII)


def parse_duration(text: str) -> datetime.timedelta:
    """``90s``, ``30m``, ``1h``, ``1h30m``, ``2d`` or plain seconds (``3600``, ``0.5``).

    Raises:
        ValueError: not a duration, or not a positive one.
    """
    raw = text.strip().lower()
    value: datetime.timedelta | None = None
    try:
        value = datetime.timedelta(seconds=float(raw))
    except (ValueError, OverflowError):
        m = _DURATION.fullmatch(raw)
        if raw and m and any(m.groups()):
            d, h, mi, s = (int(g) if g else 0 for g in m.groups())
            value = datetime.timedelta(days=d, hours=h, minutes=mi, seconds=s)
    if value is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 30m, 1h, 1h30m or seconds)")
    if value <= datetime.timedelta(0):
        raise ValueError(f"must be a positive duration: {text!r}")
    return value
