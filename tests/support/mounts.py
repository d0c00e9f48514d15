"""Small file systems for tests of full and read-only disks: a tmpfs mounted for the test.

Needs the right to mount (root in the test container); tests using these skip cleanly without it.
"""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(size: str = "16m") -> Iterator[Path]:
    """A fresh tmpfs of `size` at a temporary folder, unmounted after (skips the test if it cannot mount)."""
    where = Path(tempfile.mkdtemp(prefix="dossier-tmpfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def remount_read_only(where: Path) -> None:
    """Make a tmpfs from `tmpfs` read-only."""
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def fill(where: Path) -> Path:
    """Fill the file system holding `where` until it refuses another byte; return the filler file."""
    filler = where / "filler.bin"
    chunk = b"\0" * 65536
    with filler.open("ab", buffering=0) as handle:
        while True:
            try:
                handle.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
        for size in (4096, 512, 1):  # the last partial blocks
            while True:
                try:
                    handle.write(b"\0" * size)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    os.sync()
    return filler
