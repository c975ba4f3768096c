"""Services and selectors: who speaks for whom, statements and both languages, edits with
history, real deletion, threads one level deep, reactions, mentions, follows, notifications,
hidden items and drafts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from tadamun.core import content
from tadamun.notifications.models import Notification
from tadamun.organisations.models import OrganisationMembership
from tadamun.social import selectors, services
from tadamun.social.models import (
    Comment,
    Follow,
    Mention,
    Post,
    PostAttachment,
    PostImage,
    PostRevision,
    Reaction,
)
from tadamun.translations.models import Translation, TranslationRequest
from tadamun.translations.services import translation_request, translation_save

from .factories import (
    MembershipFactory,
    OrganisationFactory,
    OrgMembershipFactory,
    UserFactory,
    WorkgroupFactory,
    make_post,
    new_attachment,
    new_image,
)

pytestmark = pytest.mark.django_db
ADMIN = OrganisationMembership.Role.ADMIN


def visible(user, post) -> bool:
    return selectors.posts_visible_to(user).filter(pk=post.pk).exists()


def notified(kind: str, target) -> set[int]:
    return set(
        Notification.objects.filter(kind=kind, object_id=target.pk).values_list(
            "recipient_id", flat=True
        )
    )


# ------------------------------------------------------------------------------ speaking


def test_the_language_is_recognised_when_the_author_does_not_say():
    author = UserFactory()
    assert make_post(author, body="تضامن مع عمال الموانئ في البصرة").language == "ar"
    assert make_post(author, body="Solidarity with the dock workers").language == "en"
    assert make_post(author, body="Solidarity", language="ar").language == "ar"


def test_only_an_organisations_admins_speak_for_it():
    organisation = OrganisationFactory()
    admin, member = UserFactory.create_batch(2)
    OrgMembershipFactory(user=admin, organisation=organisation, role=ADMIN)
    OrgMembershipFactory(user=member, organisation=organisation)
    post = make_post(admin, body="We stand together", as_organisation=organisation)
    assert post.speaker == organisation
    with pytest.raises(PermissionDenied):
        make_post(member, body="Pretending", as_organisation=organisation)
    assert Post.objects.filter(as_organisation=organisation).count() == 1


def test_only_a_workgroups_moderators_speak_for_it_and_its_posts_go_to_it():
    workgroup = WorkgroupFactory()
    moderator, member = UserFactory.create_batch(2)
    MembershipFactory(workgroup=workgroup, user=moderator, role="moderator")
    MembershipFactory(workgroup=workgroup, user=member)
    post = services.post_create(author=moderator, body="Meeting on Friday", as_workgroup=workgroup)
    assert post.audience == Post.Audience.WORKGROUP
    assert post.audience_workgroup == workgroup
    with pytest.raises(PermissionDenied):
        services.post_create(author=member, body="Not mine to say", as_workgroup=workgroup)


def test_a_post_for_a_workgroup_needs_its_membership():
    workgroup = WorkgroupFactory()
    outsider = UserFactory()
    with pytest.raises(ValidationError):
        make_post(outsider, body="Hi", audience="workgroup", audience_workgroup=workgroup)
    with pytest.raises(ValidationError):
        make_post(outsider, body="Hi", audience="workgroup")
    assert not Post.objects.exists()


def test_applicants_and_suspended_people_do_not_post():
    for person in (UserFactory(applicant=True), UserFactory(suspended=True)):
        with pytest.raises(PermissionDenied):
            make_post(person, body="Hello")


def test_empty_or_too_long_text_is_refused():
    author = UserFactory()
    with pytest.raises(ValidationError):
        make_post(author, body="  \n ")
    with pytest.raises(ValidationError):
        make_post(author, body="x" * 20_001)
    with pytest.raises(ValidationError):
        make_post(author, body="ok", title="t" * 201)
    with pytest.raises(ValidationError):
        make_post(author, body="ok", images=[new_image() for _ in range(5)])
    assert not Post.objects.exists()


# ---------------------------------------------------------------------------- statements


def test_a_statement_waits_as_a_draft_until_both_languages_exist():
    author = UserFactory()
    statement = make_post(author, kind="statement", title="On the port strike", body="We support")
    assert not statement.published
    assert statement.published_at is None
    with pytest.raises(ValidationError) as refused:
        services.post_publish(post=statement, by=author)
    assert refused.value.code == "needs_both_languages"
    statement.refresh_from_db()
    assert not statement.published
    translation_save(
        obj=statement,
        language="ar",
        fields={"title": "حول إضراب الميناء", "body": "نحن ندعم"},
        by=author,
    )
    services.post_publish(post=statement, by=author)
    statement.refresh_from_db()
    assert statement.published
    assert statement.published_at


def test_a_statement_with_its_translation_is_published_at_once():
    author = UserFactory()
    statement = make_post(
        author,
        kind="statement",
        title="Statement",
        body="English text",
        translation={"title": "بيان", "body": "النص العربي"},
    )
    assert statement.published
    assert Translation.objects.get().language == "ar"


def test_a_statement_needs_a_title_and_a_complete_translation():
    author = UserFactory()
    with pytest.raises(ValidationError):
        make_post(author, kind="statement", body="No title")
    with pytest.raises(ValidationError):
        make_post(author, kind="statement", title="T", body="Text", translation={"body": "نص فقط"})
    assert not Post.objects.exists()


def test_drafts_are_seen_by_their_author_and_those_who_speak_for_the_same_organisation():
    organisation = OrganisationFactory()
    writer, fellow_admin, member = UserFactory.create_batch(3)
    for admin in (writer, fellow_admin):
        OrgMembershipFactory(user=admin, organisation=organisation, role=ADMIN)
    draft = make_post(
        writer,
        kind="statement",
        title="Draft",
        body="Not yet",
        as_organisation=organisation,
        audience="public",
    )
    assert visible(writer, draft)
    assert visible(fellow_admin, draft)
    assert not visible(member, draft)
    assert not visible(None, draft)
    assert not selectors.feed_posts(writer).filter(pk=draft.pk).exists()
    assert list(selectors.drafts_of(fellow_admin)) == [draft]
    coordinator = UserFactory(coordinator=True)
    assert visible(coordinator, draft)  # coordinators administer every organisation
    assert not selectors.drafts_of(coordinator).exists()  # but are not shown every draft
    with pytest.raises(PermissionDenied):
        services.post_publish(post=draft, by=member)


# --------------------------------------------------------------------------------- edits


def test_an_edit_keeps_the_earlier_text():
    author = UserFactory()
    post = make_post(author, title="First", body="First text")
    services.post_edit(post=post, by=author, title="Second", body="Second text")
    services.post_edit(post=post, by=author, title="Second", body="Second text")  # no change
    post.refresh_from_db()
    assert (post.title, post.body) == ("Second", "Second text")
    assert post.edited is not None
    revision = PostRevision.objects.get()
    assert (revision.title, revision.body, revision.editor) == ("First", "First text", author)


def test_nobody_else_edits():
    post = make_post(UserFactory(), body="Mine")
    with pytest.raises(PermissionDenied):
        services.post_edit(post=post, by=UserFactory(coordinator=True), title="", body="Theirs")


# ------------------------------------------------------------------------------ deletion


def test_deletion_is_real_files_included(django_capture_on_commit_callbacks):
    author, reader = UserFactory.create_batch(2)
    post = make_post(
        author,
        body="To be deleted",
        images=[new_image(), new_image()],
        attachments=[new_attachment()],
    )
    services.post_edit(post=post, by=author, title="", body="Edited before deletion")
    comment = services.comment_create(post=post, author=reader, body="A comment")
    reply = services.comment_create(post=post, author=author, body="A reply", parent=comment)
    Reaction.objects.create(post=post, user=reader, kind="like")
    Reaction.objects.create(comment=comment, user=author, kind="thanks")
    translation_save(obj=post, language="ar", fields={"title": "", "body": "سيحذف"}, by=author)
    translation_save(obj=comment, language="ar", fields={"body": "تعليق"}, by=reader)
    translation_request(obj=reply, target_language="ar", by=reader)
    names = [
        *PostImage.objects.values_list("file", flat=True),
        *PostImage.objects.values_list("small", flat=True),
        *PostAttachment.objects.values_list("file", flat=True),
    ]
    assert len(names) == 5
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=post, by=author)

    assert not any(default_storage.exists(name) for name in names)
    for model in (Post, PostRevision, Comment, Reaction, PostImage, PostAttachment, Mention):
        assert not model.objects.exists(), model
    assert not Translation.objects.exists()
    assert not TranslationRequest.objects.exists()


def test_only_the_author_deletes():
    post = make_post(UserFactory(), body="Mine")
    with pytest.raises(PermissionDenied):
        services.post_delete(post=post, by=UserFactory())
    assert Post.objects.filter(pk=post.pk).exists()


# ------------------------------------------------------------------------------ comments


def test_replies_are_one_level_deep():
    author, reader = UserFactory.create_batch(2)
    post = make_post(author, body="A post")
    top = services.comment_create(post=post, author=reader, body="Top")
    reply = services.comment_create(post=post, author=author, body="Reply", parent=top)
    deeper = services.comment_create(post=post, author=reader, body="Deeper", parent=reply)
    assert reply.parent == top
    assert deeper.parent == top
    other = make_post(author, body="Another post")
    with pytest.raises(ValidationError):
        services.comment_create(post=other, author=reader, body="Wrong post", parent=top)


def test_comment_edit_and_delete():
    author, reader, stranger = UserFactory.create_batch(3)
    post = make_post(author, body="A post")
    comment = services.comment_create(post=post, author=reader, body="First")
    services.comment_edit(comment=comment, by=reader, body="Changed")
    comment.refresh_from_db()
    assert comment.body == "Changed"
    assert comment.edited
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, by=author, body="Not theirs")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, by=stranger)
    services.comment_delete(comment=comment, by=author)  # the post's author keeps it clean
    assert not Comment.objects.exists()


def test_no_comments_on_drafts_or_hidden_posts():
    author = UserFactory(coordinator=True)
    draft = make_post(author, kind="statement", title="Draft", body="Not yet")
    hidden = make_post(author, body="Hidden")
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    hidden.refresh_from_db()
    for post in (draft, hidden):
        with pytest.raises(PermissionDenied):
            services.comment_create(post=post, author=author, body="Hello")


# ----------------------------------------------------------------------------- reactions


def test_reactions_toggle_once_per_person_and_kind():
    author, reader = UserFactory.create_batch(2)
    post = make_post(author, body="A post")
    assert services.reaction_toggle(user=reader, kind="support", post=post) is True
    assert services.reaction_toggle(user=reader, kind="like", post=post) is True
    assert Reaction.objects.filter(post=post).count() == 2
    assert services.reaction_toggle(user=reader, kind="support", post=post) is False
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["like"]
    with pytest.raises(ValidationError):
        services.reaction_toggle(user=reader, kind="angry", post=post)
    counts = {r.kind: (r.count, r.mine) for r in selectors.reaction_counts_for(reader, post=post)}
    assert counts["like"] == (1, True)
    assert counts["support"] == (0, False)


# ------------------------------------------------------------------------------ mentions


def test_mentions_resolve_only_what_the_author_may_see():
    hidden = UserFactory(hidden=True, display_name="Quiet One")
    visible_person = UserFactory(display_name="loudone")
    organisation = OrganisationFactory(slug="dock-workers")
    author, coordinator = UserFactory(), UserFactory(coordinator=True)
    post = make_post(author, body="Thanks @loudone, @quiet_one and @dock-workers and @nobody")
    assert {(m.handle, m.person_id, m.organisation_id) for m in post.mentions.all()} == {
        ("loudone", visible_person.pk, None),
        ("dock-workers", None, organisation.pk),
    }
    by_coordinator = make_post(coordinator, body="Thanks @quiet_one")
    assert by_coordinator.mentions.get().person == hidden


def test_mentions_link_only_what_the_viewer_may_see(client):
    hidden = UserFactory(hidden=True, display_name="Quiet One")
    coordinator, reader = UserFactory(coordinator=True), UserFactory()
    post = make_post(coordinator, body="Thanks @quiet_one", audience="public")
    coordinator_card = selectors.post_cards(coordinator, [post], "en")[0]
    reader_card = selectors.post_cards(reader, [post], "en")[0]
    anonymous_card = selectors.post_cards(None, [post], "en")[0]
    assert f"/people/{hidden.pk}/" in coordinator_card.body_html
    assert hidden.display_name in coordinator_card.body_html
    for card in (reader_card, anonymous_card):
        assert "/people/" not in card.body_html
        assert "@quiet_one" in card.body_html
        assert hidden.display_name not in card.body_html


def test_mentioned_people_are_told_when_they_may_see_the_post(django_capture_on_commit_callbacks):
    workgroup = WorkgroupFactory(closed=True)
    author, inside, outside = (
        UserFactory(),
        UserFactory(display_name="inside"),
        UserFactory(display_name="outside"),
    )
    for person in (author, inside):
        MembershipFactory(workgroup=workgroup, user=person)
    organisation = OrganisationFactory(slug="the-union")
    union_admin = UserFactory()
    OrgMembershipFactory(user=union_admin, organisation=organisation, role=ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        closed_post = make_post(
            author,
            body="@inside @outside",
            audience="workgroup",
            audience_workgroup=workgroup,
        )
        open_post = make_post(author, body="Hello @the-union")
    assert notified("mention", closed_post) == {inside.pk}
    assert outside.pk not in notified("mention", closed_post)
    assert notified("mention", open_post) == {union_admin.pk}


def test_an_edit_tells_only_the_newly_mentioned(django_capture_on_commit_callbacks):
    author, first, second = (
        UserFactory(),
        UserFactory(display_name="first"),
        UserFactory(display_name="second"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(author, body="Hello @first")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(post=post, by=author, title="", body="Hello @first and @second")
    assert notified("mention", post) == {first.pk, second.pk}
    assert Notification.objects.filter(kind="mention", recipient=first).count() == 1


# ------------------------------------------------------------------------------- follows


def test_follow_only_what_one_may_see(django_capture_on_commit_callbacks):
    follower, person = UserFactory(), UserFactory()
    hidden = UserFactory(hidden=True)
    closed = WorkgroupFactory(closed=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(follower=follower, person=person)
        services.follow(follower=follower, person=person)  # once is enough
    assert Follow.objects.filter(follower=follower, person=person).count() == 1
    assert notified("follow", follower) == {person.pk}
    with pytest.raises(PermissionDenied):
        services.follow(follower=follower, person=hidden)
    with pytest.raises(PermissionDenied):
        services.follow(follower=follower, workgroup=closed)
    with pytest.raises(ValidationError):
        services.follow(follower=follower, person=follower)
    with pytest.raises(PermissionDenied):
        services.follow(follower=UserFactory(applicant=True), person=person)
    services.follow(follower=follower, workgroup=WorkgroupFactory())
    services.follow(follower=follower, organisation=OrganisationFactory(listed_publicly=False))
    services.unfollow(follower=follower, person=person)
    assert Follow.objects.filter(follower=follower).count() == 2


def test_a_hidden_follower_is_not_announced(django_capture_on_commit_callbacks):
    hidden, person = UserFactory(hidden=True), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(follower=hidden, person=person)
    assert Follow.objects.filter(follower=hidden).exists()
    assert not notified("follow", hidden)


# ------------------------------------------------------------------------- notifications


def test_a_new_post_reaches_followers_and_the_workgroup_who_may_see_it(
    django_capture_on_commit_callbacks,
):
    closed = WorkgroupFactory(closed=True)
    author, member_of_group, follower_outside, follower_inside = UserFactory.create_batch(4)
    for person in (author, member_of_group, follower_inside):
        MembershipFactory(workgroup=closed, user=person)
    for person in (follower_outside, follower_inside):
        Follow.objects.create(follower=person, person=author)
    with django_capture_on_commit_callbacks(execute=True):
        group_post = make_post(
            author, body="For the group", audience="workgroup", audience_workgroup=closed
        )
        open_post = make_post(author, body="For everyone")
    assert notified("post", group_post) == {member_of_group.pk, follower_inside.pk}
    assert notified("post", open_post) == {follower_outside.pk, follower_inside.pk}


def test_followers_of_an_organisation_hear_of_its_statements(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    admin, follower = UserFactory.create_batch(2)
    OrgMembershipFactory(user=admin, organisation=organisation, role=ADMIN)
    Follow.objects.create(follower=follower, organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_post(
            admin, kind="statement", title="S", body="Text", as_organisation=organisation
        )
    assert not notified("post", draft)  # drafts are nobody's news
    translation_save(obj=draft, language="ar", fields={"title": "ب", "body": "نص"}, by=admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=admin)
    assert notified("post", draft) == {follower.pk}


def test_comments_and_replies_tell_the_right_people(django_capture_on_commit_callbacks):
    author, first, second = UserFactory.create_batch(3)
    post = make_post(author, body="A post")
    with django_capture_on_commit_callbacks(execute=True):
        top = services.comment_create(post=post, author=first, body="Top")
        reply = services.comment_create(post=post, author=second, body="Reply", parent=top)
        own = services.comment_create(post=post, author=author, body="Author answers")
    assert notified("comment", top) == {author.pk}
    assert notified("reply", reply) == {first.pk}
    assert notified("comment", reply) == {author.pk}
    assert not Notification.objects.filter(object_id=own.pk).exists()


def test_reactions_tell_the_author(django_capture_on_commit_callbacks):
    author, reader = UserFactory.create_batch(2)
    post = make_post(author, body="A post")
    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_toggle(user=reader, kind="celebrate", post=post)
        services.reaction_toggle(user=author, kind="like", post=post)
    assert notified("reaction", post) == {author.pk}


# ---------------------------------------------------------------------------- moderation


def test_hidden_posts_are_seen_by_their_author_and_reviewers_only():
    workgroup = WorkgroupFactory()
    author, moderator, member = UserFactory.create_batch(3)
    coordinator = UserFactory(coordinator=True)
    MembershipFactory(workgroup=workgroup, user=author)
    MembershipFactory(workgroup=workgroup, user=moderator, role="moderator")
    MembershipFactory(workgroup=workgroup, user=member)
    group_post = make_post(
        author, body="In the group", audience="workgroup", audience_workgroup=workgroup
    )
    public_post = make_post(author, body="Public", audience="public")
    Post.objects.update(is_hidden=True)
    assert visible(author, group_post)
    assert visible(moderator, group_post)
    assert visible(coordinator, group_post)
    assert not visible(member, group_post)
    assert visible(coordinator, public_post)
    assert not visible(moderator, public_post)
    assert not visible(None, public_post)
    assert not selectors.news_posts().exists()
    assert selectors.feed_posts(author).count() == 2  # their own, marked as hidden
    assert not selectors.feed_posts(moderator).exists()


def test_hidden_comments_likewise():
    author, commenter, reader = UserFactory.create_batch(3)
    post = make_post(author, body="A post", audience="public")
    comment = services.comment_create(post=post, author=commenter, body="Rude")
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    seen = selectors.comments_visible_to
    assert seen(commenter).filter(pk=comment.pk).exists()
    assert seen(UserFactory(coordinator=True)).filter(pk=comment.pk).exists()
    assert not seen(reader).filter(pk=comment.pk).exists()
    assert not seen(None).filter(pk=comment.pk).exists()


def test_registered_in_the_content_registry():
    author = UserFactory()
    workgroup = WorkgroupFactory()
    MembershipFactory(workgroup=workgroup, user=author)
    post = make_post(author, body="Hi", audience="workgroup", audience_workgroup=workgroup)
    comment = services.comment_create(post=post, author=author, body="Hi")
    assert content.kind_of(post).text_fields == ("title", "body")
    assert content.kind_of(comment).text_fields == ("body",)
    assert content.kind_of(comment).workgroup(comment) == workgroup
    assert list(content.kind_of(post).authors(post)) == [author]
    assert comment.get_absolute_url() == f"/en/posts/{post.pk}/#comment-{comment.pk}"
    assert content.can_see(author, comment)
    assert not content.can_see(None, comment)


def test_lists_for_profile_pages():
    organisation = OrganisationFactory()
    workgroup = WorkgroupFactory(closed=True)
    author, reader = UserFactory.create_batch(2)
    OrgMembershipFactory(user=author, organisation=organisation, role=ADMIN)
    MembershipFactory(workgroup=workgroup, user=author, role="owner")
    own = make_post(author, body="Mine", audience="public")
    for_org = make_post(author, body="Ours", as_organisation=organisation)
    in_group = make_post(author, body="Group", as_workgroup=workgroup, audience=None)
    assert list(selectors.posts_by_person(reader, author)) == [own]
    assert list(selectors.posts_by_organisation(reader, organisation)) == [for_org]
    assert list(selectors.posts_by_organisation(None, organisation)) == []
    assert list(selectors.posts_in_workgroup(reader, workgroup)) == []
    assert list(selectors.posts_in_workgroup(author, workgroup)) == [in_group]
