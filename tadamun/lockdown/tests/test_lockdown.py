"""Lockdown of a workgroup and of the whole site: who may, what it hides, whose sessions
end, which mail stops (and resumes), the audit trail."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.models import UserSession
from tadamun.accounts.tests.conftest import sign_in
from tadamun.core.models import AuditEvent
from tadamun.lists import inbound
from tadamun.lists.delivery import claim_due
from tadamun.lists.models import Delivery
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.outbound_support import make_list
from tadamun.lockdown import selectors, services
from tadamun.lockdown.models import Lockdown
from tadamun.workgroups import selectors as workgroup_selectors
from tadamun.workgroups.models import Post, WorkgroupMembership
from tadamun.workgroups.services import post_create
from tadamun.workgroups.tests.factories import MembershipFactory, UserFactory

list_settings = outbound_support.list_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("list_settings")]


@pytest.fixture(autouse=True)
def _fresh_state():
    selectors.forget_state()
    with translation.override("en"):
        yield
    selectors.forget_state()


class World:
    def __init__(self):
        self.coordinator = UserFactory(coordinator=True)
        self.list, people = make_list(members=2)
        self.workgroup = self.list.workgroup
        self.member, self.owner = people
        WorkgroupMembership.objects.filter(workgroup=self.workgroup, user=self.owner).update(
            role=WorkgroupMembership.Role.OWNER
        )
        self.other_list, (self.other_member,) = make_list(members=1)
        self.outsider = UserFactory()
        self.applicant = UserFactory(applicant=True)
        MembershipFactory(workgroup=self.workgroup, user=self.coordinator)

    def post(self, mailing_list=None, author=None):
        mailing_list = mailing_list or self.list
        return post_create(
            workgroup=mailing_list.workgroup,
            author=author or self.member,
            subject="Plans",
            body="Meet at the usual place",
            source=Post.Source.WEB,
        )


@pytest.fixture
def world():
    return World()


def signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


# ----------------------------------------------------------------------------- who may


ROLES = ["anonymous", "applicant", "outsider", "member", "owner", "coordinator"]


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_lock_down_and_lift(world, role):
    user = None if role == "anonymous" else getattr(world, role)
    client = Client()
    if user is not None:
        client.force_login(user)
    page = reverse("lockdown:page")
    started = client.post(page, {"scope": str(world.workgroup.pk), "confirm": "on"})
    other = Lockdown.objects.create(workgroup=world.other_list.workgroup)
    lifted = client.post(reverse("lockdown:lift", args=[other.pk]))
    shown = client.get(page)
    if role == "coordinator":
        assert shown.status_code == 200
        assert started.status_code == lifted.status_code == 302
        assert Lockdown.objects.get(workgroup=world.workgroup).active
        other.refresh_from_db()
        assert not other.active
        return
    expected = 302 if role == "anonymous" else 403
    assert shown.status_code == started.status_code == lifted.status_code == expected
    assert not Lockdown.objects.filter(workgroup=world.workgroup).exists()
    other.refresh_from_db()
    assert other.active


def test_the_lockdown_must_be_confirmed(world):
    client = Client()
    client.force_login(world.coordinator)
    response = client.post(reverse("lockdown:page"), {"scope": "site"})
    assert response.status_code == 400
    assert "Tick the box to confirm the lockdown." in response.content.decode()
    assert not Lockdown.objects.exists()


def test_an_unknown_scope_changes_nothing(world):
    client = Client()
    client.force_login(world.coordinator)
    response = client.post(reverse("lockdown:page"), {"scope": "99999", "confirm": "on"})
    assert response.status_code == 400
    assert not Lockdown.objects.exists()


# ------------------------------------------------------------------------ a workgroup


def test_a_locked_workgroup_is_hidden_and_its_members_signed_out(world):
    world.post()
    member, outsider, coordinator = (
        signed_in(world.member),
        signed_in(world.other_member),
        signed_in(world.coordinator),
    )
    page = world.workgroup.get_absolute_url()
    assert member.get(page).status_code == 200

    lockdown = services.lockdown_start(by=world.coordinator, workgroup=world.workgroup)

    # Its members (not the coordinator) were signed out; people of other groups were not.
    assert lockdown.sessions_ended == 1  # the member's (the owner was not signed in)
    assert member.get(page).status_code == 302  # to sign in
    assert outsider.get(reverse("home")).status_code == 200
    # Hidden from everyone but coordinators, in every selector.
    for person in (world.member, world.owner, world.other_member):
        assert not workgroup_selectors.can_read(person, world.workgroup)
        assert not workgroup_selectors.can_post(person, world.workgroup)
        assert world.workgroup not in workgroup_selectors.workgroups_visible_to(person)
        assert world.workgroup not in workgroup_selectors.readable_workgroups(person)
        assert not workgroup_selectors.discussion_posts_visible_to(person).exists()
    assert workgroup_selectors.can_read(world.coordinator, world.workgroup)
    assert coordinator.get(page).status_code == 200
    # Nobody posts while it lasts, coordinators included.
    assert not workgroup_selectors.can_post(world.coordinator, world.workgroup)

    services.lockdown_lift(by=world.coordinator, lockdown=lockdown)
    assert workgroup_selectors.can_read(world.member, world.workgroup)
    assert signed_in(world.member).get(page).status_code == 200


def test_a_lockdown_revokes_its_members_api_tokens_too(world):
    from tadamun.api import services as api_services
    from tadamun.api.models import ApiToken

    member_token, member_secret = api_services.token_create(user=world.member, name="laptop")
    other_token, _ = api_services.token_create(user=world.other_member, name="phone")
    coordinator_token, _ = api_services.token_create(user=world.coordinator, name="desk")

    services.lockdown_start(by=world.coordinator, workgroup=world.workgroup)

    assert ApiToken.objects.get(pk=member_token.pk).revoked is not None
    assert ApiToken.objects.get(pk=other_token.pk).revoked is None  # another workgroup's
    assert ApiToken.objects.get(pk=coordinator_token.pk).revoked is None  # coordinators stay
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {member_secret}")
    assert response.status_code == 401


def test_a_locked_workgroups_mail_waits_and_goes_after_the_lifting(world):
    post = world.post()
    other = world.post(world.other_list, author=world.other_member)
    lockdown = services.lockdown_start(by=world.coordinator, workgroup=world.workgroup)
    _token, rows = claim_due(limit=100)
    assert {row.post_id for row in rows} == {other.pk}
    assert Delivery.objects.filter(post=post, state=Delivery.State.QUEUED).count() == 2
    # Its addresses answer "try later": the senders' servers keep the messages.
    address = world.list.address
    assert inbound.check_recipient(address) == inbound.REPLY_LOCKED
    assert inbound.REPLY_LOCKED.startswith("451 ")

    services.lockdown_lift(by=world.coordinator, lockdown=lockdown)
    _token, rows = claim_due(limit=100)
    assert {row.post_id for row in rows} == {post.pk}
    assert inbound.check_recipient(address) is None


# -------------------------------------------------------------------------- the site


def test_the_sites_lockdown(world):
    world.post()
    member, coordinator = signed_in(world.member), signed_in(world.coordinator)
    lockdown = services.lockdown_start(by=world.coordinator, reason="raid in Basra")

    for client in (Client(), member):
        response = client.get(reverse("home"))
        assert response.status_code == 503
        assert response["Retry-After"] == "3600"
        text = response.content.decode()
        assert "closed for a while" in text
        assert "raid" not in text  # the reason is for coordinators only
    # Signing in (for coordinators), the quick exit and the static files stay open.
    assert Client().get(reverse("account_login")).status_code == 200
    assert Client().get("/exit/").status_code == 200
    assert coordinator.get(reverse("home")).status_code == 200
    assert coordinator.get(reverse("lockdown:page")).status_code == 200
    # Everyone but coordinators signed out; no list or petition mail goes out.
    assert not UserSession.objects.filter(user=world.member).exists()
    assert not Session.objects.filter(session_key=member.cookies["sessionid"].value).exists()
    assert UserSession.objects.filter(user=world.coordinator).exists()
    assert claim_due(limit=100)[1] == []
    from tadamun.petitions.outbox import claim_due as petition_claim

    assert petition_claim()[1] == []
    address = world.list.address
    assert inbound.check_recipient(address) == inbound.REPLY_LOCKED

    services.lockdown_lift(by=world.coordinator, lockdown=lockdown)
    assert Client().get(reverse("home")).status_code == 200
    assert len(claim_due(limit=100)[1]) == Delivery.objects.count() > 0


def test_lockdowns_are_audited_and_idempotent(world):
    first = services.lockdown_start(by=world.coordinator, reason="x")
    again = services.lockdown_start(by=world.coordinator, reason="y")
    assert first.pk == again.pk
    services.lockdown_lift(by=world.coordinator, lockdown=first)
    services.lockdown_lift(by=world.coordinator, lockdown=first)  # lifted once only
    actions = list(
        AuditEvent.objects.filter(actor=world.coordinator)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [AuditEvent.Action.LOCKDOWN_STARTED, AuditEvent.Action.LOCKDOWN_LIFTED]
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOCKDOWN_STARTED)
    assert event.detail["scope"] == "site"


def test_only_coordinators_may_call_the_services(world):
    with pytest.raises(services.NotAllowed):
        services.lockdown_start(by=world.owner, workgroup=world.workgroup)
    assert not Lockdown.objects.exists()


def test_the_state_is_kept_a_second_in_each_process(world, monkeypatch):
    assert not selectors.workgroup_locked(world.workgroup.pk)  # read and kept
    # Another process locks it down (a row appears without this process being told) …
    Lockdown.objects.create(workgroup=world.workgroup, started_by=world.coordinator)
    assert not selectors.workgroup_locked(world.workgroup.pk)  # … seen within a second:
    clock = selectors.time.monotonic() + selectors.LOCAL_SECONDS + 0.01
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock)
    assert selectors.workgroup_locked(world.workgroup.pk)
    # In the process that starts or lifts a lockdown, at once.
    lockdown = Lockdown.objects.get(workgroup=world.workgroup)
    services.lockdown_lift(by=world.coordinator, lockdown=lockdown)
    assert not selectors.workgroup_locked(world.workgroup.pk)
