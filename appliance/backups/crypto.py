"""The encrypted backup file: a readable header, then AES-256-GCM chunks bound to it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import struct
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from appliance.backups.errors import BackupError, RestoreRefused

MAGIC = b"BANDITORE-BACKUP"
FORMAT = 1
KEY_BYTES = 32
CHUNK_BYTES = 1 << 20
TAG_BYTES = 16
# Format byte, key id, nonce prefix, metadata length; the metadata JSON follows.
_FIXED = struct.Struct(">B8s8sI")
_LENGTH = struct.Struct(">I")
MAX_META_BYTES = 64 * 1024


def key_id(key: bytes) -> str:
    """A short public fingerprint telling which key made a backup, without revealing it."""
    return hashlib.sha256(b"banditore-backup-key-id\0" + key).hexdigest()[:16]


def load_key(path: Path) -> bytes:
    """The 32-byte key from its file (one base64 line)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise BackupError(
            f"backup key file {path} does not exist: create it once with "
            "`appliance backup --init-key` (install.sh does this) and keep a copy off the box"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise BackupError(f"cannot read backup key file {path}: {err}") from err
    try:
        key = base64.urlsafe_b64decode(text)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise BackupError(f"backup key file {path} does not hold a valid key (expected 44 chars)")
    return key


def create_key_file(path: Path) -> str:
    """Write a new random key with mode 0600 (never overwriting one); return its text."""
    text = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"backup key file {path} already exists; it was not changed") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return text


def _header(key: bytes, nonce_prefix: bytes, meta: dict[str, Any]) -> bytes:
    blob = json.dumps(meta, sort_keys=True).encode()
    return MAGIC + _FIXED.pack(FORMAT, bytes.fromhex(key_id(key)), nonce_prefix, len(blob)) + blob


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + _LENGTH.pack(index)


def _aad(header_digest: bytes, index: int, final: bool) -> bytes:
    # Binding each chunk to the header, its position and "last or not" makes reordering,
    # splicing two backups or cutting the file at a chunk boundary detectable.
    return header_digest + struct.pack(">I?", index, final)


def encrypt(source: IO[bytes], target: IO[bytes], key: bytes, meta: dict[str, Any]) -> None:
    """Stream ``source`` into ``target`` as an encrypted backup carrying ``meta`` in clear."""
    aead = AESGCM(key)
    prefix = secrets.token_bytes(8)
    header = _header(key, prefix, meta)
    digest = hashlib.sha256(header).digest()
    target.write(header)
    index = 0
    chunk = source.read(CHUNK_BYTES)
    while True:
        following = source.read(CHUNK_BYTES)
        final = not following
        sealed = aead.encrypt(_nonce(prefix, index), chunk, _aad(digest, index, final))
        target.write(_LENGTH.pack(len(sealed)) + sealed)
        if final:
            return
        chunk, index = following, index + 1


def _read_header(source: IO[bytes]) -> tuple[bytes, bytes, bytes, dict[str, Any]]:
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise RestoreRefused("this file is not a Banditore backup")
    fixed = source.read(_FIXED.size)
    if len(fixed) != _FIXED.size:
        raise RestoreRefused("the backup is truncated (its header is incomplete)")
    version, kid, prefix, meta_len = _FIXED.unpack(fixed)
    if version != FORMAT:
        raise RestoreRefused(
            f"the backup uses format {version}, which this Banditore does not know: "
            "install the Banditore version that made it"
        )
    if meta_len > MAX_META_BYTES:
        raise RestoreRefused("the backup header is damaged")
    blob = source.read(meta_len)
    try:
        meta = json.loads(blob)
    except ValueError:
        raise RestoreRefused("the backup header is damaged or truncated") from None
    if not isinstance(meta, dict):
        raise RestoreRefused("the backup header is damaged")
    return MAGIC + fixed + blob, kid.hex(), prefix, meta


def read_meta(path: Path) -> dict[str, Any]:
    """The clear-text metadata of a backup (no key needed); RestoreRefused when unreadable."""
    with path.open("rb") as fh:
        _, kid, _, meta = _read_header(fh)
    return {**meta, "key_id": kid}


def decrypt(source: IO[bytes], target: IO[bytes], key: bytes) -> dict[str, Any]:
    """Stream a backup's clear database into ``target``; return its metadata."""
    header, kid, prefix, meta = _read_header(source)
    if kid != key_id(key):
        raise RestoreRefused(
            f"the backup was made with another backup key (key id {kid}, this box has "
            f"{key_id(key)}): use the key file of the box that made it"
        )
    aead = AESGCM(key)
    digest = hashlib.sha256(header).digest()
    index = 0
    sealed = _read_chunk(source)
    if sealed is None:
        raise RestoreRefused("the backup is truncated (no data after the header)")
    while True:
        following = _read_chunk(source)
        final = following is None
        try:
            target.write(aead.decrypt(_nonce(prefix, index), sealed, _aad(digest, index, final)))
        except InvalidTag:
            raise RestoreRefused(
                "the backup is damaged or truncated (a block does not authenticate); "
                "use another backup"
            ) from None
        if final:
            return meta
        sealed, index = following, index + 1


def _read_chunk(source: IO[bytes]) -> bytes | None:
    raw = source.read(_LENGTH.size)
    if not raw:
        return None
    if len(raw) != _LENGTH.size:
        raise RestoreRefused("the backup is truncated (it ends inside a block)")
    (length,) = _LENGTH.unpack(raw)
    if length > CHUNK_BYTES + TAG_BYTES or length < TAG_BYTES:
        raise RestoreRefused("the backup is damaged (a block has an impossible length)")
    sealed = source.read(length)
    if len(sealed) != length:
        raise RestoreRefused("the backup is truncated (it ends inside a block)")
    return sealed
