"""Nothing leaks: every role × every audience × every way a post can be reached.

Roles: anonymous, applicant, member (of the network, in no workgroup), wg_member (active member
of both workgroups), other_wg_member (member of a third workgroup only), org_admin,
coordinator (outside the CLOSED workgroup), suspended. Audiences: public, network members, an
OPEN workgroup, a CLOSED workgroup.

Who may see each post — and nobody else, anywhere:
"""

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tadamun.social.models import Comment, Reaction

from .conftest import World

YES, NO = True, False
# One cell per role in World.ROLES.
SEES = {
    "public": (YES, YES, YES, YES, YES, YES, YES, YES),
    "members": (NO, NO, YES, YES, YES, YES, YES, NO),
    "wg_open": (NO, NO, YES, YES, YES, YES, YES, NO),
    "wg_closed": (NO, NO, NO, YES, NO, NO, NO, NO),
}
# Taking part (comment, react) — members who see the post; in a workgroup only its members
# (and those who moderate it: a coordinator in an OPEN workgroup).
L, PEND, DONE = "login", "pending", "done"
TAKES_PART = {
    "public": (L, PEND, DONE, DONE, DONE, DONE, DONE, 403),
    "members": (L, PEND, DONE, DONE, DONE, DONE, DONE, 403),
    "wg_open": (L, PEND, 403, DONE, 403, 403, DONE, 403),
    "wg_closed": (L, PEND, 404, DONE, 404, 404, 404, 403),
}

CELLS = [
    (audience, role, index)
    for audience in World.AUDIENCES
    for index, role in enumerate(World.ROLES)
]


def check_every_cell(client, world, check) -> None:
    """Run `check(audience, role, index)` for every cell (one world for all: the suite stays
    fast) and report every cell that failed, not only the first."""
    failures = []
    for audience, role, index in CELLS:
        client.logout()
        signed_in(client, world, role)
        try:
            check(audience, role, index)
        except AssertionError as error:
            failures.append(f"{audience} | {role}: {error}")
    assert not failures, "\n".join(failures)


def outcome(response) -> Any:
    if response.status_code != 302:
        return response.status_code
    target = urlsplit(response["Location"]).path
    if target.startswith(reverse("account_login")):
        return L
    if target == reverse("accounts:pending"):
        return PEND
    return DONE


def signed_in(client, world, role):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return user


def marker(audience: str) -> str:
    return f"zq{audience}zq"


def test_post_page(client, world):
    def check(audience, role, index):
        post = world.posts[audience]
        response = client.get(reverse("social:post", args=[post.pk]))
        if SEES[audience][index]:
            assert response.status_code == 200
            assert marker(audience) in response.text
            assert f"Comment on {audience}" in response.text
        else:
            assert outcome(response) == (L if role == "anonymous" else 404)
            assert marker(audience) not in response.text

    check_every_cell(client, world, check)


def test_history_page(client, world):
    def check(audience, role, index):
        response = client.get(reverse("social:history", args=[world.posts[audience].pk]))
        if SEES[audience][index]:
            assert response.status_code == 200
        else:
            assert outcome(response) == (L if role == "anonymous" else 404)

    check_every_cell(client, world, check)


def test_feed(client, world):
    def check(audience, role, index):
        response = client.get(reverse("social:feed"))
        expected = {"anonymous": L, "applicant": PEND, "suspended": 403}.get(role, 200)
        assert outcome(response) == expected
        if expected == 200:
            assert (marker(audience) in response.text) == SEES[audience][index]

    check_every_cell(client, world, check)


def test_news_and_atom(client, world):
    def check(audience, role, index):
        for name in ("social:news", "social:news_atom"):
            response = client.get(reverse(name))
            assert response.status_code == 200
            assert (marker(audience) in response.text) == (audience == "public"), name
            assert (f"secret-{audience}" in response.text) == (audience == "public"), name

    check_every_cell(client, world, check)


