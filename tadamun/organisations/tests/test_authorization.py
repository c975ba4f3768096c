"""Who may do what: every page and action of the organisations app × every role.

Each cell is the expected answer: a status code, or where the person is sent ("login",
"pending", "home"), or "done" (the action happened and redirected back). For actions, the test
also checks that the change happened exactly when it was allowed.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tadamun.organisations import services
from tadamun.organisations.models import Application, Invitation, OrganisationMembership

ROLES = ["anonymous", "applicant", "member", "org_admin", "coordinator"]


@dataclass
class Case:
    method: str
    url: Any  # world -> str
    expected: tuple  # one cell per role, in ROLES order
    data: Any = None  # world -> dict
    changed: Any = None  # world -> bool, for actions


def edit_data(world, organisation):
    return {
        "name_ar": organisation.name_ar,
        "name_en": "Edited Name",
        "kind": organisation.kind,
        "scope": organisation.scope,
        "country": "IQ",
        "governorate": organisation.governorate,
        "city": "Basra",
        "languages": ["ar"],
        "description_en": "",
        "description_ar": "",
    }


def application_status(world):
    world.application.refresh_from_db()
    return world.application.status


def open_invitation(world):
    invitation, url = services.invitation_create(
        by=world.coordinator, email="guest@example.org", organisation=world.listed
    )
    world.invitation, world.invitation_url = invitation, url
    return invitation


CASES = {
    # --- pages
    "public directory": Case(
        "get", lambda w: reverse("organisations:public_directory"), (200, 200, 200, 200, 200)
    ),
    "member directory": Case(
        "get", lambda w: reverse("organisations:directory"), ("login", "pending", 200, 200, 200)
    ),
    "listed organisation page": Case(
        "get",
        lambda w: reverse("organisations:organisation", args=[w.listed.slug]),
        (200, 200, 200, 200, 200),
    ),
    "unlisted organisation page": Case(
        "get",
        lambda w: reverse("organisations:organisation", args=[w.unlisted.slug]),
        (404, 404, 200, 200, 200),
    ),
    "edit own organisation": Case(
        "get",
        lambda w: reverse("organisations:organisation_edit", args=[w.listed.slug]),
        ("login", "pending", 403, 200, 200),
    ),
    "edit another organisation": Case(
        "get",
        lambda w: reverse("organisations:organisation_edit", args=[w.unlisted.slug]),
        ("login", "pending", 403, 403, 200),
    ),
    "people directory": Case(
        "get", lambda w: reverse("organisations:people"), ("login", "pending", 200, 200, 200)
    ),
    "person page": Case(
        "get",
        lambda w: reverse("organisations:person", args=[w.other_member.pk]),
        ("login", "pending", 200, 200, 200),
    ),
    "hidden person page": Case(
        "get",
        lambda w: reverse("organisations:person", args=[w.hidden.pk]),
        ("login", "pending", 404, 404, 200),
    ),
    "join form": Case(
        "get", lambda w: reverse("organisations:apply"), (200, "home", "home", "home", "home")
    ),
    "review queue": Case(
        "get", lambda w: reverse("organisations:review_queue"), ("login", "pending", 403, 403, 200)
    ),
    "application detail": Case(
        "get",
        lambda w: reverse("organisations:application_detail", args=[w.application.pk]),
        ("login", "pending", 403, 403, 200),
    ),
    "invitations page": Case(
        "get", lambda w: reverse("organisations:invitations"), ("login", "pending", 403, 200, 200)
    ),
    "invitation link": Case(
        "get",
        lambda w: urlsplit(w.invitation_url).path,
        (200, "home", "home", "home", "home"),
    ),
    # --- actions
    "save own organisation": Case(
        "post",
        lambda w: reverse("organisations:organisation_edit", args=[w.listed.slug]),
        ("login", "pending", 403, "done", "done"),
        data=lambda w: edit_data(w, w.listed),
        changed=lambda w: type(w.listed).objects.get(pk=w.listed.pk).name_en == "Edited Name",
    ),
    "save another organisation": Case(
        "post",
        lambda w: reverse("organisations:organisation_edit", args=[w.unlisted.slug]),
        ("login", "pending", 403, 403, "done"),
        data=lambda w: edit_data(w, w.unlisted),
        changed=lambda w: type(w.unlisted).objects.get(pk=w.unlisted.pk).name_en == "Edited Name",
    ),
    "make someone an admin": Case(
        "post",
        lambda w: reverse(
            "organisations:membership_role", args=[w.listed.slug, w.other_membership.pk]
        ),
        ("login", "pending", 403, "done", "done"),
        data=lambda w: {"role": "admin"},
        changed=lambda w: OrganisationMembership.objects.get(pk=w.other_membership.pk).is_admin,
    ),
    "remove someone": Case(
        "post",
        lambda w: reverse(
            "organisations:membership_remove", args=[w.listed.slug, w.other_membership.pk]
        ),
        ("login", "pending", 403, "done", "done"),
        changed=lambda w: (
            not OrganisationMembership.objects.filter(pk=w.other_membership.pk).exists()
        ),
    ),
    "remove a hidden person": Case(
        "post",
        lambda w: reverse(
            "organisations:membership_remove", args=[w.listed.slug, w.hidden_membership.pk]
        ),
        # Admins cannot see hidden people, so cannot act on them either.
        ("login", "pending", 404, 404, "done"),
        changed=lambda w: (
            not OrganisationMembership.objects.filter(pk=w.hidden_membership.pk).exists()
        ),
    ),
    "approve an application": Case(
        "post",
        lambda w: reverse("organisations:application_detail", args=[w.application.pk]),
        ("login", "pending", 403, 403, "done"),
        data=lambda w: {"decision": "approve", "message": ""},
        changed=lambda w: application_status(w) == Application.Status.APPROVED,
    ),
    "decline an application": Case(
        "post",
        lambda w: reverse("organisations:application_detail", args=[w.application.pk]),
        ("login", "pending", 403, 403, "done"),
        data=lambda w: {"decision": "decline", "message": "no"},
        changed=lambda w: application_status(w) == Application.Status.DECLINED,
    ),
    "invite to own organisation": Case(
        "post",
        lambda w: reverse("organisations:invitations"),
        ("login", "pending", 403, "done", "done"),
        data=lambda w: {
            "email": "new@example.org",
            "organisation": w.listed.pk,
            "role": "member",
            "language": "ar",
        },
        changed=lambda w: Invitation.objects.filter(email="new@example.org").exists(),
    ),
    "invite to another organisation": Case(
        "post",
        lambda w: reverse("organisations:invitations"),
        # Not among the admin's choices: the form refuses it (400).
        ("login", "pending", 403, 400, "done"),
        data=lambda w: {
            "email": "new@example.org",
            "organisation": w.unlisted.pk,
            "role": "member",
            "language": "en",
        },
        changed=lambda w: Invitation.objects.filter(email="new@example.org").exists(),
    ),
    "invite to the network only": Case(
        "post",
        lambda w: reverse("organisations:invitations"),
        ("login", "pending", 403, 400, "done"),
        data=lambda w: {"email": "new@example.org", "role": "member", "language": "en"},
        changed=lambda w: Invitation.objects.filter(email="new@example.org").exists(),
    ),
    "withdraw an invitation": Case(
        "post",
        lambda w: reverse("organisations:invitation_revoke", args=[w.invitation.pk]),
        ("login", "pending", 404, "done", "done"),
        changed=lambda w: Invitation.objects.get(pk=w.invitation.pk).revoked_at is not None,
    ),
    "send an application": Case(
        "post",
        lambda w: reverse("organisations:apply"),
        ("done", "home", "home", "home", "home"),
        data=lambda w: {
            "kind": "individual",
            "legal_name": "Brand New Person",
            "email": "brand-new@example.org",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "language": "en",
            "motivation": "Solidarity",
        },
        changed=lambda w: Application.objects.filter(
            applicant__email="brand-new@example.org"
        ).exists(),
    ),
}

MATRIX = [
    pytest.param(name, role, case.expected[index], id=f"{name} | {role}")
    for name, case in CASES.items()
    for index, role in enumerate(ROLES)
]


def outcome(response) -> Any:
    if response.status_code != 302:
        return response.status_code
    target = urlsplit(response["Location"]).path
    if target.startswith(reverse("account_login")):
        return "login"
    if target == reverse("accounts:pending"):
        return "pending"
    if target == reverse("home"):
        return "home"
    return "done"


@pytest.mark.parametrize(("name", "role", "expected"), MATRIX)
def test_authorization_matrix(client, world, name, role, expected):
    case = CASES[name]
    open_invitation(world)
    if user := world.user(role):
        client.force_login(user)
    data = case.data(world) if case.data else {}
    response = getattr(client, case.method)(case.url(world), data)
    assert outcome(response) == expected
    if case.changed:
        assert case.changed(world) == (expected == "done")


@pytest.mark.parametrize("status", ["declined", "suspended"])
def test_declined_and_suspended_people_are_refused_member_pages(client, world, status):
    from tadamun.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(status=status))
    assert client.get(reverse("organisations:directory")).status_code == 403
    assert client.get(reverse("organisations:people")).status_code == 403
    response = client.get(reverse("organisations:organisation", args=[world.unlisted.slug]))
    assert response.status_code == 404


# ---------------------------------------------------------------------- hidden people, names


def page_text(response) -> str:
    return response.content.decode()


class TestHiddenPeople:
    def test_people_directory_hides_them_from_members_and_admins(self, client, world):
        for viewer in (world.member, world.org_admin):
            client.force_login(viewer)
            text = page_text(client.get(reverse("organisations:people")))
            assert world.other_member.display_name in text
            assert world.hidden.display_name not in text
            assert world.hidden.legal_name not in text

    def test_coordinators_and_the_person_themself_see_them(self, client, world):
        for viewer in (world.coordinator, world.hidden):
            client.force_login(viewer)
            text = page_text(client.get(reverse("organisations:people")))
            assert f"<bdi>{world.hidden.display_name}</bdi>" in text
        response = client.get(reverse("organisations:person", args=[world.hidden.pk]))
        assert response.status_code == 200

    def test_organisation_page_and_count_leave_them_out(self, client, world):
        url = reverse("organisations:organisation", args=[world.listed.slug])
        client.force_login(world.member)
        response = client.get(url)
        assert world.hidden.display_name not in page_text(response)
        # admin, member, other member: three visible people, not four.
        assert response.context["organisation"].member_count == 3
        client.force_login(world.coordinator)
        response = client.get(url)
        assert world.hidden.display_name in page_text(response)
        assert response.context["organisation"].member_count == 4

    def test_directory_counts_leave_them_out(self, client, world):
        client.force_login(world.member)
        response = client.get(reverse("organisations:directory"))
        counts = {org.pk: org.member_count for org in response.context["page"].object_list}
        assert counts[world.listed.pk] == 3
        client.force_login(world.coordinator)
        response = client.get(reverse("organisations:directory"))
        counts = {org.pk: org.member_count for org in response.context["page"].object_list}
        assert counts[world.listed.pk] == 4

    def test_anonymous_visitors_see_no_people_on_public_pages(self, client, world):
        text = page_text(
            client.get(reverse("organisations:organisation", args=[world.listed.slug]))
        )
        for person in (world.member, world.hidden, world.org_admin):
            assert person.display_name not in text


class TestNames:
    def test_members_see_the_display_name_never_the_legal_name(self, client, world):
        client.force_login(world.member)
        for url in (
            reverse("organisations:people"),
            reverse("organisations:person", args=[world.pseudonym.pk]),
            reverse("organisations:organisation", args=[world.unlisted.slug]),
        ):
            text = page_text(client.get(url))
            assert "Nightingale" in text
            assert "Zainab Kareem" not in text

    def test_coordinators_see_both(self, client, world):
        client.force_login(world.coordinator)
        text = page_text(client.get(reverse("organisations:person", args=[world.pseudonym.pk])))
        assert "<bdi>Nightingale</bdi>" in text
        assert "<bdi>Zainab Kareem</bdi>" in text


class TestHomeFigures:
    def test_anonymous_figures_count_listed_organisations_only(self, world):
        from tadamun.organisations.selectors import network_stats

        assert network_stats(viewer=None)["organisations"] == 1
        assert network_stats(viewer=world.member) == {
            "organisations": 2,
            "iraqi": 2,
            "international": 0,
            "governorates": 2,
        }

    def test_home_page_uses_them(self, client, world):
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert response.context["stats"]["organisations"] == 1


def test_directory_answers_htmx_with_the_results_only(client, django_user_model):
    from tadamun.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    full = client.get("/en/organisations/?scope=iraqi")
    partial = client.get("/en/organisations/?scope=iraqi", headers={"HX-Request": "true"})
    assert b"<html" in full.content
    assert b"<html" not in partial.content
    assert b'id="directory-results"' in partial.content
    assert "HX-Request" in partial["Vary"]
    # A bad filter still answers 200 to htmx (it swaps no 4xx), with the message.
    bad = client.get("/en/organisations/?page=abc", headers={"HX-Request": "true"})
    assert bad.status_code == 200
    assert b"form-errors" in bad.content
