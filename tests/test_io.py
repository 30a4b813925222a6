"""The door, ``credchain._io``: bounded file reads and bounded processes, on real artefacts."""

from __future__ import annotations

import ast
import os
import threading
import time
from pathlib import Path

import pytest

from credchain._io import files, process

PROVIDERS = Path(__file__).parent.parent / "credchain" / "providers"


def test_regular_file_is_read(tmp_path: Path) -> None:
    """A regular file under the cap comes back whole."""
    (tmp_path / "f").write_bytes(b"abc")
    assert files.read_regular(str(tmp_path / "f")) == b"abc"


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_non_regular_is_refused_without_blocking(tmp_path: Path, kind: str) -> None:
    """A FIFO, directory or device is refused at once, its kind named."""
    path = tmp_path / "x"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    started = time.monotonic()
    with pytest.raises(files.Refused, match="not a regular file"):
        files.read_regular(str(path), what="the cache")
    assert time.monotonic() - started < 1


def test_over_the_cap_is_refused(tmp_path: Path) -> None:
    """A regular file over the cap is refused, by size, unread."""
    (tmp_path / "f").write_bytes(b"x" * 101)
    with pytest.raises(files.Refused, match="over the"):
        files.read_regular(str(tmp_path / "f"), cap=100)
    files.too_big(str(tmp_path / "missing"))  # the loader reports missing files itself
    with pytest.raises(files.Refused):
        files.too_big(str(tmp_path / "f"), cap=100)


def test_symlink_loop_is_an_oserror(tmp_path: Path) -> None:
    """A symlink loop fails as open() fails (ELOOP), never followed forever."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OSError):
        files.read_regular(str(tmp_path / "a"))
    with pytest.raises(OSError):
        files.read_like_open(str(tmp_path / "a"))


def test_fifo_nobody_writes_is_waited_on_until_the_bound(tmp_path: Path) -> None:
    """botocore's open() would block on a FIFO without writer: credchain waits the bound."""
    os.mkfifo(tmp_path / "p")
    started = time.monotonic()
    with pytest.raises(files.Refused, match=r"nothing wrote to it within 0\.3 s"):
        files.read_like_open(str(tmp_path / "p"), wait=0.3)
    assert 0.25 < time.monotonic() - started < 3


def test_fifo_with_a_writer_is_read_to_its_end(tmp_path: Path) -> None:
    """A FIFO that a writer fills and closes reads like a file (process substitution)."""
    path = tmp_path / "p"
    os.mkfifo(path)
    writer = threading.Thread(target=lambda: path.write_bytes(b"a=b\n" * 50000))
    writer.start()
    assert files.read_like_open(str(path), wait=5) == b"a=b\n" * 50000
    writer.join()


def test_endless_device_stops_at_the_cap() -> None:
    """/dev/zero read as botocore would read it stops at the cap, with the reason."""
    with pytest.raises(files.Refused, match="without end"):
        files.read_like_open("/dev/zero", cap=1000)
    assert files.read_like_open("/dev/null") == b""


def test_directory_fails_as_open_does(tmp_path: Path) -> None:
    """open() on a directory raises IsADirectoryError: so does the door."""
    with pytest.raises(IsADirectoryError):
        files.read_like_open(str(tmp_path))


def test_process_output_and_exit() -> None:
    """A process that exits gives its code and output."""
    done = process.run(["sh", "-c", "echo out; echo err >&2; exit 3"], env={}, timeout=5)
    assert (done.returncode, done.stdout, done.stderr) == (3, b"out\n", b"err\n")


def test_process_stdout_cap_stops_it() -> None:
    """More stdout than the cap stops the process group."""
    with pytest.raises(process.Stopped, match="more than"):
        process.run(["sh", "-c", "yes"], env={}, timeout=10, cap=10000)


def test_process_stderr_past_the_cap_is_drained() -> None:
    """stderr past the cap is read and dropped; the process still finishes."""
    done = process.run(["sh", "-c", "yes e | head -c 50000 >&2"], env={}, timeout=10, cap=100)
    assert done.returncode == 0 and len(done.stderr) == 100 and done.stderr_truncated


def test_process_group_is_killed_at_the_bound() -> None:
    """A background child holding the pipe is killed with its group at the bound."""
    started = time.monotonic()
    with pytest.raises(process.Stopped, match="kept its output open"):
        process.run(["sh", "-c", "sleep 30.0707 & exit 0"], env={}, timeout=0.5)
    assert time.monotonic() - started < 3


def test_which_uses_the_given_path(tmp_path: Path) -> None:
    """Programs are looked up in the inspected PATH; a path with a slash is taken as is."""
    assert process.which("sh", "/bin:/usr/bin") is not None
    assert process.which("sh", str(tmp_path)) is None
    assert process.which(str(tmp_path / "nope"), None) is None


@pytest.mark.parametrize("module", sorted(p.name for p in PROVIDERS.glob("*.py")))
def test_providers_touch_the_world_only_through_the_context(module: str) -> None:
    """No provider module imports os, subprocess, shutil or socket, or calls open()."""
    tree = ast.parse((PROVIDERS / module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {(node.module or "").split(".")[0]}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "open", f"{module} calls open()"
            continue
        else:
            continue
        assert not names & {"os", "subprocess", "shutil", "socket", "urllib3", "requests"}, module
