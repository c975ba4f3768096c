"""The workgroup services: membership, subscriptions, posting from the web, moderation."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tadamun.core.models import AuditEvent
from tadamun.lists.models import Delivery, InboundMessage, MailingList, Subscription
from tadamun.workgroups import selectors, services
from tadamun.workgroups.models import Post, Workgroup, WorkgroupMembership

from .factories import MembershipFactory, UserFactory, WorkgroupFactory, make_post

Role, Status = WorkgroupMembership.Role, WorkgroupMembership.Status
pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


class TestJoiningAndLeaving:
    def test_join_an_open_workgroup_subscribes_to_every_message(self):
        workgroup = WorkgroupFactory()
        person = UserFactory(preferred_language="ar")
        membership = services.workgroup_join(workgroup=workgroup, user=person)
        assert membership.status == Status.ACTIVE
        assert membership.role == Role.MEMBER
        subscription = Subscription.objects.get(user=person)
        assert subscription.email == person.email
        assert subscription.mode == Subscription.Mode.EACH
        assert subscription.status == Subscription.Status.ACTIVE
        assert subscription.language == "ar"
        assert subscription.mailing_list == MailingList.objects.get(workgroup=workgroup)
        assert actions() == [services.AUDIT_JOINED]

    def test_join_adopts_an_outside_subscription_of_the_same_address(self):
        workgroup = WorkgroupFactory()
        person = UserFactory()
        mailing_list = services.mailing_list_for(workgroup)
        Subscription.objects.create(
            mailing_list=mailing_list,
            email=person.email.upper(),
            status=Subscription.Status.PENDING,
        )
        services.workgroup_join(workgroup=workgroup, user=person)
        subscription = Subscription.objects.get()
        assert subscription.user == person
        assert subscription.status == Subscription.Status.ACTIVE

    def test_join_is_refused_for_other_policies_and_invisible_groups(self):
        person = UserFactory()
        with pytest.raises(ValidationError):
            services.workgroup_join(
                workgroup=WorkgroupFactory(join_policy=Workgroup.JoinPolicy.REQUEST), user=person
            )
        with pytest.raises(PermissionDenied):
            services.workgroup_join(
                workgroup=WorkgroupFactory(visibility=Workgroup.Visibility.CLOSED), user=person
            )
        with pytest.raises(PermissionDenied):
            services.workgroup_join(workgroup=WorkgroupFactory(), user=UserFactory(applicant=True))
        assert not WorkgroupMembership.objects.exists()

    def test_request_notifies_owners_and_moderators_in_their_language(self):
        workgroup = WorkgroupFactory(join_policy=Workgroup.JoinPolicy.REQUEST)
        owner = UserFactory(preferred_language="ar", email="owner@example.org")
        moderator = UserFactory(preferred_language="en", email="mod@example.org")
        MembershipFactory(workgroup=workgroup, user=owner, role=Role.OWNER)
        MembershipFactory(workgroup=workgroup, user=moderator, role=Role.MODERATOR)
        MembershipFactory(workgroup=workgroup, role=Role.MEMBER)
        asker = UserFactory(display_name="Asking Person")
        with django_capture_on_commit():
            membership = services.workgroup_request(workgroup=workgroup, user=asker)
        assert membership.status == Status.REQUESTED
        assert not Subscription.objects.filter(user=asker).exists()
        by_address = {message.to[0]: message for message in mail.outbox}
        assert set(by_address) == {"owner@example.org", "mod@example.org"}
        assert "Asking Person" in by_address["mod@example.org"].body
        assert workgroup.name_en in by_address["mod@example.org"].subject
        assert workgroup.name_ar in by_address["owner@example.org"].subject

    def test_approve_and_decline(self):
        workgroup = WorkgroupFactory(join_policy=Workgroup.JoinPolicy.REQUEST)
        owner = MembershipFactory(workgroup=workgroup, role=Role.OWNER).user
        first = services.workgroup_request(workgroup=workgroup, user=UserFactory())
        second = services.workgroup_request(workgroup=workgroup, user=UserFactory())
        with pytest.raises(PermissionDenied):
            services.membership_approve(membership=first, by=first.user)
        services.membership_approve(membership=first, by=owner)
        first.refresh_from_db()
        assert first.status == Status.ACTIVE
        assert Subscription.objects.filter(user=first.user).exists()
        with pytest.raises(ValidationError):
            services.membership_approve(membership=first, by=owner)
        services.membership_decline(membership=second, by=owner)
        assert not WorkgroupMembership.objects.filter(pk=second.pk).exists()

    def test_invite_and_accept(self):
        workgroup = WorkgroupFactory(closed=True)
        moderator = MembershipFactory(workgroup=workgroup, role=Role.MODERATOR).user
        person = UserFactory(preferred_language="en")
        with django_capture_on_commit():
            services.workgroup_invite(workgroup=workgroup, by=moderator, person=person)
        assert mail.outbox[-1].to == [person.email]
        assert f"/en/workgroups/{workgroup.slug}/" in mail.outbox[-1].body
        # Invited people see the closed workgroup (to accept) but cannot read it yet.
        assert selectors.workgroups_visible_to(person).filter(pk=workgroup.pk).exists()
        assert not selectors.can_read(person, workgroup)
        with pytest.raises(ValidationError):
            services.workgroup_invite(workgroup=workgroup, by=moderator, person=person)
        services.workgroup_invite_accept(workgroup=workgroup, user=person)
        assert selectors.can_read(person, workgroup)
        assert Subscription.objects.filter(user=person).exists()

    def test_hidden_people_cannot_be_invited_by_non_coordinators(self):
        workgroup = WorkgroupFactory()
        owner = MembershipFactory(workgroup=workgroup, role=Role.OWNER).user
        hidden = UserFactory(hidden=True)
        with pytest.raises(ValidationError):
            services.workgroup_invite(workgroup=workgroup, by=owner, person=hidden)
        services.workgroup_invite(
            workgroup=workgroup, by=UserFactory(coordinator=True), person=hidden
        )

    def test_leave_ends_the_subscription_and_mutes(self):
        workgroup = WorkgroupFactory()
        person = UserFactory()
        services.workgroup_join(workgroup=workgroup, user=person)
        post = make_post(workgroup, author=person)
        services.thread_mute(thread=post.thread, user=person, muted=True)
        services.workgroup_leave(workgroup=workgroup, user=person)
        assert not WorkgroupMembership.objects.filter(user=person).exists()
        assert not Subscription.objects.filter(user=person).exists()
        assert not post.thread.mutes.exists()

    def test_the_last_owner_cannot_leave_or_step_down(self):
        workgroup = WorkgroupFactory()
        owner = MembershipFactory(workgroup=workgroup, role=Role.OWNER)
        with pytest.raises(ValidationError):
            services.workgroup_leave(workgroup=workgroup, user=owner.user)
        with pytest.raises(ValidationError):
            services.membership_set_role(membership=owner, by=owner.user, role=Role.MEMBER)
        other = MembershipFactory(workgroup=workgroup)
        services.membership_set_role(membership=other, by=owner.user, role=Role.OWNER)
        services.membership_set_role(membership=owner, by=owner.user, role=Role.MEMBER)
        owner.refresh_from_db()
        assert owner.role == Role.MEMBER

    def test_moderators_cannot_set_roles(self):
        workgroup = WorkgroupFactory()
        moderator = MembershipFactory(workgroup=workgroup, role=Role.MODERATOR)
        member = MembershipFactory(workgroup=workgroup)
        with pytest.raises(PermissionDenied):
            services.membership_set_role(membership=member, by=moderator.user, role=Role.OWNER)
        with pytest.raises(ValidationError):
            services.membership_set_role(
                membership=member, by=UserFactory(coordinator=True), role="king"
            )

    def test_delivery_mode(self):
        workgroup = WorkgroupFactory()
        person = UserFactory()
        services.workgroup_join(workgroup=workgroup, user=person)
        services.subscription_set_mode(workgroup=workgroup, user=person, mode="digest")
        assert Subscription.objects.get(user=person).mode == "digest"
        with pytest.raises(ValidationError):
            services.subscription_set_mode(workgroup=workgroup, user=person, mode="hourly")
        with pytest.raises(PermissionDenied):
            services.subscription_set_mode(workgroup=workgroup, user=UserFactory(), mode="each")


def django_capture_on_commit():
    """Run on_commit callbacks (the mail tasks) inside a test transaction."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


