"""Region, endpoints and every other botocore session variable, with where each comes from.

Mirrors ``botocore.session.Session(profile=...).get_config_variable(name)`` for
every name in ``botocore.configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES`` (read
from the installed botocore, so a variable credchain has never heard of is listed
too): the session's instance variable, then the environment variables, then the
profile's key in the config file merged with the credentials file
(``Session.full_config``), then botocore's default, converted by the table's
typecast. The value comes from :meth:`Context.var`, the same lookup the providers
use; this module adds the *source* of each value, a sentence for the region, and
the STS and SSO endpoints a client would use (built lazily, see :func:`endpoints_of`).
Nothing here opens a socket, reads ``os.environ`` behind the inspected mapping or
prints a password: URLs lose their userinfo and query before they are shown.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from collections.abc import Mapping
from typing import Any

from credchain._mask import scrub, scrub_short
from credchain._record import evolve, record

# botocore's ``region`` reads only AWS_DEFAULT_REGION; AWS_REGION is read by other SDKs
# (and by botocore only to pick ``defaults_mode=auto`` defaults inside AWS_EXECUTION_ENV).
OTHER_SDK_REGION_VAR = "AWS_REGION"
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/@\s]*)@")
_URL_QUERY = re.compile(r"(?P<url>[A-Za-z][A-Za-z0-9+.\-]*://[^\s?#]*)\?[^\s#]*")


@record
class Setting:
    """One botocore session variable: the value botocore would use and where it comes from.

    Attributes:
        name: botocore's logical name (``region``, ``sts_regional_endpoints``, …).
        value: what ``Session(...).get_config_variable(name)`` returns (None when
            unset without a default, or when botocore raises resolving it); URLs
            are shown without their userinfo and query.
        source: ``"AWS_DEFAULT_REGION"`` (an environment variable),
            ``"/home/me/.aws/config [profile dev], line 3"``, ``"session"`` (an
            instance variable of a passed session), ``"profile argument"``,
            ``"default"``, or ``"error: ..."`` when botocore raises.
        env_var: the environment variable(s) botocore reads it from (comma-separated
            when there are several; the one in effect when it supplied the value).
        config_key: the config-file key botocore reads it from, or None.
        error: the exception class botocore raises resolving it, else None.
        note: what follows from the value, when that is not obvious: what
            ``defaults_mode`` resolves to, what happens without a region.

    .. versionadded:: 0.2.0
    """

    name: str
    value: object
    source: str
    env_var: str | None = None
    config_key: str | None = None
    error: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``value`` and ``source`` first, then the rest."""
        d: dict[str, Any] = {
            "value": json_safe(self.value),
            "source": self.source,
            "env_var": self.env_var,
            "config_key": self.config_key,
        }
        if self.error is not None:
            d["error"] = self.error
        if self.note is not None:
            d["note"] = self.note
        return d


@record
class Endpoint:
    """Where a botocore client for ``service`` would send its requests.

    Attributes:
        service: the client name (``sts``, ``sso``).
        url: ``client.meta.endpoint_url`` (userinfo and query hidden), or None
            when the client cannot be built.
        region: ``client.meta.region_name`` (``aws-global`` for STS without a region).
        source: where the URL comes from: an environment variable, a file, section
            and line, or ``"botocore's endpoint rules"``.
        error: the exception class creating the client raises (``NoRegionError``,
            ``InvalidConfigError``…), else None.
        message: botocore's message for ``error``.

    .. versionadded:: 0.2.0
    """

    service: str
    url: str | None
    region: str | None
    source: str
    error: str | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "region": self.region,
            "source": self.source,
            "error": self.error,
            "message": self.message,
        }


def hide_userinfo(text: str) -> str:
    """``http://user:pass@host/x?token=y`` -> ``http://****@host/x?****``."""
    if "://" not in text:
        return text
    text = _URL_USERINFO.sub(lambda m: m.group("scheme") + "****@", text)
    return _URL_QUERY.sub(lambda m: m.group("url") + "?****", text)


