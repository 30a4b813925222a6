"""Network probes: the instance metadata service and container credential endpoints.

Both follow botocore's own fetch rules (``InstanceMetadataFetcher``,
``ContainerMetadataFetcher``: the same requests, attempts, retry tests and
exceptions) over botocore's own HTTP stack (``URLLib3Session``, ``AWSRequest``),
so the same responses give the same outcome. Three things are added:

- A :class:`Probe` bounds a whole probe, all its attempts and requests: every
  request's timeouts are cut to the time left, and at the bound the probe's
  sockets are shut down, so a service that trickles bytes is cut off too. The
  session and its sockets are closed when the inspection ends.
- The IMDSv1 role request is sent only after the IMDSv2 token request failed
  or has been pending past a short head start: a healthy instance sees exactly
  botocore's requests, and a container whose hop limit drops the token answer
  still gets its role within about one timeout.
- Outcomes are told apart (connection refused, no route, no answer, no
  instance profile, token refused with IMDSv1 disabled) and said plainly.

No botocore code path that logs response bodies (they hold credentials) runs
here, and no logger is changed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import socket
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Generic, TypeVar

from credchain._record import field, record

T = TypeVar("T")

TOKEN_PATH = "latest/api/token"
ROLE_PATH = "latest/meta-data/iam/security-credentials/"
REQUIRED_FIELDS = ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")
TOKEN_TTL = "21600"  # botocore's IMDSFetcher._TOKEN_TTL
#: How much shorter than botocore's timeout a wait may be and still count as that timeout.
GRACE = 0.05
#: How long after the bound a probe may take to notice its own timeouts before its sockets
#: are shut (then it was still receiving bytes: a trickle).
ABORT_AFTER = 0.25


# -- one bounded probe -------------------------------------------------------------------------


class Cut(Exception):
    """The probe's bound ended a request before botocore would have given up on it."""

    def __init__(self, still_answering: bool) -> None:
        super().__init__("still answering" if still_answering else "no answer yet")
        #: True: bytes were still arriving (botocore would keep reading); False: silence.
        self.still_answering = still_answering