class TestPostingFromTheWeb:
    def setup_method(self):
        self.workgroup = WorkgroupFactory()
        self.author = MembershipFactory(workgroup=self.workgroup).user

    def test_a_new_thread_is_published_and_delivered(self):
        subscriber = UserFactory(email="sub@example.org")
        services.workgroup_join(workgroup=self.workgroup, user=subscriber)
        post = services.post_from_web(
            workgroup=self.workgroup, author=self.author, subject="الخصخصة", body="نص الرسالة"
        )
        assert post.status == Post.Status.PUBLISHED
        assert post.source == Post.Source.WEB
        assert post.language == "ar"
        post.thread.refresh_from_db()
        assert post.thread.post_count == 1
        assert post.thread.started_by == self.author
        assert post.author_name == self.author.display_name
        assert post.message_id.endswith(">")
        assert post.message_id.startswith("<")
        assert Delivery.objects.filter(post=post, recipient="sub@example.org").exists()

    def test_first_post_of_a_new_member_is_not_held_on_the_web(self):
        MailingList.objects.create(workgroup=self.workgroup, moderate_first_post=True)
        post = services.post_from_web(
            workgroup=self.workgroup, author=self.author, subject="Hello", body="First words"
        )
        assert post.status == Post.Status.PUBLISHED

    def test_a_reply_threads_for_mail_clients(self):
        first = services.post_from_web(
            workgroup=self.workgroup, author=self.author, subject="Topic", body="One"
        )
        second = services.post_from_web(
            workgroup=self.workgroup, author=self.author, body="Two", parent=first
        )
        third = services.post_from_web(
            workgroup=self.workgroup, author=self.author, body="Three", parent=second
        )
        assert second.thread == first.thread == third.thread
        assert second.subject == "Re: Topic"
        assert second.in_reply_to == first.message_id
        assert second.references == first.message_id
        assert third.in_reply_to == second.message_id
        assert third.references == f"{first.message_id} {second.message_id}"
        first.thread.refresh_from_db()
        assert first.thread.post_count == 3

    def test_emergency_moderation_holds_everything_and_tells_moderators(self):
        MailingList.objects.create(workgroup=self.workgroup, emergency=True)
        moderator = MembershipFactory(
            workgroup=self.workgroup,
            role=Role.MODERATOR,
            user=UserFactory(email="mod@example.org", preferred_language="ar"),
        )
        with django_capture_on_commit():
            post = services.post_from_web(
                workgroup=self.workgroup, author=self.author, subject="Urgent", body="Body"
            )
        assert post.status == Post.Status.HELD
        assert post.hold_reason
        assert not Delivery.objects.filter(post=post).exists()
        post.thread.refresh_from_db()
        assert post.thread.post_count == 0
        assert [message.to for message in mail.outbox] == [[moderator.user.email]]
        assert "Urgent" in mail.outbox[0].body

    @pytest.mark.parametrize(
        ("subject", "body", "field"),
        [
            ("x" * 301, "body", "subject"),
            ("", "body", "subject"),
            ("Subject", "   ", "body"),
            ("Two\nlines", "body", "subject"),
            ("Subject", "x" * (services.MAX_BODY_CHARS + 1), "body"),
        ],
    )
    def test_bad_input_changes_nothing(self, subject, body, field):
        with pytest.raises(ValidationError) as error:
            services.post_from_web(
                workgroup=self.workgroup, author=self.author, subject=subject, body=body
            )
        assert field in error.value.message_dict
        assert not Post.objects.exists()

    def test_non_members_and_other_workgroups_parents_are_refused(self):
        with pytest.raises(PermissionDenied):
            services.post_from_web(
                workgroup=self.workgroup, author=UserFactory(), subject="S", body="B"
            )
        elsewhere = make_post(WorkgroupFactory())
        with pytest.raises(ValidationError):
            services.post_from_web(
                workgroup=self.workgroup, author=self.author, body="B", parent=elsewhere
            )
        assert Post.objects.count() == 1


