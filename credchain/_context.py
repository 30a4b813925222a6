"""Context: everything a provider may touch — environment, files, network, processes.

Providers never read ``os.environ`` or the file system themselves; they ask the
context, which mirrors a ``botocore.session.Session`` seen through the given
environment: the same session variables (botocore's own table), the same lazy
``full_config`` and ``get_scoped_config`` with the same exceptions at the same
moment, and ``~`` / ``$VAR`` expanded with the inspected environment's HOME.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from credchain import _botocore
from credchain._io import files

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from credchain._io import process
    from credchain._io.http import Pending, Probe

T = TypeVar("T")
A = TypeVar("A")

_VAR = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


class Context:
    """One inspection's view of the world (one per ``explain()`` call)."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        instance_vars: Mapping[str, Any] | None = None,
        network: bool = True,
        run_process: bool = False,
        timeout: float | None = None,
        is_process_env: bool = False,
        clock: Callable[[], datetime.datetime] | None = None,
    ) -> None:
        self.env = env
        self.instance_vars = dict(instance_vars or {})
        self.network = network
        self.run_process = run_process
        self.timeout = timeout
        self.is_process_env = is_process_env
        self.reached = True  # False while inspecting below the winner: run nothing there
        self._ini_cache: dict[str, Any] = {}
        self._profile_maps: dict[str, Any] = {}
        self._line_index: dict[str, dict[tuple[str, str], int]] = {}
        self._expanded: dict[str, str] = {}
        self._reads: dict[tuple[str, bool], Any] = {}
        self.inspectors: dict[Any, Any] = {}
        self.memo: dict[Any, Any] = {}  # work shared across profiles (source-profile walks)
        self._vars: dict[tuple[Any, ...], Any] = {}  # built chains, see _chain.build_chain
        self._full_config: dict[str, Any] | None = None
        self._probes: dict[str, Pending[Any]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        # Told when a probe starts (what it waits for); returns what to call when it ends.
        # The command line draws a progress line with it; the library prints nothing.
        self.on_wait: Callable[[str], Callable[[], None]] | None = None
        self._clock = clock
        self._now: datetime.datetime | None = None

    # Sets that keep scrub's index of their values as they grow (see _mask.SecretSet),
    # made on first use: a network probe can start before credchain._mask loads.
    @functools.cached_property
    def secrets(self) -> set[str]:
        """The secret values read in this inspection: never printed."""
        from credchain._mask import SecretSet

        return SecretSet()

    @functools.cached_property
    def key_ids(self) -> set[str]:
        """The access key ids read in this inspection: printed only masked."""
        from credchain._mask import SecretSet

        return SecretSet(key_ids=True)

    def now(self) -> datetime.datetime:
        """The inspection's aware "now" (read once from the clock), to judge expiries by."""
        if self._now is None:
            from credchain._expiry import system_clock

            self._now = (self._clock or system_clock)()
        return self._now

    # -- paths ---------------------------------------------------------------------------

    def home(self) -> str:
        home = self.env.get("HOME")
        if home is None:  # os.path.expanduser falls back to the password database
            import pwd

            try:
                return pwd.getpwuid(os.getuid()).pw_dir
            except KeyError:
                return "/"
        return home

    def expand(self, path: str) -> str:
        """``os.path.expandvars`` then ``expanduser``, as botocore's loaders do, in this env."""
        if path not in self._expanded:
            self._expanded[path] = self._expand(path)
        return self._expanded[path]

    def _expand(self, path: str) -> str:
        if self.is_process_env:
            return os.path.expanduser(os.path.expandvars(path))

        def sub(m: re.Match[str]) -> str:
            name = m.group(1).strip("{}")
            return self.env.get(name, m.group(0))

        if "$" in path:
            path = _VAR.sub(sub, path)
        if path == "~" or path.startswith("~/"):
            home = self.home().rstrip("/") or "/"
            path = home + path[1:] if path != "~" else home
        return path

    # -- botocore's session variables ------------------------------------------------------

    def var(self, name: str) -> Any:
        """``Session.get_config_variable(name)``: instance, env, scoped config, default."""
        kind = _KINDS.get(name)
        if kind is None:
            config_name, _, _, typecast = _botocore.session_variable(name)
            kind = _KINDS[name] = (config_name is not None, typecast is None)
        scoped, untyped = kind
        # An instance variable wins as it is, unless botocore converts it.
        if untyped and (value := self.instance_vars.get(name)) is not None:
            return value
        # A variable without a config key never reads the profile: one entry serves all.
        profile = self.instance_vars.get("profile") if scoped else 0
        key = (name, self.instance_vars.get(name), profile)
        value = self._vars.get(key, _UNSET)
        if value is _UNSET:
            try:
                value = self._vars[key] = self._var(name)
            except Exception as e:  # the same exception on every lookup, as botocore
                value = self._vars[key] = e
        return _cached(value) if isinstance(value, Exception) else value

    def _var(self, name: str) -> Any:
        config_name, env_names, default, typecast = _botocore.session_variable(name)
        value: Any = None
        if name in self.instance_vars and self.instance_vars[name] is not None:
            value = self.instance_vars[name]
        if value is None and env_names:
            for env_name in [env_names] if isinstance(env_names, str) else env_names:
                if env_name in self.env:
                    value = self.env[env_name]
                    break
        if value is None and config_name is not None:
            value = self.scoped_config().get(config_name)
        if value is None:
            value = default
        if value is not None and typecast is not None:
            value = typecast(value)
        return value

    def ini(self, path: str) -> dict[str, Any]:
        """``botocore.configloader.raw_config_parse`` on an expanded path, parsed once.

        The result is shared: callers must not change it.
        """
        path = self.expand(path)
        if path not in self._ini_cache:
            from botocore.configloader import raw_config_parse

            try:
                files.too_big(path, what="the INI file")
                self._ini_cache[path] = parsed = raw_config_parse(path)
                self._collect_secrets(parsed)
            except Exception as e:  # ConfigNotFound, ConfigParseError: re-raised each time
                self._ini_cache[path] = e
        return _cached(self._ini_cache[path])  # type: ignore[no-any-return]

    def config_file_profiles(self, path: str) -> dict[str, Any]:
        """``botocore.configloader.load_config``: the config file as a profile map (shared)."""
        key = self.expand(path)
        if key not in self._profile_maps:
            from botocore.configloader import build_profile_map

            try:
                self._profile_maps[key] = build_profile_map(_Shared(self.ini(path)))
            except Exception as e:
                self._profile_maps[key] = e
        return _cached(self._profile_maps[key])  # type: ignore[no-any-return]

    def line_of(self, path: str, section: str, key: str) -> int | None:
        """The line of ``key`` in ``[section]`` of an INI file, for reports (None if unknown)."""
        if path not in self._line_index:
            self._line_index[path] = _index_lines(path)
        return self._line_index[path].get((section, key.lower()))

    def full_config(self) -> dict[str, Any]:
        """``Session.full_config``: config file, with the credentials file merged over it."""
        if self._full_config is None:
            from botocore.exceptions import ConfigNotFound

            try:
                built = self.config_file_profiles(self.var("config_file"))
                # A copy to merge into (the profile map is shared): a profile's own
                # dict is copied only where the credentials file updates it.
                config = {**built, "profiles": dict(built["profiles"])}
            except ConfigNotFound:
                config = {"profiles": {}}
            try:
                creds = self.ini(self.var("credentials_file"))
                profiles = config["profiles"]
                for profile, values in creds.items():
                    if profile not in profiles:
                        profiles[profile] = values
                    else:
                        profiles[profile] = {**profiles[profile], **values}
            except ConfigNotFound:
                pass
            self._full_config = config
        return self._full_config

    def profiles(self) -> dict[str, dict[str, Any]]:
        config = self._full_config if self._full_config is not None else self.full_config()
        profiles: dict[str, dict[str, Any]] = config.get("profiles", {})
        return profiles

    def scoped_config(self) -> dict[str, Any]:
        """``Session.get_scoped_config``: raises ProfileNotFound for a missing named profile."""
        profile_name = self.var("profile")
        profile_map = self.profiles()
        if profile_name is None:
            return profile_map.get("default", {})  # shared, as botocore's: not to be changed
        if profile_name not in profile_map:
            from botocore.exceptions import ProfileNotFound

            raise ProfileNotFound(profile=profile_name)
        return profile_map[profile_name]

    # -- the door: files and processes ---------------------------------------------------

    def path(self, *parts: str) -> str:
        """``os.path.join``: providers build cache paths with it."""
        return os.path.join(*parts)

    def exists(self, path: str) -> bool:
        """``os.path.exists`` (stat only: nothing is opened)."""
        return os.path.exists(path)

    def is_file(self, path: str) -> bool:
        """``os.path.isfile``: a regular file, following symlinks (a loop is False)."""
        return os.path.isfile(path)

    def is_readable_file(self, path: str) -> bool:
        """A regular file this process may read (stat and access only: nothing is opened)."""
        return os.path.isfile(path) and os.access(path, os.R_OK)

    def read_text(self, path: str, *, what: str = "the file") -> str:
        """A file credchain reads beyond botocore's walk: regular only, capped, UTF-8.

        Raises:
            OSError: missing, unreadable, a symlink loop.
            credchain._io.files.Refused: not a regular file, or over the cap.
        """
        return files.read_regular(path, what=what).decode("utf-8")

    def read_as_botocore(self, path: str, *, what: str = "the file") -> str:
        """``open(path).read()`` where botocore itself would call it at this point of its walk.

        Reached, a FIFO or device is read as botocore would, but only until the
        bound and the cap (past them: ``Refused``, botocore would block). Below
        the winner, only a regular file is read.
        """
        with files.text_stream(self._read_raw(path, what)) as f:
            return f.read()

    def key_val_file(self, path: str, *, what: str = "the file") -> dict[str, str]:
        """botocore's ``parse_key_val_file`` on ``path``, read through :meth:`read_as_botocore`."""
        from botocore.utils import parse_key_val_file

        def opener(name: str) -> Any:
            return files.text_stream(self._read_raw(name, what))

        parsed: dict[str, str] = parse_key_val_file(path, _open=opener)
        return parsed

    def _read_raw(self, path: str, what: str) -> bytes:
        # Read (or waited on) once per inspection: a FIFO costs its bound once, not per profile.
        key = (path, self.reached)
        if key not in self._reads:
            try:
                if self.reached:
                    self._reads[key] = files.read_like_open(path, what=what, wait=self.timeout)
                else:
                    self._reads[key] = files.read_regular(path, what=what)
            except Exception as e:
                self._reads[key] = e
        return _cached(self._reads[key])  # type: ignore[no-any-return]

    def which(self, program: str) -> str | None:
        """Where the process would find ``program`` with the inspected ``PATH``."""
        from credchain._io import process

        return process.which(program, self.env.get("PATH", os.defpath))

    def run(self, argv: list[str]) -> process.Completed:
        """Run a command as botocore would, in the inspected environment, bounded.

        Raises:
            OSError: it can't be started.
            credchain._io.process.Stopped: killed (with its process group) at a bound.
        """
        from credchain._io import process

        timeout = self.timeout if self.timeout is not None else process.DEFAULT_TIMEOUT
        return process.run(argv, env=self.env, timeout=timeout)

    # -- secrets ---------------------------------------------------------------------------

    def _collect_secrets(self, sections: Mapping[str, Any]) -> None:
        for values in sections.values():
            if isinstance(values, Mapping):
                for key, value in values.items():
                    if isinstance(value, str):
                        self.note_value(key, value)

    def note_value(self, key: str, value: Any) -> None:
        """Remember values that must never be printed (by the name they are stored under)."""
        if not isinstance(value, str) or not value:
            return
        kind = value_kind(key)
        if kind == "key id":
            self.key_ids.add(value)
        elif kind == "secret":
            self.secrets.add(value)

    # -- probes ----------------------------------------------------------------------------

    def probe(
        self,
        name: str,
        fn: Callable[[Probe], T],
        *,
        bound: float,
        request_timeout: float,
        proxies: Mapping[str, str] | None = None,
        waits_for: str | None = None,
    ) -> Pending[T]:
        """Start a network probe once per inspection, concurrently with everything else.

        ``bound`` limits the whole probe (all its attempts and requests, from the first on);
        ``request_timeout`` is botocore's own per-request timeout. The probe's
        session and sockets are closed by :meth:`close`. ``waits_for`` says what the
        probe waits for, for ``on_wait``.
        """
        from credchain._io.http import Pending, Probe

        with self._lock:
            if name not in self._probes:
                if self._pool is None:
                    from concurrent.futures import ThreadPoolExecutor

                    self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="credchain")
                probe = Probe(bound, request_timeout, proxies)
                if self.on_wait is not None and waits_for is not None:
                    fn = _announced(fn, self.on_wait, waits_for)
                self._probes[name] = Pending(self._pool.submit(fn, probe), probe)
            return self._probes[name]

    def close(self) -> None:
        """End every probe: shut its sockets, wait for its threads, close its session."""
        with self._lock:
            probes = list(self._probes.values())
            pool, self._pool = self._pool, None
        for pending in probes:
            pending.probe.abort()
        if pool is not None:
            pool.shutdown(wait=True)
        for pending in probes:
            pending.probe.close()


