"""Things to be notified about, for the notifications tests."""

from tadamun.accounts.tests.factories import UserFactory
from tadamun.documents.models import Document
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory


def make_document(author, *, workgroup=None, language="en", **kwargs) -> Document:
    return Document.objects.create(
        title=kwargs.pop("title", "Report on the freedom of association"),
        description=kwargs.pop("description", "Findings from Basra and Dhi Qar"),
        language=language,
        workgroup=workgroup,
        audience=Document.Audience.MEMBERS,
        uploaded_by=author,
        **kwargs,
    )


class Closed:
    """A closed workgroup with two members and a document in its library, and an outsider."""

    def __init__(self):
        self.workgroup = WorkgroupFactory(
            closed=True, name_en="Safe houses", name_ar="البيوت الآمنة"
        )
        self.author = UserFactory(display_name="Layla Author")
        self.member = UserFactory(display_name="Member Reader")
        self.outsider = UserFactory(display_name="Outsider Person")
        self.author_membership = MembershipFactory(workgroup=self.workgroup, user=self.author)
        self.membership = MembershipFactory(workgroup=self.workgroup, user=self.member)
        self.document = make_document(
            self.author,
            workgroup=self.workgroup,
            title="Shelter addresses in Basra",
            description="The list of shelters and who runs them",
        )
