"""People for tests, shared by every app: `UserFactory(coordinator=True)`,
`UserFactory(applicant=True)`, `UserFactory(hidden=True, pseudonymous=True)`.

Every person gets a verified primary e-mail address (allauth refuses sign-in without one) and
the password `PASSWORD`.
"""

from functools import cache

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password

from tadamun.accounts.models import User

PASSWORD = "correct horse battery staple"


@cache
def _hashed(password: str, hasher: str) -> str:
    # Hashing once per run keeps the suite fast with the production hasher.
    return make_password(password)


def hashed_password() -> str:
    return _hashed(PASSWORD, settings.PASSWORD_HASHERS[0])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        member = factory.Trait(status=User.Status.MEMBER)
        applicant = factory.Trait(status=User.Status.APPLICANT)
        declined = factory.Trait(status=User.Status.DECLINED)
        suspended = factory.Trait(status=User.Status.SUSPENDED)
        coordinator = factory.Trait(status=User.Status.MEMBER, is_coordinator=True)
        translator = factory.Trait(is_translator=True)
        hidden = factory.Trait(hide_membership=True)
        pseudonymous = factory.Trait(display_name=factory.Sequence(lambda n: f"Nightingale {n}"))

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    legal_name = factory.Sequence(lambda n: f"Person Number {n}")
    display_name = factory.LazyAttribute(lambda o: o.legal_name)
    status = User.Status.MEMBER
    preferred_language = "en"
    password = factory.LazyFunction(hashed_password)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        """`verified_email=False` leaves the address unconfirmed."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)
