"""Encrypt TOTP secrets and recovery-code seeds still stored in the clear (written before
MFAAdapter encrypted them). Idempotent: values that carry the encryption prefix are left as
they are. `manage.py rotate_mfa_keys` does the same for a key change."""

from django.db import migrations

FIELDS = ("secret", "seed")


def encrypt_plain_secrets(apps, schema_editor):
    from tadamun.accounts.adapter import ENCRYPTED_PREFIX, MFAAdapter

    adapter = MFAAdapter()
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]):
        data = dict(authenticator.data or {})
        changed = False
        for field in FIELDS:
            value = data.get(field)
            if isinstance(value, str) and not value.startswith(ENCRYPTED_PREFIX):
                data[field] = adapter.encrypt(value)
                changed = True
        codes = data.get("migrated_codes")
        if isinstance(codes, list) and any(not c.startswith(ENCRYPTED_PREFIX) for c in codes):
            data["migrated_codes"] = [
                c if c.startswith(ENCRYPTED_PREFIX) else adapter.encrypt(c) for c in codes
            ]
            changed = True
        if changed:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_handle"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    # Reversing keeps the secrets encrypted: MFAAdapter.decrypt reads both forms.
    operations = [migrations.RunPython(encrypt_plain_secrets, migrations.RunPython.noop)]
