import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.urls import reverse

from tadamun.accounts.adapter import ENCRYPTED_PREFIX, MFAAdapter, fernet_key
from tadamun.accounts.tests.conftest import add_totp, sign_in, totp_now
from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_encrypt_round_trip_with_prefix():
    adapter = MFAAdapter()
    sealed = adapter.encrypt("JBSWY3DPEHPK3PXP")
    assert sealed.startswith(ENCRYPTED_PREFIX)
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert adapter.decrypt(sealed) == "JBSWY3DPEHPK3PXP"


def test_plaintext_from_before_encryption_still_reads():
    assert MFAAdapter().decrypt("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"


def test_a_real_fernet_key_is_used_as_is_and_a_passphrase_is_derived():
    real = Fernet.generate_key().decode()
    assert fernet_key(real) == real.encode()
    derived = fernet_key("a long passphrase, not a Fernet key")
    assert derived != b"a long passphrase, not a Fernet key"
    Fernet(derived)  # a valid key
    assert fernet_key("a long passphrase, not a Fernet key") == derived


def test_old_keys_decrypt_and_rotation_moves_to_the_new_key(settings):
    settings.MFA_ENCRYPTION_KEY = "old passphrase"
    settings.MFA_ENCRYPTION_KEYS_OLD = []
    user = UserFactory()
    add_totp(user)
    sealed = Authenticator.objects.get(user=user).data["secret"]

    settings.MFA_ENCRYPTION_KEY = "new passphrase"
    with pytest.raises(InvalidToken):
        MFAAdapter().decrypt(sealed)
    settings.MFA_ENCRYPTION_KEYS_OLD = ["old passphrase"]
    secret = MFAAdapter().decrypt(sealed)

    call_command("rotate_mfa_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rotated = Authenticator.objects.get(user=user).data["secret"]
    settings.MFA_ENCRYPTION_KEYS_OLD = []
    assert MFAAdapter().decrypt(rotated) == secret


def test_totp_enrolment_stores_no_secret_in_the_clear(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    assert sign_in(client, user).status_code == 302
    # Adding a factor asks for the password again (allauth's reauthentication).
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})

    assert response.status_code == 302
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    seed = MFAAdapter().decrypt(codes.data["seed"])
    stored = json.dumps([totp.data, codes.data])
    assert secret not in stored
    assert seed not in stored
    assert totp.data["secret"].startswith(ENCRYPTED_PREFIX)
    assert MFAAdapter().decrypt(totp.data["secret"]) == secret
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MFA_ADDED, subject=user, detail__kind="totp"
    ).exists()

    # The same secret signs in afterwards.
    client.post(reverse("account_logout"))
    response = sign_in(client, user)
    assert response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200


def test_password_alone_does_not_sign_in_when_totp_is_on(client):
    user = UserFactory()
    add_totp(user)
    response = sign_in(client, user)
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000x"})
    assert "_auth_user_id" not in client.session


def test_a_totp_code_cannot_be_used_twice(client, django_user_model):
    user = UserFactory()
    secret = add_totp(user)
    code = totp_now(secret)
    sign_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session["_auth_user_id"] == str(user.pk)

    other_browser = client.__class__()
    sign_in(other_browser, user)
    response = other_browser.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200
    assert "_auth_user_id" not in other_browser.session
    assert response.context["form"].errors["code"]


def test_replay_protection_lives_in_the_shared_cache():
    """The used-code marker is in Django's cache (database or Redis), not in process memory,
    so a code used on one web worker is refused on every other."""
    from allauth.mfa.totp.internal import auth
    from django.core.cache import cache

    assert auth.cache is cache
    user = UserFactory()
    secret = add_totp(user)
    totp = Authenticator.objects.get(user=user).wrap()
    code = totp_now(secret)
    assert totp.validate_code(code)
    assert cache.get(totp._get_used_cache_key(code)) == "y"
    assert not totp.validate_code(code)


def test_recovery_code_signs_in_once(client):
    user = UserFactory()
    add_totp(user)
    codes = RecoveryCodes.activate(user)
    code = codes.get_unused_codes()[0]

    sign_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post(reverse("account_logout"))
    sign_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert "_auth_user_id" not in client.session


def test_regenerating_recovery_codes_is_audited(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    secret = add_totp(user)
    RecoveryCodes.activate(user)
    sign_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})

    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_generate_recovery_codes"))

    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MFA_CODES_REGENERATED, subject=user
    ).exists()