@functools.lru_cache(maxsize=1024)
def value_kind(key: str) -> str | None:
    """``"key id"``, ``"secret"`` or None: what a value stored under ``key`` is."""
    k = key.lower()
    if "access_key_id" in k or k in ("accesskeyid", "access_key"):
        return "key id"
    if any(w in k for w in ("secret", "token", "password", "credential")) and not any(
        w in k for w in ("file", "process", "source")
    ):
        return "secret"
    return None


_UNSET = object()
# Session variable name -> (whether it has a config key, whether it has no type
# conversion): botocore's table is fixed.
_KINDS: dict[str, tuple[bool, bool]] = {}


def _announced(
    fn: Callable[[A], T], on_wait: Callable[[str], Callable[[], None]], what: str
) -> Callable[[A], T]:
    def run(arg: A) -> T:
        try:
            done = on_wait(what)
        except Exception:  # a progress display never breaks an inspection
            return fn(arg)
        try:
            return fn(arg)
        finally:
            with contextlib.suppress(Exception):
                done()

    return run


class _Shared(dict[str, Any]):
    """Parsed sections handed to botocore's ``build_profile_map``, which deep-copies its
    input so as not to change it. Nothing changes them here (the parsed files are
    shared by the whole inspection), so a copy of the top level serves: the profile
    map holds the parsed sections themselves, equal to what a deep copy would hold,
    without copying every section of a large file once more."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)


def _cached(value: Any) -> Any:
    if isinstance(value, Exception):
        raise value.with_traceback(None)  # a fresh raise: tracebacks don't pile up
    return value


def _index_lines(path: str) -> dict[tuple[str, str], int]:
    """``{(section, key): first line}`` of an INI file; empty if it can't be read."""
    found: dict[tuple[str, str], int] = {}
    try:
        lines = files.read_regular(path).decode("utf-8", errors="replace").splitlines()
    except (OSError, files.Refused):
        return found
    section = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("[") and "]" in line:
            section = line[1 : line.index("]")].strip()
        elif section is not None and "=" in line:
            found.setdefault((section, line.split("=", 1)[0].strip().lower()), number)
    return found