def json_safe(value: object) -> object:
    """A value as JSON can carry it (botocore's values are str, int, bool, dict or None)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return repr(value)


def _shown(ctx: Any, value: object) -> object:
    """A value fit to print: no userinfo, no known secret, no unmasked key id."""
    if isinstance(value, str):
        # Memoised per inspection while no secret is added: every profile of a
        # listing shows its region through here.
        memo = _SHOWN.setdefault(ctx, {})
        key = (value, len(ctx.secrets), len(ctx.key_ids))
        if key not in memo:
            memo[key] = scrub_short(hide_userinfo(value), ctx.secrets, ctx.key_ids)
        return memo[key]
    if isinstance(value, Mapping):
        return {k: _shown(ctx, v) for k, v in value.items()}
    return value


# -- sources -------------------------------------------------------------------------------


def _names(env_names: Any) -> list[str]:
    if not env_names:
        return []
    return [env_names] if isinstance(env_names, str) else [str(n) for n in env_names]


def _config_key(config_name: Any) -> str | None:
    if config_name is None:
        return None
    if isinstance(config_name, str):
        return config_name
    if isinstance(config_name, tuple):
        return ".".join(config_name)
    return ", ".join(_config_key(c) or "" for c in config_name)


def _lookup(scoped: Mapping[str, Any], config_name: Any) -> Any:
    """``ScopedConfigProvider.provide`` (a list of names: the first that is set)."""
    if isinstance(config_name, list):
        for one in config_name:
            value = _lookup(scoped, one)
            if value is not None:
                return value
        return None
    if isinstance(config_name, tuple):
        section = scoped.get(config_name[0])
        return section.get(config_name[1]) if isinstance(section, dict) else None
    return scoped.get(config_name)


def profile_location(ctx: Any, profile: str, key: str) -> str:
    """``"<file> [section], line N"`` of ``key`` in the profile botocore scopes to.

    ``Session.full_config`` is the config file with the credentials file's
    sections merged over it, so a key in ``~/.aws/credentials`` wins and is named.
    """
    creds = ctx.expand(ctx.var("credentials_file"))
    with contextlib.suppress(Exception):  # ConfigNotFound: not in that file
        if key in ctx.ini(creds).get(profile, {}):
            return _where(ctx, creds, profile, key)
    config = ctx.expand(ctx.var("config_file"))
    cached = _SECTIONS.setdefault(ctx, {})
    if config not in cached:
        from botocore.configloader import build_profile_map

        sections: dict[str, str] = {}
        with contextlib.suppress(Exception):  # an unreadable file: named without a line
            for raw in ctx.ini(config):  # the last section naming a profile wins, as in botocore
                if raw == "default":
                    sections[raw] = raw
                elif raw.startswith("profile"):
                    name = _profile_of_section(raw, build_profile_map)
                    if name is not None:
                        sections[name] = raw
        cached[config] = sections
    return _where(ctx, config, cached[config].get(profile, profile), key)


# What shlex treats specially: without any of these, botocore's shlex.split of a section
# name is its split at spaces.
_SHLEX_SPECIAL = frozenset("\"'\\\t\r\n")


def _profile_of_section(raw: str, build_profile_map: Any) -> str | None:
    """The profile a ``[profile ...]`` section names for botocore's ``build_profile_map``."""
    if _SHLEX_SPECIAL.isdisjoint(raw):  # then shlex.split is a split at spaces
        parts = [part for part in raw.split(" ") if part]
        return parts[1] if len(parts) == 2 else None
    names = list(build_profile_map({raw: {}})["profiles"])
    return names[0] if names else None


# Per inspection (a Context lives for one): config file -> {profile name: its section}.
_SECTIONS: weakref.WeakKeyDictionary[Any, dict[str, dict[str, str]]] = weakref.WeakKeyDictionary()
# Per inspection: (value, number of secrets, number of key ids) -> the value as shown.
_SHOWN: weakref.WeakKeyDictionary[Any, dict[tuple[str, int, int], str]] = (
    weakref.WeakKeyDictionary()
)


