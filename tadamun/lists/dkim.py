"""DKIM signatures (RFC 6376) on outgoing list mail, so that receivers can verify that the
list — not the original author — sent and modified the message.

relaxed/relaxed canonicalisation (RFC 6376 §3.4.2, §3.4.4) and the DKIM-Signature field are
computed here; the RSA operation (RSASSA-PKCS1-v1_5 with SHA-256) is OpenSSL's, through
`cryptography`, with the key parsed once per process. The field is laid out (tags, folding) as
dkimpy lays it out, and signatures verify with `dkim.verify`.

A personalised fan-out signs one copy per recipient, and the copies differ only in one header
and the end of the text part. `BodyHasher` hashes the shared start of the body once; each copy
copies that SHA-256 state and adds its own tail, so a copy costs one RSA signature and the
hash of a few hundred bytes, not a canonicalisation of the whole message.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from django.conf import settings

# The headers a list's copy is judged by (RFC 6376 §5.4; RFC 8058 §3 requires List-Unsubscribe
# and List-Unsubscribe-Post to be covered). All of them are named in h=, also those a message
# lacks, which stops anyone from adding them later without breaking the signature (§5.4.2
# "oversigning"; dkimpy does the same).
SIGNED_HEADERS = (
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "List-Id",
    "List-Help",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Subscribe",
    "List-Post",
    "List-Owner",
    "List-Archive",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)
CANONICALIZE = (b"relaxed", b"relaxed")
_INCLUDE = tuple(name.lower().encode() for name in SIGNED_HEADERS)
_SIG_NAME = b"DKIM-Signature"

_WSP = re.compile(rb"[\t ]+")
_TRAILING_WSP = re.compile(rb"[\t ]+\r\n")
_UNFOLD = re.compile(rb"\r?\n")
_HEADER_NAME = re.compile(rb"([\x21-\x7e]+?):")
# As dkimpy's RE_BTAG: the value of the b= tag (possibly folded), to be emptied.
_FWS = rb"(?:(?:\s*\r?\n)?\s+)?"
_BTAG = re.compile(rb"([;\s]b" + _FWS + rb"=)(?:" + _FWS + rb"[a-zA-Z0-9+/=])*(?:\r?\n\Z)?")


# --- canonicalisation (RFC 6376 §3.4.2 and §3.4.4) ---------------------------------------------


def relaxed_lines(data: bytes) -> bytes:
    """Relaxed body canonicalisation of whole CRLF-terminated lines, without the removal of
    empty lines at the end (which only the end of the whole body undergoes)."""
    return _WSP.sub(b" ", _TRAILING_WSP.sub(b"\r\n", data))


def _strip_trailing_empty_lines(data: bytes) -> bytes:
    """What remains after the empty lines at the end are removed; `data` is canonical."""
    while data.endswith(b"\r\n\r\n"):
        data = data[:-2]
    return b"" if data == b"\r\n" else data


def relaxed_body(body: bytes) -> bytes:
    """The relaxed canonical form of a whole body (CRLF line ends)."""
    canonical = relaxed_lines(body)
    if canonical and not canonical.endswith(b"\r\n"):
        canonical += b"\r\n"  # as dkimpy: after the canonicalisation of the last line
    return _strip_trailing_empty_lines(canonical)


def relaxed_header(name: bytes, value: bytes) -> bytes:
    """`name:value` in relaxed form, without the CRLF."""
    return name.lower().rstrip() + b":" + _WSP.sub(b" ", _UNFOLD.sub(b"", value)).strip()


def parse_headers(block: bytes) -> list[tuple[bytes, bytes]]:
    """(name, raw value with its CRLFs) of each field of a CRLF header block."""
    fields: list[list[bytes]] = []
    for line in block.split(b"\r\n"):
        if not line:
            continue
        if line[0] in (9, 32):
            if fields:
                fields[-1][1] += line + b"\r\n"
            continue
        match = _HEADER_NAME.match(line)
        if match is None:
            if line.startswith(b"From "):
                continue
            raise ValueError(f"not a header field: {line[:60]!r}")
        fields.append([match.group(1), line[match.end() :] + b"\r\n"])
    return [(name, value) for name, value in fields]


def _select(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The fields h= covers, in h= order; for a name listed again the next one up (RFC 6376
    §5.4.2), none when there is none left (dkimpy's select_headers)."""
    selected = []
    last_index: dict[bytes, int] = {}
    lowered = [name.lower() for name, _value in headers]
    for name in _INCLUDE:
        i = last_index.get(name, len(headers))
        while i > 0:
            i -= 1
            if lowered[i] == name:
                selected.append(headers[i])
                break
        last_index[name] = i
    return selected


# --- keys ---------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _load_key(path: str, mtime: float) -> rsa.RSAPrivateKey:
    pem = Path(path).read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("DKIM_PRIVATE_KEY_FILE must hold an RSA private key")
    return key


