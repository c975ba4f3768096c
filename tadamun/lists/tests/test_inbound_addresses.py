"""The list address scheme and signed VERP addresses."""

import pytest

from tadamun.lists import addresses
from tadamun.lists.addresses import Role
from tadamun.lists.tests.inbound_support import address, make_list

pytestmark = pytest.mark.django_db


def test_roles_resolve_and_hyphenated_slugs():
    peace = make_list("peace-building")
    peace_join = make_list("peace-building-join")
    assert addresses.resolve(address("peace-building")).role == Role.POST
    assert addresses.resolve(address("peace-building-join")).mailing_list == peace_join
    leave = addresses.resolve(address("peace-building", "-leave"))
    assert (leave.mailing_list, leave.role) == (peace, Role.LEAVE)
    for suffix, role in [("-owner", Role.OWNER), ("-request", Role.REQUEST)]:
        assert addresses.resolve(address("peace-building", suffix)).role == role
    confirm = addresses.resolve(address("peace-building", "-confirm+abc123"))
    assert (confirm.role, confirm.token) == (Role.CONFIRM, "abc123")
    assert addresses.resolve("<PEACE-BUILDING@LISTS.TADAMUN.LOCALHOST>").mailing_list == peace


def test_unknown_disabled_and_foreign_addresses():
    mailing_list = make_list("closed-down", enabled=False)
    assert addresses.resolve(mailing_list.address) is None
    assert addresses.resolve(address("nothing")) is None
    assert addresses.resolve("peace@example.org") is None
    assert addresses.resolve("") is None


@pytest.mark.parametrize("recipient", ["amal@example.org", "a.b+tag@example.org", "ع@مثال.عراق"])
def test_verp_round_trip(recipient):
    mailing_list = make_list()
    verp = addresses.verp_address(mailing_list, recipient)
    local, _domain = addresses.split_address(verp)
    assert addresses.parse_verp(local) == ("privatization", recipient.lower())
    assert addresses.resolve(verp).role == Role.BOUNCES
    by_delivery = addresses.verp_address(mailing_list, recipient, delivery_id=42)
    assert addresses.parse_verp(by_delivery) == ("privatization", 42)
    # Some MTAs fold the case of local parts.
    assert addresses.parse_verp(by_delivery.upper().split("@")[0]) == ("privatization", 42)


def test_verp_forgery_is_refused():
    mailing_list = make_list()
    verp = addresses.verp_address(mailing_list, "victim@example.org").split("@")[0]
    payload, signature = verp.rsplit(".", 1)
    assert addresses.parse_verp(payload.replace("victim", "victin") + "." + signature) is None
    assert addresses.parse_verp(verp.replace("privatization", "other")) is None
    assert addresses.parse_verp("privatization-bounces+d42.aaaaaaaaaaaaaaaa") is None
    assert addresses.parse_verp("privatization-bounces") is None