def _where(ctx: Any, path: str, section: str, key: str) -> str:
    line = ctx.line_of(path, section, key)
    return f"{path} [{section}]" + (f", line {line}" if line else "")


def _source(ctx: Any, name: str, argument_vars: frozenset[str]) -> tuple[str, str | None]:
    """Where ``get_config_variable(name)`` takes its value: (source, env var in effect)."""
    from credchain import _botocore

    config_name, env_names, _default, _typecast = _botocore.session_variable(name)
    if ctx.instance_vars.get(name) is not None:
        return ("profile argument" if name in argument_vars else "session"), None
    for env_name in _names(env_names):
        if env_name in ctx.env:  # botocore takes a set variable even when empty
            return env_name, env_name
    if config_name is not None:
        scoped = ctx.scoped_config()
        for one in config_name if isinstance(config_name, list) else [config_name]:
            if _lookup(scoped, one) is not None:
                profile = ctx.var("profile") or "default"
                key = one if isinstance(one, str) else one[0]  # a nested key: its section's line
                return profile_location(ctx, profile, key), None
    return "default", None


def resolve(ctx: Any, name: str, argument_vars: frozenset[str] = frozenset()) -> Setting:
    """One session variable as botocore resolves it, with its source; never raises."""
    from credchain import _botocore

    config_name, env_names, _default, _typecast = _botocore.session_variable(name)
    env_text = ", ".join(_names(env_names)) or None
    try:
        value = ctx.var(name)
        source, env_var = _source(ctx, name, argument_vars)
    except Exception as e:
        message = scrub(hide_userinfo(" ".join(str(e).split())), ctx.secrets, ctx.key_ids)
        return Setting(
            name,
            None,
            f"error: botocore raises {type(e).__name__}: {message}",
            env_var=env_text,
            config_key=_config_key(config_name),
            error=type(e).__name__,
        )
    setting = Setting(
        name,
        _shown(ctx, value),
        source,
        env_var=env_var or env_text,
        config_key=_config_key(config_name),
    )
    note = _note(ctx, setting)
    return evolve(setting, note=note) if note else setting


def settings_of(ctx: Any, argument_vars: frozenset[str] = frozenset()) -> dict[str, Setting]:
    """Every session variable of the installed botocore, in its table's order."""
    from credchain import _botocore

    return {name: resolve(ctx, name, argument_vars) for name in _botocore.session_variable_names()}


# -- what follows from a value -------------------------------------------------------------


def _note(ctx: Any, s: Setting) -> str | None:
    if s.name == "region" and s.value is None:
        return no_region_note(ctx.env)
    if s.name == "region" and s.source not in ("AWS_DEFAULT_REGION",):
        other = ctx.env.get(OTHER_SDK_REGION_VAR)
        if other and other != s.value:
            return f"{OTHER_SDK_REGION_VAR}={other} is ignored: botocore reads AWS_DEFAULT_REGION."
        return None
    if s.name == "defaults_mode":
        return _defaults_mode_note(ctx, s.value)
    return None


def no_region_note(env: Mapping[str, str]) -> str:
    """What botocore does without a region (tests/test_settings.py checks it on botocore)."""
    text = (
        "no region is configured (AWS_DEFAULT_REGION, region in the profile): botocore "
        "never asks the instance metadata service for it; an STS client (assume-role, "
        "web identity) then uses the global endpoint https://sts.amazonaws.com "
        "(region aws-global), and clients of regional services raise NoRegionError."
    )
    if env.get(OTHER_SDK_REGION_VAR):
        text += (
            f" {OTHER_SDK_REGION_VAR}={env[OTHER_SDK_REGION_VAR]} is set, but botocore "
            "does not read it: set AWS_DEFAULT_REGION."
        )
    return text