class Probe:
    """One network probe's deadline, HTTP session and sockets.

    ``bound`` limits the whole probe, from its first request on;
    ``request_timeout`` is botocore's own timeout for each request (connect
    and each read). A request that times out before botocore's timeout would
    have (see :meth:`send`) was ended by the bound and raises :class:`Cut`, as
    does every request once :meth:`abort` ran.
    """

    def __init__(
        self,
        bound: float,
        request_timeout: float,
        proxies: Mapping[str, str] | None = None,
    ) -> None:
        self.bound = max(float(bound), 0.0)
        self.request_timeout = float(request_timeout)
        self.proxies = dict(proxies) if proxies is not None else None
        self.started: float | None = None  # when the first request went out
        #: Set when the first request goes out.
        self.dispatched = threading.Event()
        #: Set once a request is written and its answer awaited.
        self.sent = threading.Event()
        self.aborted = False
        self._lock = threading.Lock()
        self._conns: list[Any] = []
        self._session: Any = None
        self._closed = False

    def remaining(self) -> float:
        """Time left before the bound (all of it while no request went out)."""
        if self.started is None:
            return self.bound
        return self.started + self.bound - time.monotonic()

    def timeout_for_now(self) -> float:
        """botocore's timeout for the next socket operation, cut to the time left."""
        return max(min(self.request_timeout, self.remaining()), 0.001)

    def send(
        self, method: str, url: str, headers: Mapping[str, str], since: float | None = None
    ) -> Any:
        """One request (``AWSRequest`` over ``URLLib3Session``): the response, or what it raised.

        A timeout counts as botocore's own when the service has been silent for
        botocore's timeout since ``since`` (default: this request's start);
        otherwise the bound ended it: :class:`Cut`.
        """
        from botocore.awsrequest import AWSRequest

        session = self._http()  # built before the clock starts: not part of any wait
        request = AWSRequest(method=method, url=url, headers=dict(headers)).prepare()
        with self._lock:
            if self.started is None:
                self.started = time.monotonic()
                self.dispatched.set()
        if self.aborted or self.remaining() <= 0:
            raise Cut(still_answering=False)
        since = time.monotonic() if since is None else since
        try:
            response = session.send(request)
        except Exception as e:
            if self.aborted:
                raise Cut(still_answering=True) from e
            if _is_timeout(e) and time.monotonic() - since < self.request_timeout - GRACE:
                raise Cut(still_answering=False) from e
            raise
        if self.aborted:  # what was read before the sockets were shut is not an answer
            raise Cut(still_answering=True)
        return response

    def pause(self, seconds: float) -> None:
        """Sleep, but not past the bound (then raise :class:`Cut`)."""
        if seconds >= self.remaining():
            raise Cut(still_answering=False)
        threading.Event().wait(seconds)

    def abort(self) -> None:
        """Shut down every socket of this probe: blocked reads return at once."""
        with self._lock:
            self.aborted = True
            conns = list(self._conns)
        for conn in conns:
            sock = getattr(conn, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Close the session and every connection it opened (call once no request runs)."""
        with self._lock:
            self._closed = True
            conns, self._conns = self._conns, []
            session, self._session = self._session, None
        if session is not None:
            session.close()
        for conn in conns:
            with contextlib.suppress(Exception):  # closing is best effort
                conn.close()

    def _track(self, conn: Any) -> None:
        with self._lock:
            self._conns.append(conn)

    def _http(self) -> Any:
        with self._lock:
            if self._closed:
                raise Cut(still_answering=False)
            if self._session is None:
                self._session = _session(self)
            return self._session


def _session(probe: Probe) -> Any:
    """botocore's ``URLLib3Session``, whose connections the probe tracks and bounds."""
    from botocore.awsrequest import (
        AWSHTTPConnection,
        AWSHTTPConnectionPool,
        AWSHTTPSConnection,
        AWSHTTPSConnectionPool,
    )
    from botocore.httpsession import URLLib3Session

    class Bounded:
        def connect(self: Any) -> None:
            probe._track(self)
            self.timeout = probe.timeout_for_now()
            super().connect()  # type: ignore[misc]

        def getresponse(self: Any, *args: Any, **kwargs: Any) -> Any:
            probe.sent.set()
            self.timeout = probe.timeout_for_now()
            if self.sock is not None:
                self.sock.settimeout(self.timeout)
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]

    class Conn(Bounded, AWSHTTPConnection):  # type: ignore[misc]
        pass

    class SConn(Bounded, AWSHTTPSConnection):  # type: ignore[misc]
        pass

    class Pool(AWSHTTPConnectionPool):  # type: ignore[misc]
        ConnectionCls = Conn

    class SPool(AWSHTTPSConnectionPool):  # type: ignore[misc]
        ConnectionCls = SConn

    session = URLLib3Session(timeout=probe.request_timeout, proxies=probe.proxies)
    # The pool classes the session gives its pool managers (shared by reference).
    classes = getattr(session, "_pool_classes_by_scheme", None)
    if isinstance(classes, dict):
        classes.update({"http": Pool, "https": SPool})
    return session


class Pending(Generic[T]):
    """A probe running in the background; :meth:`result` waits no longer than its bound."""

    def __init__(self, future: Future[T], probe: Probe) -> None:
        self.future = future
        self.probe = probe

    def result(self) -> T:
        # The bound runs from the probe's first request; give up waiting for that at some point.
        latest = time.monotonic() + self.probe.bound + 2.0
        while True:
            try:
                wait = max(self.probe.remaining(), 0.0) + ABORT_AFTER
                return self.future.result(timeout=wait)
            except FutureTimeout:
                if self.probe.remaining() + ABORT_AFTER <= 0 or time.monotonic() >= latest:
                    break
        self.probe.abort()  # bytes still trickling in: cut them off
        try:
            return self.future.result(timeout=1.0)
        except FutureTimeout:  # blocked where a socket can't reach (a name lookup)
            raise Cut(still_answering=True) from None


def _is_timeout(e: BaseException | None) -> bool:
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    return isinstance(e, (ReadTimeoutError, ConnectTimeoutError))


