"""The city's sealing key pair: a private key file beside (never inside) the database."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from booth_common.sealing import private_key_to_bytes


def load_or_create_city_key(path: Path) -> X25519PrivateKey:
    """Read the key; on first start create it, readable by the server's user only.

    Several processes may start on a fresh folder at once (workers, a container and an admin command):
    the key is written whole to a file of its own and linked into place, which fails if another process
    linked first; then that process's key is the city's, and this one reads it. No reader ever sees a
    half-written key, and there is never a second one.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(prefix=".city-key-", dir=path.parent)   # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(private_key_to_bytes(X25519PrivateKey.generate()))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(draft, path)
            except FileExistsError:
                pass        # another process made the city's key first: use that one
        finally:
            os.unlink(draft)
    return X25519PrivateKey.from_private_bytes(path.read_bytes())
