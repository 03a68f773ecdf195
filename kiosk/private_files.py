"""Files that hold booth data are the booth account's alone: folders 0700, files 0600 (POSIX).

On Windows the data folder is under the account's own profile (``%LOCALAPPDATA%``), whose inherited
ACL already grants only that account, SYSTEM and administrators; ``os.chmod`` cannot express more
there, so these functions change nothing on Windows (docs/deployment.md says how to check the ACL).
"""

from __future__ import annotations

import os
from pathlib import Path

POSIX = os.name == "posix"
DIR_MODE, FILE_MODE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed, and make it the owner's only."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it is missing, mode 0600 from the first byte, and make it the owner's only.
    A missing parent folder is made 0700; an existing one (a USB stick chosen for an export) is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    # Opened only to create it: closing any descriptor of a file drops every POSIX lock this process holds
    # on it, and the ledger's own SQLite connections hold theirs (a worker's second connection would let
    # another process take the kiosk's connection for gone and delete its WAL — SQLite's "how to corrupt").
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    _chmod(path, FILE_MODE)
    return path


def _chmod(path: Path, mode: int) -> None:
    if not POSIX:
        return
    try:
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except PermissionError:
        pass  # not ours (a shared export folder): its owner decides; what we create inside is still 0600
