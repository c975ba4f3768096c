"""What the API answers with. Only what the pages show the same person: display names (never
e-mail addresses, legal names or IP addresses), and people's links only where they may see them."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Beyond this, nobody is paging by hand; and a huge OFFSET is an error, not a query.
MAX_OFFSET = 100_000


class PageIn(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=10**6, description=f"at most {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class PageOut(Schema):
    count: int
    limit: int
    offset: int


class MeOut(Schema):
    id: int
    display_name: str
    handle: str
    preferred_language: str
    is_coordinator: bool
    is_translator: bool
    hide_membership: bool
    url: str


class WorkgroupOut(Schema):
    slug: str
    name_ar: str
    name_en: str
    description_ar: str
    description_en: str
    visibility: str
    join_policy: str
    member_count: int
    can_read: bool
    url: str


class WorkgroupPage(PageOut):
    items: list[WorkgroupOut]


class ThreadOut(Schema):
    id: int
    subject: str
    language: str
    started_by: str | None
    created: datetime.datetime
    last_activity: datetime.datetime
    url: str


class ThreadPage(PageOut):
    items: list[ThreadOut]


class MessageOut(Schema):
    id: int
    thread_id: int
    parent_id: int | None
    subject: str
    body: str
    language: str
    author: str | None
    created: datetime.datetime
    url: str


class MessagePage(PageOut):
    items: list[MessageOut]


class CommentOut(Schema):
    id: int
    parent_id: int | None
    body: str
    language: str
    author: str
    author_url: str | None
    created: datetime.datetime
    edited: datetime.datetime | None
    is_hidden: bool


class PostOut(Schema):
    id: int
    kind: str
    audience: str
    audience_workgroup: str | None
    title: str
    body: str
    language: str
    author: str
    author_url: str | None
    as_organisation: str | None
    as_workgroup: str | None
    published: bool
    published_at: datetime.datetime | None
    edited: datetime.datetime | None
    is_hidden: bool
    url: str


class PostPage(PageOut):
    items: list[PostOut]


class PostDetailOut(PostOut):
    comments: list[CommentOut]


class DocumentOut(Schema):
    id: int
    title: str
    description: str
    category: str
    language: str
    audience: str
    workgroup: str | None
    uploaded_by: str | None
    created: datetime.datetime
    updated: datetime.datetime
    filename: str | None
    size: int | None
    url: str
    download_url: str | None


class DocumentPage(PageOut):
    items: list[DocumentOut]


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    actor: str | None
    occurrences: int
    created: datetime.datetime
    read: bool
    available: bool
    url: str | None


class NotificationPage(PageOut):
    items: list[NotificationOut]


class SearchResultOut(Schema):
    kind: str
    title: str
    snippet: str
    url: str
    date: datetime.datetime | None


class SearchOut(Schema):
    query: str
    page: int
    limit: int
    has_next: bool
    truncated: bool
    items: list[SearchResultOut]


class PetitionOut(Schema):
    slug: str
    title_ar: str
    title_en: str
    status: str
    goal: int
    signatures: int
    online: int
    paper: int
    url: str


class PetitionPage(PageOut):
    items: list[PetitionOut]


class CampaignOut(Schema):
    slug: str
    title_ar: str
    title_en: str
    issue_ar: str
    issue_en: str
    status: str
    petitions: int
    signatures: int
    url: str


class CampaignPage(PageOut):
    items: list[CampaignOut]


class ErrorOut(Schema):
    detail: str