def test_image_and_attachment(client, world):
    def check(audience, role, index):
        post = world.posts[audience]
        image = post.images.get()
        attachment = post.attachments.get()
        for url in (
            reverse("social:image", args=[post.pk, image.pk]),
            reverse("social:image_small", args=[post.pk, image.pk]),
            reverse("social:attachment", args=[post.pk, attachment.pk]),
        ):
            response = client.get(url)
            assert response.status_code == (200 if SEES[audience][index] else 404), url

    check_every_cell(client, world, check)


def test_an_image_is_not_reachable_through_another_post(client, world):
    client.force_login(world.member)
    closed_image = world.posts["wg_closed"].images.get()
    public = world.posts["public"]
    response = client.get(reverse("social:image", args=[public.pk, closed_image.pk]))
    assert response.status_code == 404


def comments_state(post):
    return list(Comment.objects.filter(post=post).values_list("pk", "body"))


def reactions_state(post):
    return list(Reaction.objects.filter(post=post).values_list("user_id", "kind"))


def test_comment(client, world):
    def check(audience, role, index):
        post = world.posts[audience]
        before = comments_state(post)
        response = client.post(reverse("social:comment", args=[post.pk]), {"body": "Hello"})
        expected = TAKES_PART[audience][index]
        assert outcome(response) == expected
        assert (comments_state(post) != before) == (expected == DONE)

    check_every_cell(client, world, check)


def test_reply(client, world):
    def check(audience, role, index):
        post = world.posts[audience]
        before = comments_state(post)
        response = client.post(
            reverse("social:comment", args=[post.pk]),
            {"body": "A reply", "parent": post.comment.pk},
        )
        expected = TAKES_PART[audience][index]
        assert outcome(response) == expected
        assert (comments_state(post) != before) == (expected == DONE)

    check_every_cell(client, world, check)


def test_react_to_post(client, world):
    def check(audience, role, index):
        post = world.posts[audience]
        before = reactions_state(post)
        response = client.post(reverse("social:react_post", args=[post.pk]), {"kind": "support"})
        expected = TAKES_PART[audience][index]
        assert outcome(response) == expected
        assert (reactions_state(post) != before) == (expected == DONE)

    check_every_cell(client, world, check)


def test_react_to_comment(client, world):
    def check(audience, role, index):
        comment = world.posts[audience].comment
        rows = Reaction.objects.filter(comment=comment)
        before = list(rows.values_list("user_id", "kind"))
        response = client.post(
            reverse("social:react_comment", args=[comment.pk]), {"kind": "thanks"}
        )
        expected = TAKES_PART[audience][index]
        assert outcome(response) == expected
        assert (list(rows.values_list("user_id", "kind")) != before) == (expected == DONE)

    check_every_cell(client, world, check)


EDITS = [
    pytest.param(role, id=role)
    for role in ("anonymous", "applicant", "member", "wg_member", "org_admin", "coordinator")
]


@pytest.mark.parametrize("role", EDITS)
def test_only_the_author_edits_and_deletes(client, world, role):
    signed_in(client, world, role)
    post = world.posts["public"]
    expected = {"anonymous": L, "applicant": PEND}.get(role, 403)
    response = client.post(
        reverse("social:post_edit", args=[post.pk]),
        {"title": "X", "body": "Changed", "language": "en"},
    )
    assert outcome(response) == expected
    response = client.post(reverse("social:post_delete", args=[post.pk]))
    assert outcome(response) == expected
    post.refresh_from_db()
    assert post.body == "Body of the public post: secret-public"


def test_the_author_edits_and_deletes(client, world):
    client.force_login(world.author)
    post = world.posts["members"]
    response = client.post(
        reverse("social:post_edit", args=[post.pk]),
        {"title": "New title", "body": "Changed text", "language": "en"},
    )
    assert outcome(response) == DONE
    post.refresh_from_db()
    assert post.body == "Changed text"
    response = client.post(reverse("social:post_delete", args=[post.pk]))
    assert outcome(response) == DONE
    assert not type(post).objects.filter(pk=post.pk).exists()
