"""Who may do what with documents: every page and action × every role × the four kinds of
document (public and members-only in the network's library, one in an OPEN and one in a CLOSED
workgroup's library).

Roles (see conftest.World): anonymous, applicant, member (of the network, in no workgroup),
wg_member (in both workgroups), other_wg_member (in a third workgroup only), coordinator (in no
workgroup: not a reader of the closed one), uploader (of every document, a member of both
workgroups), moderator (of both workgroups).

Cells: "shown"/"absent" (the library lists the document or not), a status code, where the
person is sent ("login", "pending"), or "done" (the action happened and redirected). For
actions the state is compared before and after: it changes exactly when the cell says "done".
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tadamun.documents.models import Document

from .conftest import World, text_file


@dataclass
class Case:
    method: str
    url: Any  # (world, document) -> str
    cells: dict  # kind -> one cell per role in World.ROLES
    data: Any = None  # (world, document) -> dict
    state: Any = None  # (world, document) -> anything; compared before and after


L, P, Y, N = "login", "pending", "shown", "absent"
ALL_OK = (200,) * 8
MEMBERS_OK = (404, 404, 200, 200, 200, 200, 200, 200)
CLOSED_OK = (404, 404, 404, 200, 404, 404, 200, 200)
MANAGE_NETWORK = (L, P, 403, 403, 403, "done", "done", 403)
MANAGE_OPEN = (L, P, 403, 403, 403, 403, "done", "done")
MANAGE_CLOSED = (L, P, 404, 403, 404, 404, "done", "done")
MANAGE_CELLS = {
    "public": MANAGE_NETWORK,
    "members": MANAGE_NETWORK,
    "open": MANAGE_OPEN,
    "closed": MANAGE_CLOSED,
}
SEE_CELLS = {"public": ALL_OK, "members": MEMBERS_OK, "open": MEMBERS_OK, "closed": CLOSED_OK}


def as_page(cells: tuple) -> tuple:
    """The form pages answer 200 where the action is done."""
    return tuple(200 if cell == "done" else cell for cell in cells)


def library_url(w, d) -> str:
    if d.workgroup is None:
        return reverse("documents:library")
    return reverse("documents:workgroup", args=[d.workgroup.slug])


def upload_url(w, d) -> str:
    if d.workgroup is None:
        return reverse("documents:upload")
    return reverse("documents:workgroup_upload", args=[d.workgroup.slug])


def doc_url(name: str):
    return lambda w, d: reverse(f"documents:{name}", args=[d.pk])


def library_count(w, d) -> int:
    return Document.objects.filter(workgroup=d.workgroup).count()


def details(w, d) -> tuple:
    return tuple(Document.objects.filter(pk=d.pk).values_list("title", "category"))


CASES = {
    "library": Case(
        "get",
        library_url,
        {
            "public": (Y, Y, Y, Y, Y, Y, Y, Y),
            "members": (N, N, Y, Y, Y, Y, Y, Y),
            "open": (L, P, Y, Y, Y, Y, Y, Y),
            "closed": (L, P, 404, Y, 404, 404, Y, Y),
        },
    ),
    "detail": Case("get", doc_url("detail"), SEE_CELLS),
    "download current": Case("get", doc_url("download"), SEE_CELLS),
    "download old version": Case(
        "get",
        lambda w, d: reverse("documents:download", args=[d.pk, d.versions.last().pk]),
        SEE_CELLS,
    ),
    "upload form": Case(
        "get",
        upload_url,
        {
            "public": (L, P, 200, 200, 200, 200, 200, 200),
            "members": (L, P, 200, 200, 200, 200, 200, 200),
            "open": (L, P, 403, 200, 403, 403, 200, 200),
            "closed": (L, P, 404, 200, 404, 404, 200, 200),
        },
    ),
    "upload": Case(
        "post",
        upload_url,
        {
            "public": (L, P, "done", "done", "done", "done", "done", "done"),
            "members": (L, P, "done", "done", "done", "done", "done", "done"),
            "open": (L, P, 403, "done", 403, 403, "done", "done"),
            "closed": (L, P, 404, "done", 404, 404, "done", "done"),
        },
        data=lambda w, d: {
            "file": text_file("new.txt", b"New document."),
            "title": "A new document",
            "description": "",
            "category": "minutes",
            "audience": d.audience,
            "language": "auto",
        },
        state=library_count,
    ),
    "edit form": Case(
        "get", doc_url("edit"), {kind: as_page(cells) for kind, cells in MANAGE_CELLS.items()}
    ),
    "edit": Case(
        "post",
        doc_url("edit"),
        MANAGE_CELLS,
        data=lambda w, d: {
            "title": "A changed title",
            "description": "Changed.",
            "category": "research",
            "audience": d.audience,
            "language": "en",
        },
        state=details,
    ),
    "new version form": Case(
        "get",
        doc_url("new_version"),
        {kind: as_page(cells) for kind, cells in MANAGE_CELLS.items()},
    ),
    "new version": Case(
        "post",
        doc_url("new_version"),
        MANAGE_CELLS,
        data=lambda w, d: {"file": text_file("v3.txt", b"Third."), "note": "Typos"},
        state=lambda w, d: list(d.versions.values_list("pk", flat=True)),
    ),
    "delete confirmation": Case(
        "get",
        doc_url("delete"),
        {kind: as_page(cells) for kind, cells in MANAGE_CELLS.items()},
    ),
    "delete": Case(
        "post",
        doc_url("delete"),
        MANAGE_CELLS,
        state=lambda w, d: (
            Document.objects.filter(pk=d.pk).exists(),
            sorted(d.versions.values_list("file", flat=True)),
        ),
    ),
}

MATRIX = [
    pytest.param(name, kind, role, case.cells[kind][index], id=f"{name} | {kind} | {role}")
    for name, case in CASES.items()
    for kind in World.KINDS
    for index, role in enumerate(World.ROLES)
]


def outcome(response, document) -> Any:
    if response.status_code == 302:
        target = urlsplit(response["Location"]).path
        if target.startswith(reverse("account_login")):
            return "login"
        if target == reverse("accounts:pending"):
            return "pending"
        return "done"
    return response.status_code


@pytest.mark.parametrize(("name", "kind", "role", "expected"), MATRIX)
def test_authorization_matrix(client, world, name, kind, role, expected):
    case = CASES[name]
    document = world.documents[kind]
    user = world.user(role)
    if user:
        client.force_login(user)
    before = case.state(world, document) if case.state else None
    data = case.data(world, document) if case.data else {}
    response = getattr(client, case.method)(case.url(world, document), data)
    result = outcome(response, document)
    if expected in (Y, N):
        assert result == 200
        listed = document.title in response.content.decode()
        assert listed == (expected == Y)
    else:
        assert result == expected
    if result == 200 and name.startswith("download"):
        wanted = b"Current version.\n" if name == "download current" else b"Old version.\n"
        assert b"".join(response.streaming_content) == wanted
    if case.state:
        changed = case.state(world, document) != before
        assert changed == (expected == "done"), "state changed" if changed else "no change"