def _defaults_mode_note(ctx: Any, mode: object) -> str:
    """``SmartDefaultsConfigStoreFactory.resolve_auto_mode``, as far as it is known offline."""
    if mode == "legacy":
        return "legacy: botocore applies no smart defaults."
    if mode != "auto":
        return f"{mode}: botocore applies the {mode!s} defaults when it creates a client."
    if ctx.env.get("AWS_EXECUTION_ENV"):
        current = ctx.env.get(OTHER_SDK_REGION_VAR, ctx.env.get("AWS_DEFAULT_REGION"))
        if current:
            try:
                region = ctx.var("region")
            except Exception:
                region = None
            resolved = "in-region" if region == current else "cross-region"
            return (
                f"auto resolves to {resolved}: the client region {region!r} against "
                f"{current!r} of the execution environment (AWS_EXECUTION_ENV is set)."
            )
    return (
        "auto: resolved when a client is created, by comparing its region with the "
        "instance metadata service's (botocore asks it then, once per session): "
        "in-region, cross-region, or standard when that region can't be fetched."
    )


# -- endpoints -----------------------------------------------------------------------------


def _configured_endpoint(ctx: Any, service: str) -> tuple[str | None, str]:
    """``ConfiguredEndpointProvider``'s lookup order, with the place each URL comes from."""
    service_id = service.replace("-", "_")
    env_name = f"AWS_ENDPOINT_URL_{service_id.upper()}"
    for name in (env_name, "AWS_ENDPOINT_URL"):
        if ctx.env.get(name):
            return ctx.env[name], name
    scoped = ctx.scoped_config()
    profile = ctx.var("profile") or "default"
    section_name = scoped.get("services")
    if section_name:
        section = ctx.full_config().get("services", {}).get(section_name) or {}
        url = (section.get(service_id.lower()) or {}).get("endpoint_url")
        if url:
            config = ctx.expand(ctx.var("config_file"))
            line = ctx.line_of(config, f"services {section_name}", "endpoint_url")
            where = f"{config} [services {section_name}] {service_id.lower()}.endpoint_url"
            return url, where + (f", line {line}" if line else "")
    if scoped.get("endpoint_url"):
        return scoped["endpoint_url"], profile_location(ctx, profile, "endpoint_url")
    return None, "botocore's endpoint rules"


def endpoint_of(ctx: Any, service: str, region: str | None = None) -> Endpoint:
    """The endpoint a client would use, from a client built for the inspected world."""
    from credchain import _botocore

    try:
        client = _botocore.offline_client(ctx, service, region)
        url, region_name = client.meta.endpoint_url, client.meta.region_name
        configured, source = _configured_endpoint(ctx, service)
        if configured is not None and ctx.var("ignore_configured_endpoint_urls"):
            source = "botocore's endpoint rules (ignore_configured_endpoint_urls is set)"
    except Exception as e:
        message = scrub(hide_userinfo(" ".join(str(e).split())), ctx.secrets, ctx.key_ids)
        return Endpoint(service, None, region, "-", type(e).__name__, message)
    shown = scrub(hide_userinfo(url), ctx.secrets, ctx.key_ids) if url else None
    return Endpoint(service, shown, region_name, source)


def endpoints_of(ctx: Any) -> dict[str, Endpoint]:
    """The STS endpoint (for assume-role and web identity) and, for an SSO profile, SSO's."""
    found = {"sts": endpoint_of(ctx, "sts")}
    sso_region = _sso_region(ctx)
    if sso_region is not None:
        found["sso"] = endpoint_of(ctx, "sso", sso_region)
    return found


def _sso_region(ctx: Any) -> str | None:
    """The ``sso_region`` the SSO provider gives its client (profile or its sso-session)."""
    try:
        scoped = ctx.scoped_config()
    except Exception:
        return None
    if scoped.get("sso_session"):
        session = ctx.full_config().get("sso_sessions", {}).get(scoped["sso_session"]) or {}
        region = session.get("sso_region")
    else:
        region = scoped.get("sso_region")
    return str(region) if region else None
