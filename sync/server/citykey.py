"""The city's sealing key pair: a private key file beside (never inside) the database."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from booth_common.sealing import private_key_to_bytes


def load_or_create_city_key(path: Path) -> X25519PrivateKey:
    """Read the key; on first start create it, readable by the server's user only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(private_key_to_bytes(X25519PrivateKey.generate()))
            fh.flush()
            os.fsync(fh.fileno())
    return X25519PrivateKey.from_private_bytes(path.read_bytes())
