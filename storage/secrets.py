"""Apprise URLs of command-line subscribers, encrypted at rest.

Their passwords and header tokens would otherwise sit in plain text in the database (and
its backups). The key comes from ``IEIWATCH_SECRET_KEY`` or, failing that, from a key file
in the data directory, created on first use with owner-only permissions (0600). Rows
written before encryption (plain URLs) keep working as they are.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache
from pathlib import Path

import platformdirs
from cryptography.fernet import Fernet, InvalidToken

from ieiwatch.domain import IeiwatchError

SEALED_PREFIX = "ieiwatch-sealed:v1:"
KEY_ENV = "IEIWATCH_SECRET_KEY"
KEY_FILE_ENV = "IEIWATCH_SECRET_KEY_FILE"


class SecretKeyError(IeiwatchError):
    """A stored URL cannot be decrypted, or the key cannot be read or made."""


def key_file() -> Path:
    """Where the key is kept when ``IEIWATCH_SECRET_KEY`` is not set."""
    given = os.environ.get(KEY_FILE_ENV)
    return Path(given) if given else Path(platformdirs.user_data_dir("ieiwatch")) / "secret.key"


def seal(url: str) -> str:
    """The URL encrypted, marked so ``reveal`` tells it from a plain one."""
    if url.startswith(SEALED_PREFIX):
        return url
    return SEALED_PREFIX + _fernet(*_key_source()).encrypt(url.encode()).decode("ascii")


def reveal(value: str) -> str:
    """The URL from what is stored: decrypted, or as it is when stored plain."""
    if not value.startswith(SEALED_PREFIX):
        return value
    origin = _key_source()
    try:
        return _fernet(*origin).decrypt(value[len(SEALED_PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretKeyError(
            f"a subscriber's Apprise URL was encrypted with another key than the one in "
            f"{origin[0]}: restore that key (or remove and re-add the subscriber)"
        ) from None


def _key_source() -> tuple[str, str]:
    """(where the key is from, the key material)."""
    material = os.environ.get(KEY_ENV)
    if material:
        return f"${KEY_ENV}", material
    path = key_file()
    return str(path), _read_or_create(path)


@cache
def _fernet(origin: str, material: str) -> Fernet:
    try:
        return Fernet(material.encode())
    except ValueError:
        # A passphrase rather than a Fernet key: derive one from it.
        digest = hashlib.sha256(material.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


def _read_or_create(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SecretKeyError(f"cannot read the secret key {path}: {exc}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()  # another process made it first
    except OSError as exc:
        raise SecretKeyError(
            f"cannot create the secret key {path}: {exc} (or set {KEY_ENV})"
        ) from None
    key = Fernet.generate_key().decode("ascii")
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key
