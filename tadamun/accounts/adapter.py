import base64
import binascii
import hashlib
import hmac
from functools import cache

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Marks a value encrypted by us, so that decrypt() can tell it from a secret stored in the clear
# before encryption was switched on (those are read as they are and re-encrypted by
# `manage.py rotate_mfa_keys`).
ENCRYPTED_PREFIX = "fernet:"


def hashed_client_address(address: str) -> str:
    """A keyed hash of the client's address: rate limits key on it, in the cache only; the
    raw address is never stored (README, Privacy)."""
    key = hashlib.sha256(b"client-address:" + settings.SECRET_KEY.encode()).digest()
    return "h" + hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def fernet_key(key: str) -> bytes:
    """A Fernet key as-is; any other passphrase stretched to 32 bytes with HKDF-SHA256
    (RFC 5869). A random passphrase needs no slow KDF: HKDF only shapes it."""
    try:
        if len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32:
            return key.encode("ascii")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        pass
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"tadamun mfa secrets"
    ).derive(key.encode())
    return base64.urlsafe_b64encode(derived)


@cache
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(fernet_key(key)) for key in keys])


def mfa_fernet() -> MultiFernet:
    """The current key encrypts; old keys (MFA_ENCRYPTION_KEYS_OLD) still decrypt."""
    old = getattr(settings, "MFA_ENCRYPTION_KEYS_OLD", []) or []
    return _multi_fernet((settings.MFA_ENCRYPTION_KEY, *old))


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People join through an application or an invitation (organisations app).
        return False

    def get_client_ip(self, request) -> str:
        return hashed_client_address(super().get_client_ip(request))


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted (Fernet: AES-128-CBC with
    HMAC-SHA256), so a copy of the database alone does not yield anyone's second factor."""

    def encrypt(self, text: str) -> str:
        token = mfa_fernet().encrypt(text.encode())
        return ENCRYPTED_PREFIX + token.decode("ascii")

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(ENCRYPTED_PREFIX):
            return encrypted_text
        token = encrypted_text.removeprefix(ENCRYPTED_PREFIX).encode("ascii")
        return mfa_fernet().decrypt(token).decode()

    def rotate(self, encrypted_text: str) -> str:
        """The same secret under the current key (plaintext legacy values get encrypted)."""
        return self.encrypt(self.decrypt(encrypted_text))