class TestModeration:
    def setup_method(self):
        self.workgroup = WorkgroupFactory()
        self.moderator = MembershipFactory(workgroup=self.workgroup, role=Role.MODERATOR).user
        self.subscriber = UserFactory(email="sub@example.org")
        services.workgroup_join(workgroup=self.workgroup, user=self.subscriber)

    def held(self, **kwargs):
        kwargs.setdefault("author_email", "stranger@example.net")
        return make_post(
            self.workgroup, status=Post.Status.HELD, hold_reason="non-member", **kwargs
        )

    def test_approve_publishes_and_delivers(self):
        post = self.held()
        inbound = InboundMessage.objects.create(
            recipient="x@y", raw=b"raw", post=post, state=InboundMessage.State.HELD
        )
        services.post_moderate(post=post, by=self.moderator, action="approve")
        post.refresh_from_db()
        assert post.status == Post.Status.PUBLISHED
        assert post.thread.post_count == 1
        assert Delivery.objects.filter(post=post, recipient="sub@example.org").exists()
        inbound.refresh_from_db()
        assert inbound.state == InboundMessage.State.POSTED
        assert actions()[-1] == services.AUDIT_MODERATED

    def test_approve_always_allows_the_sender(self):
        post = self.held()
        services.post_moderate(post=post, by=self.moderator, action="approve_always")
        services.post_moderate(
            post=self.held(author_email="STRANGER@example.net"),
            by=self.moderator,
            action="approve_always",
        )
        mailing_list = MailingList.objects.get(workgroup=self.workgroup)
        assert mailing_list.always_allowed.splitlines() == ["stranger@example.net"]

    def test_reject_tells_a_stranger_in_both_languages(self):
        post = self.held()
        with django_capture_on_commit():
            services.post_moderate(
                post=post, by=self.moderator, action="reject", reason="Off topic"
            )
        post.refresh_from_db()
        assert post.status == Post.Status.REJECTED
        assert not Delivery.objects.filter(post=post).exists()
        (message,) = mail.outbox
        assert message.to == ["stranger@example.net"]
        assert "Off topic" in message.body
        assert "Your message to the list was not accepted" in message.body
        # Arabic first, then English, each with the reason.
        assert message.body.count("Off topic") == 2
        assert "----" in message.body

    def test_reject_tells_a_member_in_their_language(self):
        member = UserFactory(preferred_language="en", email="member@example.org")
        post = self.held(author=member, author_email="")
        with django_capture_on_commit():
            services.post_moderate(post=post, by=self.moderator, action="reject", reason="No")
        (message,) = mail.outbox
        assert message.to == ["member@example.org"]
        assert message.body.count("No") >= 1
        assert "----" not in message.body  # one language only

    def test_reject_needs_a_reason_and_decisions_happen_once(self):
        post = self.held()
        with pytest.raises(ValidationError):
            services.post_moderate(post=post, by=self.moderator, action="reject", reason=" ")
        services.post_moderate(post=post, by=self.moderator, action="discard")
        post.refresh_from_db()
        assert post.status == Post.Status.DISCARDED
        with pytest.raises(ValidationError):
            services.post_moderate(post=post, by=self.moderator, action="approve")
        with pytest.raises(ValidationError):
            services.post_moderate(post=self.held(), by=self.moderator, action="explode")

    def test_members_cannot_moderate(self):
        member = MembershipFactory(workgroup=self.workgroup).user
        with pytest.raises(PermissionDenied):
            services.post_moderate(post=self.held(), by=member, action="approve")

    def test_expire_held_posts(self):
        MailingList.objects.filter(workgroup=self.workgroup).update(held_expiry_days=3)
        old = self.held(created=timezone.now() - datetime.timedelta(days=4))
        fresh = self.held(created=timezone.now() - datetime.timedelta(days=2))
        elsewhere = make_post(
            WorkgroupFactory(),
            status=Post.Status.HELD,
            created=timezone.now() - datetime.timedelta(days=10),
        )
        call_command("expire_held", verbosity=0)
        statuses = dict(Post.objects.values_list("pk", "status"))
        assert statuses[old.pk] == Post.Status.DISCARDED
        assert statuses[fresh.pk] == Post.Status.HELD
        assert statuses[elsewhere.pk] == Post.Status.HELD  # default 14 days
        assert services.expire_held_posts(now=timezone.now() + datetime.timedelta(days=30)) == 2


def test_list_settings_only_for_owners():
    workgroup = WorkgroupFactory()
    owner = MembershipFactory(workgroup=workgroup, role=Role.OWNER).user
    moderator = MembershipFactory(workgroup=workgroup, role=Role.MODERATOR).user
    with pytest.raises(PermissionDenied):
        services.mailing_list_update(workgroup=workgroup, by=moderator, data={"emergency": True})
    services.mailing_list_update(workgroup=workgroup, by=owner, data={"emergency": True})
    assert MailingList.objects.get(workgroup=workgroup).emergency
    assert actions()[-1] == services.AUDIT_LIST_SETTINGS
