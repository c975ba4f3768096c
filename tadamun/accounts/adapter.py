import hashlib
import hmac

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings


def hashed_client_address(address: str) -> str:
    """A keyed hash of the client's address: rate limits key on it, in the cache only; the
    raw address is never stored (README, Privacy)."""
    key = hashlib.sha256(b"client-address:" + settings.SECRET_KEY.encode()).digest()
    return "h" + hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People join through an application or an invitation (organisations app).
        return False

    def get_client_ip(self, request) -> str:
        return hashed_client_address(super().get_client_ip(request))


class MFAAdapter(DefaultMFAAdapter):
    pass