def signing_enabled() -> bool:
    return bool(settings.DKIM_DOMAIN and settings.DKIM_SELECTOR and settings.DKIM_PRIVATE_KEY_FILE)


def _key() -> rsa.RSAPrivateKey:
    path = settings.DKIM_PRIVATE_KEY_FILE
    return _load_key(path, Path(path).stat().st_mtime)


# --- signing ------------------------------------------------------------------------------------


def _fold(header: bytes, namelen: int) -> bytes:
    from dkim import fold

    return fold(header, namelen=namelen, linesep=b"\r\n")


def canonical_headers(header_block: bytes) -> bytes:
    """The fields of a header block that a signature covers, in relaxed form and h= order, as
    they are hashed. A personalised copy can take the shared block's and replace its
    personal value (one without white space, as a link) in it."""
    return b"".join(
        relaxed_header(name, raw) + b"\r\n" for name, raw in _select(parse_headers(header_block))
    )


def signature_header(
    header_block: bytes,
    body_hash: bytes,
    *,
    canonical: bytes | None = None,
    key: rsa.RSAPrivateKey | None = None,
    domain: bytes | None = None,
    selector: bytes | None = None,
    timestamp: int | None = None,
) -> bytes:
    """The `DKIM-Signature:` field (with its CRLF) for a message whose header block (fields with
    CRLFs, no empty line) is `header_block` and whose relaxed body hash is `body_hash`
    (SHA-256 digest). `canonical`: `canonical_headers(header_block)`, when the caller has
    it."""
    key = key or _key()
    domain = domain or settings.DKIM_DOMAIN.encode()
    selector = selector or settings.DKIM_SELECTOR.encode()
    stamp = timestamp if timestamp is not None else int(time.time())
    fields = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", b"relaxed/relaxed"),
        (b"d", domain),
        (b"i", b"@" + domain),
        (b"q", b"dns/txt"),
        (b"s", selector),
        (b"t", str(stamp).encode("ascii")),
        (b"h", b" : ".join(_INCLUDE)),
        (b"bh", base64.b64encode(body_hash)),
        # A placeholder as long as a signature's first line, so that b= is folded onto its own
        # line and the lines before it stay as they were hashed (as dkimpy does).
        (b"b", b"0" * 60),
    ]
    namelen = len(_SIG_NAME)
    value = _fold(b"; ".join(b"=".join(field) for field in fields), namelen)
    unsigned = _BTAG.sub(b"\\1", value)
    if canonical is None:
        canonical = canonical_headers(header_block)
    hashed = hashlib.sha256(canonical)
    # The signature field itself, b= empty, without a trailing CRLF (§3.7).
    hashed.update(relaxed_header(_SIG_NAME, b" " + unsigned))
    signature = key.sign(hashed.digest(), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    fields[-1] = (b"b", base64.b64encode(signature))
    value = b"; ".join(b"=".join(field) for field in fields) + b"\r\n"
    return _SIG_NAME + b": " + _fold(value, namelen)


def sign(message: bytes) -> bytes:
    """The message with a DKIM-Signature header in front, or unchanged when DKIM is not
    configured (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY_FILE). `message` must use CRLF
    line endings, as it will be sent."""
    if not signing_enabled():
        return message
    end = message.find(b"\r\n\r\n")
    if end < 0:
        header_block, body = message, b""
    else:
        header_block, body = message[: end + 2], message[end + 4 :]
    body_hash = hashlib.sha256(relaxed_body(body)).digest()
    return signature_header(header_block, body_hash) + message


class BodyHasher:
    """The relaxed body hash of bodies made of a shared start, a per-copy middle and a shared
    end — each a run of whole CRLF-terminated lines. The shared parts are canonicalised and
    the start hashed once; `digest(middle)` costs the hash of the middle and the end."""

    def __init__(self, start: bytes, end: bytes):
        if start and not start.endswith(b"\r\n"):
            raise ValueError("the shared start must end at a line end")
        self._start = hashlib.sha256(relaxed_lines(start))
        self._start_canonical = relaxed_lines(start)
        self._end_lines = relaxed_lines(end if not end or end.endswith(b"\r\n") else end + b"\r\n")
        # When the end is blank, empty lines at the end of the middle are dropped too.
        self._end = _strip_trailing_empty_lines(self._end_lines)

    def digest(self, middle: bytes) -> bytes:
        if middle and not middle.endswith(b"\r\n"):
            raise ValueError("the middle must end at a line end")
        canonical = relaxed_lines(middle)
        if self._end:
            tail = canonical + self._end
        else:
            tail = _strip_trailing_empty_lines(canonical)
            if not tail:
                # Nothing but blank lines after the start: the general case.
                return hashlib.sha256(_strip_trailing_empty_lines(self._start_canonical)).digest()
        hashed = self._start.copy()
        hashed.update(tail)
        return hashed.digest()


def dns_record(public_key_pem: bytes) -> bytes:
    """The TXT record to publish at <selector>._domainkey.<domain> for a public key."""
    key = serialization.load_pem_public_key(public_key_pem)
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