def _errno(e: BaseException | None) -> int | None:
    """The ``errno`` of the OSError behind a botocore / urllib3 connection error."""
    seen = 0
    while e is not None and seen < 10:
        if isinstance(e, OSError) and e.errno is not None:
            return e.errno
        kwargs = getattr(e, "kwargs", None)
        inner = kwargs.get("error") if isinstance(kwargs, dict) else None
        e = inner if isinstance(inner, BaseException) else (e.__cause__ or e.__context__)
        seen += 1
    return None


def failure_kind(e: BaseException) -> str:
    """``refused``, ``no-route``, ``timeout``, ``closed`` or ``other``: how a request failed."""
    code = _errno(e)
    if code == errno.ECONNREFUSED:
        return "refused"
    if code in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no-route"
    if _is_timeout(e):
        return "timeout"
    from botocore.exceptions import ConnectionClosedError

    return "closed" if isinstance(e, ConnectionClosedError) else "other"


def failure(e: BaseException, url: str, timeout: float) -> str:
    """What a failed request means, as a clause: refused, no route, no answer, closed."""
    kind = failure_kind(e)
    if kind == "refused":
        return f"the connection to {url} was refused: nothing listens there"
    if kind == "no-route":
        return f"there is no route to {url}"
    if kind == "timeout":
        return f"{url} did not answer within {timeout:g} s"
    if kind == "closed":
        return f"{url} closed the connection without an answer"
    return f"the request to {url} failed ({type(e).__name__})"


_TOKEN_FAILURE = {
    "refused": "was refused",
    "no-route": "found no route",
    "timeout": "got no answer within {t:g} s",
    "closed": "was closed without an answer",
    "other": "failed",
}


def _url(base: str, path: str) -> str:
    return f"{base}{'' if base.endswith('/') else '/'}{path}"


def environ_proxies(url: str, env: Mapping[str, str]) -> dict[str, str]:
    """botocore's ``get_environ_proxies(url)`` (urllib's rules), reading ``env``, not os.environ."""
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


# -- the instance metadata service -------------------------------------------------------------


@record
class IMDSResult:
    """What the IMDS credential fetch saw.

    ``outcome`` is one of ``credentials``, ``bad-credentials``, ``unreachable``
    (refused, no route), ``no-answer`` (silent as long as botocore waits),
    ``no-role`` (a 404 role listing: no instance profile), ``failed`` (other
    answers or a closed connection), ``bad-token-request`` (botocore returns
    nothing for all of these), ``raise`` (botocore raises ``exception``) and
    ``unknown`` (credchain's bound ended the probe before botocore would have).
    ``detail`` says what happened, as a sentence without its final stop.
    """

    outcome: str
    url: str
    detail: str
    role_name: str | None = None
    credentials: Any = field(default=None, repr=False)  # the credential document
    exception: BaseException | None = None
    v2: bool | None = None


@record
class _Token:
    """How botocore's ``_fetch_metadata_token`` ends: a token, none (why), or an exception."""

    value: str | None
    why: str  # after "the token request": "was answered with HTTP 403", "was refused", ...
    bad_request: bool = False
    error: BaseException | None = None
    cut: Cut | None = None


class _Exceeded(Exception):
    """botocore's ``_RetriesExceededError``, with what the last attempt saw."""

    def __init__(self, status: int | None, last_error: BaseException | None) -> None:
        super().__init__()
        self.status = status
        self.last_error = last_error


@record
class _Path:
    """The role listing and credential requests with one token (or none)."""

    role_name: str | None = None
    document: Any = field(default=None, repr=False)
    error: BaseException | None = None


def head_start(timeout: float) -> float:
    """How long the token request may take before the IMDSv1 request goes out beside it."""
    return min(0.25, timeout / 4)


