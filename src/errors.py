"""The root of dossier's errors: every failure a person must act on is a `DossierError`.

Each family carries the exit code the `dossier` command ends with; `main()` turns any of
them into one line on standard error naming the thing at fault (as sqlite-utils' CLI and
zavod's `exc.py` do). The codes are part of the command's contract (README, "Exit codes").
"""

from __future__ import annotations

import errno
import os

EXIT_OK = 0
EXIT_FAILED = 1  # a run (or some input) failed
EXIT_USAGE = 2  # a bad option, argument or setting: nothing was done
EXIT_BUSY = 3  # another process holds the warehouse or its run lock
EXIT_STORAGE = 4  # a file cannot be written or read: full or read-only disk, permissions, corrupt file


class DossierError(Exception):
    """An error with a one-line message and an exit code of its family.

    The root is the "failed" family (exit 1); each other family declares its code once and
    every domain error descends from one of them, keeping a builtin base where callers catch it.
    """

    exit_code = EXIT_FAILED


class UsageError(DossierError):
    """An option, argument or setting that cannot work; nothing was done."""

    exit_code = EXIT_USAGE


class BusyError(DossierError):
    """Another process holds what this command needs; trying again later will work."""

    exit_code = EXIT_BUSY


class StorageError(DossierError):
    """A file could not be written or read (disk full, read-only, permissions, corrupt)."""

    exit_code = EXIT_STORAGE


# The "failed" family (exit 1): kinds of failure callers tell apart, one code.

class RunFailed(DossierError):
    """A run ended without doing its job (e.g. every feed failed, a worker died)."""


class InputError(DossierError):
    """One input (a feed, a page, a URL, a file) could not be used; a run counts it and goes on."""


class Refused(DossierError):
    """A request the warehouse's data refuses: an unknown name, no draft to act on, a field
    that cannot be edited."""


# errno values that mean "the storage refused", not "dossier has a bug".
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.ENOTDIR,
                            errno.EISDIR, errno.ENOENT, errno.EEXIST, errno.EIO, errno.ENAMETOOLONG})


def storage_error(exc: OSError, doing: str = "write") -> StorageError:
    """An OSError from the file system as a StorageError naming the file and the reason."""
    where = exc.filename if exc.filename is not None else "a file"
    reason = exc.strerror or str(exc)
    if exc.errno == errno.EEXIST and exc.filename is not None and not os.path.isdir(exc.filename):
        reason = "it is a file, not a folder"  # mkdir of a path whose parent is a file
    return StorageError(f"cannot {doing} {where}: {reason}")


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error (OSError or a DuckDB I/O error) says the disk is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left" in text or "disk quota" in text or "disk full" in text
