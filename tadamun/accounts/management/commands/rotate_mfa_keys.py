from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from tadamun.accounts.adapter import MFAAdapter


class Command(BaseCommand):
    help = (
        "Re-encrypt every TOTP secret and recovery-code seed under MFA_ENCRYPTION_KEY. Run after "
        "moving the previous key into MFA_ENCRYPTION_KEYS_OLD; then the old key can be dropped."
    )

    def handle(self, *args, **options):
        adapter = MFAAdapter()
        count = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update().filter(
                type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
            ):
                data = authenticator.data
                for field in ("secret", "seed"):
                    if field in data:
                        data[field] = adapter.rotate(data[field])
                if "migrated_codes" in data:
                    data["migrated_codes"] = [adapter.rotate(c) for c in data["migrated_codes"]]
                authenticator.save(update_fields=["data"])
                count += 1
        self.stdout.write(f"Re-encrypted {count} authenticators.")