class IMDSProbe:
    """botocore's ``InstanceMetadataFetcher.retrieve_iam_role_credentials``, bounded."""

    def __init__(
        self, probe: Probe, base_url: str, attempts: int, v1_disabled: bool, user_agent: str
    ) -> None:
        self.probe = probe
        self.base_url = base_url
        self.attempts = attempts
        self.v1_disabled = v1_disabled
        self.user_agent = user_agent
        self.head_start = head_start(min(probe.request_timeout, probe.bound))

    # The requests, as botocore's IMDSFetcher makes them.

    def token(self) -> _Token:
        """``_fetch_metadata_token``: PUT the token request up to ``attempts`` times."""
        from botocore.exceptions import HTTPClientError, ReadTimeoutError
        from botocore.utils import RETRYABLE_HTTP_ERRORS

        url = _url(self.base_url, TOKEN_PATH)
        headers = {"x-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL, "User-Agent": self.user_agent}
        why = "failed"
        t = self.probe.request_timeout
        try:
            for _ in range(self.attempts):
                try:
                    r = self.probe.send("PUT", url, headers)
                except ReadTimeoutError:
                    return _Token(None, _TOKEN_FAILURE["timeout"].format(t=t))
                except RETRYABLE_HTTP_ERRORS as e:
                    why = _TOKEN_FAILURE[failure_kind(e)].format(t=t)
                    continue
                if r.status_code == 200:
                    return _Token(str(r.text), "was answered")
                if r.status_code in (404, 403, 405):
                    return _Token(None, f"was answered with HTTP {r.status_code}")
                if r.status_code == 400:
                    return _Token(None, "was answered with HTTP 400", bad_request=True)
                why = f"was answered with HTTP {r.status_code}"
        except Cut as c:
            why = f"got no answer within credchain's bound of {self.probe.bound:g} s"
            return _Token(None, why, cut=c)
        except HTTPClientError as e:
            from urllib3.exceptions import LocationParseError

            if isinstance(e.kwargs.get("error"), LocationParseError):
                from botocore.exceptions import InvalidIMDSEndpointError

                e = InvalidIMDSEndpointError(endpoint=url, error=e)
            return _Token(None, "failed", error=e)
        except Exception as e:
            return _Token(None, "failed", error=e)
        if self.attempts > 1:
            why += f" ({self.attempts} attempts)"
        return _Token(None, why)

    def get(
        self, path: str, token: str | None, check_json: bool = False, beside: bool = False
    ) -> Any:
        """``_get_request``: GET until a 200 with a body (and JSON), or ``_Exceeded``."""
        from botocore.utils import RETRYABLE_HTTP_ERRORS

        if not token and self.v1_disabled:
            from botocore.exceptions import MetadataRetrievalError

            raise MetadataRetrievalError(
                error_msg="Unable to retrieve token for use in IMDSv2 call and "
                "IMDSv1 has been disabled"
            )
        headers = {"x-aws-ec2-metadata-token": token} if token is not None else {}
        headers["User-Agent"] = self.user_agent
        status: int | None = None
        last: BaseException | None = None
        # ``beside`` a pending token request, the service has been silent since the token
        # request went out: as long as botocore would wait, for the first attempt.
        since = self.probe.started if beside else None
        for _ in range(self.attempts):
            try:
                r = self.probe.send("GET", _url(self.base_url, path), headers, since)
            except RETRYABLE_HTTP_ERRORS as e:
                status, last, since = None, e, None
                continue
            since = None
            status, last = r.status_code, None
            if r.status_code != 200 or not r.content:
                continue
            if check_json:
                try:
                    json.loads(r.text)
                except ValueError:
                    continue
            return r
        raise _Exceeded(status, last)

    def path(self, token: str | None, beside: bool = False) -> _Path:
        """``_get_iam_role`` then ``_get_credentials``; what they raise is kept, not raised.

        ``beside``: sent while the token request is still pending.
        """
        try:
            role_name = str(self.get(ROLE_PATH, token, beside=beside).text)
        except Exception as e:
            return _Path(error=e)
        try:
            document = json.loads(self.get(ROLE_PATH + role_name, token, check_json=True).text)
        except Exception as e:
            return _Path(role_name, error=e)
        return _Path(role_name, document)

    # The walk: token first, IMDSv1 only once the token request failed or lingers.

    def run(self) -> IMDSResult:
        box: list[_Token] = []
        thread = threading.Thread(
            target=lambda: box.append(self.token()), name="credchain-imds-token", daemon=True
        )
        thread.start()
        while thread.is_alive() and not self.probe.dispatched.wait(0.01):
            pass  # the head start runs from the moment the token request goes out
        if thread.is_alive() and self.probe.started is not None:
            thread.join(max(0.0, self.probe.started + self.head_start - time.monotonic()))
        v1: _Path | None = None
        if thread.is_alive() and not self.v1_disabled:
            v1 = self.path(None, beside=True)  # the token request lingers: ask as IMDSv1 too
        thread.join()
        return self.decide(box[0], v1)

    def decide(self, token: _Token, v1: _Path | None) -> IMDSResult:
        base = self.base_url
        if token.error is not None:
            return IMDSResult(
                "raise", base, f"the token request failed: {token.error}", exception=token.error
            )
        if token.cut is not None and token.cut.still_answering:
            return self.unknown("the token request", still_answering=True)
        if token.bad_request:  # botocore: BadIMDSRequestError, logged, no credentials
            said = f"the token request to {base} was answered with HTTP 400: botocore gives up"
            return IMDSResult("bad-token-request", base, said, v2=True)
        if token.cut is not None and self.v1_disabled:
            return self.unknown("the token request", still_answering=False)
        if not token.value and self.v1_disabled:  # botocore: an empty token counts as none
            from botocore.exceptions import MetadataRetrievalError

            exc = MetadataRetrievalError(
                error_msg="Unable to retrieve token for use in IMDSv2 call and "
                "IMDSv1 has been disabled"
            )
            said = f"the IMDSv2 token request to {base} {token.why}"
            if token.value == "":
                said = f"the IMDSv2 token request to {base} was answered with an empty token"
            said += " and IMDSv1 is disabled (ec2_metadata_v1_disabled), so botocore raises"
            return IMDSResult("raise", base, said, exception=exc, v2=False)
        if token.value is not None:
            return self.outcome(self.path(token.value), None)
        return self.outcome(v1 if v1 is not None else self.path(None), token)

    def outcome(self, walked: _Path, v1_after: _Token | None) -> IMDSResult:
        """The branch botocore takes on what the role and credential requests returned.

        ``v1_after``: the token request that failed first (None: IMDSv2).
        """
        base, v2 = self.base_url, v1_after is None
        after = "" if v1_after is None else f" (IMDSv1: the token request {v1_after.why})"
        e = walked.error
        if e is None:
            creds = walked.document
            try:
                complete = all(field in creds for field in REQUIRED_FIELDS)
            except Exception as exc:  # botocore lets this escape too (a JSON number)
                said = f"{base} returned unusable credentials for role {walked.role_name}"
                return IMDSResult("raise", base, said, exception=exc, v2=v2)
            outcome = "credentials" if complete else "bad-credentials"
            said = "role credentials returned via IMDSv2"
            if v1_after is not None:
                said = "role credentials returned via IMDSv1, after the token request "
                said += v1_after.why
            if not complete:
                said = f"role {walked.role_name} returned no usable credentials"
                said += _error_code(creds) + after
            return IMDSResult(
                outcome, base, said, role_name=walked.role_name, credentials=creds, v2=v2
            )
        what = "the role listing" if walked.role_name is None else "the credential request"
        if isinstance(e, Cut):
            return self.unknown(what, still_answering=e.still_answering)
        if not isinstance(e, _Exceeded):
            return IMDSResult("raise", base, f"{what} failed: {e}", exception=e, v2=v2)
        tries = f" ({self.attempts} attempts)" if self.attempts > 1 else ""
        if v1_after is not None and v1_after.cut is not None and _is_timeout(e.last_error):
            # Both silent, but botocore would have waited longer for the token.
            return self.unknown("the token request", still_answering=False)
        if e.last_error is not None:
            kind = failure_kind(e.last_error)
            said = failure(e.last_error, base, self.probe.request_timeout) + tries
            if walked.role_name is not None:
                said = f"{what}: {said}"
            if kind in ("refused", "no-route"):
                hint = " (not on EC2, or the endpoint setting points elsewhere)"
                return IMDSResult("unreachable", base, said + hint, v2=v2)
            if kind == "timeout":
                hint = " (not on EC2, or a container's hop limit drops the replies)"
                return IMDSResult("no-answer", base, said + hint, v2=v2)
            return IMDSResult("failed", base, said + after, v2=v2)
        if walked.role_name is None and e.status == 404:
            said = f"{base} answered the role listing with HTTP 404{tries}: "
            said += "no instance profile is attached to this instance"
            return IMDSResult("no-role", base, said + after, v2=v2)
        answer = f"HTTP {e.status}" if e.status != 200 else "an empty or unreadable body"
        said = f"{base} answered {what} with {answer}{tries}"
        return IMDSResult("failed", base, said + after, v2=v2)

    def unknown(self, what: str, still_answering: bool) -> IMDSResult:
        p, n = self.probe, self.attempts
        botocore = (
            f"botocore would make {n} attempt{'s' if n != 1 else ''} x {p.request_timeout:g} s "
            "per request"
        )
        if still_answering:
            said = f"{self.base_url} was still sending its answer to {what} when credchain "
            said += f"stopped at its bound of {p.bound:g} s; botocore keeps reading as long "
            said += f"as a byte arrives every {p.request_timeout:g} s"
        else:
            said = f"{what} to {self.base_url} got no answer within credchain's bound of "
            said += f"{p.bound:g} s, where {botocore}"
        return IMDSResult("unknown", self.base_url, said)


def _error_code(document: Any) -> str:
    """The ``Code`` of an IMDS error document, when it is a plain word (never the document)."""
    code = document.get("Code") if isinstance(document, dict) else None
    if isinstance(code, str) and code.isalnum() and len(code) < 64 and code != "Success":
        return f" (Code {code})"
    return ""


def probe_imds(
    probe: Probe, base_url: str, attempts: int, v1_disabled: bool, user_agent: str
) -> IMDSResult:
    """The whole metadata fetch, within ``probe``'s bound."""
    try:
        return IMDSProbe(probe, base_url, attempts, v1_disabled, user_agent).run()
    except Exception as e:  # not expected: a finding, never a traceback
        return IMDSResult("raise", base_url, f"the metadata request failed: {e}", exception=e)


# -- container endpoints -----------------------------------------------------------------------


def probe_container(probe: Probe, url: str, headers: Mapping[str, str] | None) -> Any:
    """botocore's ``ContainerMetadataFetcher.retrieve_full_uri``, with its attempts, bounded.

    Returns the parsed JSON response or raises what botocore's fetcher raises
    (or :class:`Cut` at the bound). The pause between attempts is at most 0.1 s:
    the attempts matter, the pause doesn't.
    """
    from botocore.exceptions import MetadataRetrievalError
    from botocore.utils import ContainerMetadataFetcher

    full = {"Accept": "application/json", **(headers or {})}
    attempts = 0
    while True:
        try:
            return _container_response(probe, url, full)
        except MetadataRetrievalError:
            attempts += 1
            if attempts >= ContainerMetadataFetcher.RETRY_ATTEMPTS:
                raise  # botocore pauses once more first: that changes nothing
            probe.pause(min(float(ContainerMetadataFetcher.SLEEP_TIME), 0.1))


def _container_response(probe: Probe, url: str, headers: Mapping[str, str]) -> Any:
    """``ContainerMetadataFetcher._get_response``, without logging the body."""
    from botocore.exceptions import MetadataRetrievalError
    from botocore.utils import RETRYABLE_HTTP_ERRORS

    try:
        response = probe.send("GET", url, headers)
        text = response.content.decode("utf-8")
        if response.status_code != 200:
            raise MetadataRetrievalError(
                error_msg=(
                    f"Received non 200 response {response.status_code} "
                    f"from container metadata: {text}"
                )
            )
        try:
            return json.loads(text)
        except ValueError:
            raise MetadataRetrievalError(
                error_msg="Unable to parse JSON returned from container metadata services"
            ) from None
    except RETRYABLE_HTTP_ERRORS as e:
        raise MetadataRetrievalError(
            error_msg=f"Received error when attempting to retrieve container metadata: {e}"
        ) from e


def container_attempts() -> tuple[int, float]:
    """botocore's container attempts and per-request timeout."""
    from botocore.utils import ContainerMetadataFetcher

    return ContainerMetadataFetcher.RETRY_ATTEMPTS, float(ContainerMetadataFetcher.TIMEOUT_SECONDS)
