"""Workgroups for tests: `WorkgroupFactory(closed=True)`, memberships, and posts made through
the one real path (`services.post_create`). People come from the accounts factories."""

import factory

from tadamun.accounts.tests.factories import UserFactory
from tadamun.workgroups import services
from tadamun.workgroups.models import Post, Workgroup, WorkgroupMembership

__all__ = ["MembershipFactory", "UserFactory", "WorkgroupFactory", "make_post"]


class WorkgroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workgroup
        skip_postgeneration_save = True

    class Params:
        closed = factory.Trait(
            visibility=Workgroup.Visibility.CLOSED, join_policy=Workgroup.JoinPolicy.INVITE
        )

    slug = factory.Sequence(lambda n: f"workgroup-{n}")
    name_en = factory.Sequence(lambda n: f"Workgroup number {n}")
    name_ar = factory.Sequence(lambda n: f"مجموعة العمل رقم {n}")
    description_en = "People working together."
    description_ar = "أناس يعملون معاً."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkgroupMembership

    workgroup = factory.SubFactory(WorkgroupFactory)
    user = factory.SubFactory(UserFactory)
    role = WorkgroupMembership.Role.MEMBER
    status = WorkgroupMembership.Status.ACTIVE


def make_post(workgroup, *, author=None, subject="A subject", body="A body", **kwargs) -> Post:
    kwargs.setdefault("source", Post.Source.WEB)
    kwargs.setdefault("deliver", False)
    return services.post_create(
        workgroup=workgroup, subject=subject, body=body, author=author, **kwargs
    )
