"""Streaming authenticated encryption of backup files: AES-256-GCM in 1 MiB chunks.

The layout follows the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár, "Online
Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015), as used by age
and Tink:

    header  = MAGIC | version (1 byte) | chunk size (4 bytes, big-endian) | salt (16 bytes)
              | nonce prefix (7 bytes) | key id (8 bytes)
    chunk i = AES-256-GCM(file key, nonce = prefix | i (4 bytes) | last (1 byte),
                          plaintext, associated data = header)

The file key is HKDF-SHA256(BACKUP_KEY, salt), new for every file; the key id (an HMAC of the
backup key) tells a wrong key from a damaged file. Every chunk is authenticated together with
the header and its position, and only the final chunk carries the "last" flag: a reordered,
dropped, truncated or extended file fails to decrypt. Neither side ever holds more than one
chunk in memory.
"""

import base64
import hashlib
import hmac
import os
import secrets
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"TADAMUN-BACKUP\x00"
VERSION = 1
CHUNK_SIZE = 1 << 20
TAG_SIZE = 16
KEY_SIZE = 32
SALT_SIZE = 16
PREFIX_SIZE = 7
KEY_ID_SIZE = 8
HEADER = struct.Struct(f">{len(MAGIC)}sBI{SALT_SIZE}s{PREFIX_SIZE}s{KEY_ID_SIZE}s")
MAX_CHUNKS = 1 << 32


class BackupError(Exception):
    """Anything that stops a backup or a restore; the message is meant for the operator."""


class BackupKeyError(BackupError):
    """No key, a malformed key, or not the key this file was made with."""


class BackupCorruptError(BackupError):
    """The file is not a backup, or it was changed or cut short after it was written."""


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_SIZE)).decode("ascii")


def parse_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != KEY_SIZE:
        raise BackupKeyError(
            "BACKUP_KEY must be a urlsafe-base64 encoded 32-byte key "
            "(make one with `manage.py backup --new-key`)."
        )
    return key


def key_from_environment(environ=os.environ) -> bytes:
    """The key from BACKUP_KEY, or from the file named by BACKUP_KEY_FILE (like the other
    *_FILE secrets in settings.py)."""
    if value := environ.get("BACKUP_KEY"):
        return parse_key(value)
    if path := environ.get("BACKUP_KEY_FILE"):
        try:
            return parse_key(Path(path).read_text())
        except OSError as exc:
            raise BackupKeyError(f"Cannot read BACKUP_KEY_FILE {path}: {exc.strerror}.") from exc
    raise BackupKeyError(
        "No backup key: set BACKUP_KEY (or BACKUP_KEY_FILE, the path of a file holding it). "
        "Make a key with `manage.py backup --new-key` and keep it apart from the backups."
    )


def key_id(key: bytes) -> bytes:
    return hmac.new(key, b"tadamun backup key id", hashlib.sha256).digest()[:KEY_ID_SIZE]


def file_key(key: bytes, salt: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=b"tadamun backup v1"
    ).derive(key)


def nonce(prefix: bytes, counter: int, *, last: bool) -> bytes:
    if counter >= MAX_CHUNKS:
        raise BackupError("The backup is too large for one file.")
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingWriter:
    """A write-only file object: what is written comes out encrypted into `raw`.
    `close()` writes the final chunk; without it the file does not decrypt."""

    def __init__(self, raw: BinaryIO, key: bytes, *, chunk_size: int = CHUNK_SIZE):
        salt = secrets.token_bytes(SALT_SIZE)
        self._prefix = secrets.token_bytes(PREFIX_SIZE)
        self._header = HEADER.pack(MAGIC, VERSION, chunk_size, salt, self._prefix, key_id(key))
        self._aead = AESGCM(file_key(key, salt))
        self._raw = raw
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        raw.write(self._header)
        self.bytes_out = len(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self._closed:
            raise ValueError("write to a closed backup file")
        self._buffer += data
        # Strictly more than a chunk: the final chunk is written by close(), flagged "last".
        while len(self._buffer) > self._chunk_size:
            self._emit(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def _emit(self, plaintext: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(
            nonce(self._prefix, self._counter, last=last), plaintext, self._header
        )
        self._raw.write(sealed)
        self.bytes_out += len(sealed)
        self._counter += 1

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True
            self._raw.flush()


class DecryptingReader:
    """A read-only file object over an encrypted backup. Each chunk is authenticated before
    any of it is returned; `read_to_end()` proves that nothing was cut off."""

    def __init__(self, raw: BinaryIO, key: bytes):
        self._raw = raw
        header = _read_exact(raw, HEADER.size)
        if len(header) < HEADER.size or not header.startswith(MAGIC):
            raise BackupCorruptError("This is not a Tadamun backup file.")
        _magic, version, chunk_size, salt, prefix, file_key_id = HEADER.unpack(header)
        if version != VERSION:
            raise BackupCorruptError(
                f"This backup file has format version {version}; this Tadamun reads version "
                f"{VERSION}."
            )
        if not 0 < chunk_size <= 64 * CHUNK_SIZE:
            raise BackupCorruptError("The backup file's header is damaged.")
        if not hmac.compare_digest(file_key_id, key_id(key)):
            raise BackupKeyError("Wrong key: this backup was made with another BACKUP_KEY.")
        self._header = header
        self._prefix = prefix
        self._aead = AESGCM(file_key(key, salt))
        self._sealed_size = chunk_size + TAG_SIZE
        self._next = _read_exact(raw, self._sealed_size)
        self._counter = 0
        self._plain = b""
        self._offset = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _decrypt_next(self) -> None:
        sealed = self._next
        self._next = _read_exact(self._raw, self._sealed_size)
        last = not self._next
        if len(sealed) < TAG_SIZE:
            raise BackupCorruptError("The backup file is truncated.")
        try:
            self._plain = self._aead.decrypt(
                nonce(self._prefix, self._counter, last=last), sealed, self._header
            )
        except InvalidTag as exc:
            raise BackupCorruptError(
                "The backup file is damaged, truncated or was tampered with "
                f"(chunk {self._counter + 1} does not authenticate)."
            ) from exc
        self._offset = 0
        self._counter += 1
        self._done = last

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = size if size is not None and size >= 0 else None
        while wanted is None or wanted > 0:
            if self._offset >= len(self._plain):
                if self._done:
                    break
                self._decrypt_next()
                continue
            end = len(self._plain) if wanted is None else self._offset + wanted
            part = self._plain[self._offset : end]
            self._offset += len(part)
            if wanted is not None:
                wanted -= len(part)
            parts.append(part)
        return b"".join(parts)

    def read_to_end(self) -> int:
        """Decrypt (and so authenticate) whatever is left; the number of bytes skipped."""
        skipped = 0
        while chunk := self.read(CHUNK_SIZE):
            skipped += len(chunk)
        return skipped


def _read_exact(raw: BinaryIO, size: int) -> bytes:
    parts = []
    while size > 0:
        part = raw.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)
