import io

import pytest

from tadamun.backups.crypto import (
    HEADER,
    TAG_SIZE,
    BackupCorruptError,
    BackupKeyError,
    DecryptingReader,
    EncryptingWriter,
    key_from_environment,
    new_key,
    parse_key,
)

CHUNK = 64


def encrypt(data: bytes, key: bytes, *, chunk_size: int = CHUNK) -> bytes:
    raw = io.BytesIO()
    writer = EncryptingWriter(raw, key, chunk_size=chunk_size)
    # Uneven writes: chunking must not depend on how the data arrives.
    for start in range(0, len(data), 17):
        writer.write(data[start : start + 17])
    writer.close()
    return raw.getvalue()


def decrypt(sealed: bytes, key: bytes) -> bytes:
    reader = DecryptingReader(io.BytesIO(sealed), key)
    parts = []
    while part := reader.read(23):
        parts.append(part)
    return b"".join(parts)


@pytest.fixture
def key():
    return parse_key(new_key())


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 7])
def test_round_trip_of_every_length(key, size):
    data = bytes(range(256)) * (size // 256 + 1)
    data = data[:size]
    sealed = encrypt(data, key)
    assert decrypt(sealed, key) == data
    # The header, then whole chunks, then a last chunk of 0..CHUNK bytes.
    chunks = max(1, -(-size // CHUNK))
    assert len(sealed) == HEADER.size + size + chunks * TAG_SIZE


def test_the_same_data_encrypts_differently_every_time(key):
    assert encrypt(b"same" * 100, key) != encrypt(b"same" * 100, key)


def test_a_wrong_key_is_named_as_such(key):
    sealed = encrypt(b"secret" * 50, key)
    with pytest.raises(BackupKeyError, match="Wrong key"):
        decrypt(sealed, parse_key(new_key()))


def test_truncation_at_every_chunk_boundary_is_detected(key):
    data = b"x" * (4 * CHUNK + 10)
    sealed = encrypt(data, key)
    sealed_chunk = CHUNK + TAG_SIZE
    for chunks in range(5):
        cut = sealed[: HEADER.size + chunks * sealed_chunk]
        with pytest.raises(BackupCorruptError):
            decrypt(cut, key)
    with pytest.raises(BackupCorruptError):
        decrypt(sealed[:-1], key)


def test_extension_reordering_and_flipped_bits_are_detected(key):
    data = bytes(range(256)) * 2
    sealed = encrypt(data, key)
    sealed_chunk = CHUNK + TAG_SIZE
    with pytest.raises(BackupCorruptError):
        decrypt(sealed + sealed[-sealed_chunk:], key)
    first = sealed[HEADER.size : HEADER.size + sealed_chunk]
    second = sealed[HEADER.size + sealed_chunk : HEADER.size + 2 * sealed_chunk]
    swapped = sealed[: HEADER.size] + second + first + sealed[HEADER.size + 2 * sealed_chunk :]
    with pytest.raises(BackupCorruptError):
        decrypt(swapped, key)
    for position in (len(b"TADAMUN-BACKUP\x00") + 10, HEADER.size + 3, len(sealed) - 1):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(BackupCorruptError):
            decrypt(bytes(tampered), key)


def test_not_a_backup_file(key):
    with pytest.raises(BackupCorruptError, match="not a Tadamun backup"):
        decrypt(b"PK\x03\x04 a zip file, not a backup" * 3, key)


def test_keys_come_from_the_environment_or_a_file(tmp_path):
    text = new_key()
    assert key_from_environment({"BACKUP_KEY": text}) == parse_key(text)
    keyfile = tmp_path / "backup.key"
    keyfile.write_text(text + "\n")
    assert key_from_environment({"BACKUP_KEY_FILE": str(keyfile)}) == parse_key(text)
    with pytest.raises(BackupKeyError, match="No backup key"):
        key_from_environment({})
    with pytest.raises(BackupKeyError, match="32-byte"):
        key_from_environment({"BACKUP_KEY": "too-short"})
    with pytest.raises(BackupKeyError, match="Cannot read BACKUP_KEY_FILE"):
        key_from_environment({"BACKUP_KEY_FILE": str(tmp_path / "missing")})
