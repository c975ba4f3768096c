"""Database side of the list benchmarks, run by bench/benchlib.py under a throw-away instance's
settings (VAR_DIR, DATABASE_URL, … in the environment). Not meant to be run by hand.

    tadamun_setup.py create --members N [--slug bench]   migrate; workgroup, list, N members
    tadamun_setup.py mode --personalise 0|1 [--per-transaction 500]
    tadamun_setup.py report                               deliveries of the latest post

Progress goes to stdout as plain lines; the result is the last line, as JSON.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")

import django  # noqa: E402

django.setup()

from benchlib import member_address  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from tadamun.accounts.models import User  # noqa: E402
from tadamun.lists.models import Delivery, InboundMessage, MailingList, Subscription  # noqa: E402
from tadamun.workgroups.models import Post, Workgroup, WorkgroupMembership  # noqa: E402

CHUNK = 2500


def create(members: int, slug: str) -> dict:
    print("migrating a fresh database …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    workgroup = Workgroup.objects.create(
        slug=slug,
        name_ar="مجموعة عمل القياس",
        name_en="Benchmark workgroup",
        description_en="A list for the fan-out benchmark.",
    )
    mailing_list = MailingList.objects.create(
        workgroup=workgroup,
        moderate_first_post=False,
        dmarc_mitigation=MailingList.Dmarc.NONE,
        subject_prefix=f"[{slug}]",
        always_allowed=member_address(0),
    )
    done = 0
    while done < members:
        upto = min(members, done + CHUNK)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        username=f"member{i:05d}",
                        username_folded=f"member{i:05d}",
                        email=member_address(i),
                        legal_name=f"Member {i}",
                        display_name=f"Member {i:05d}",
                        display_name_folded=f"member {i:05d}",
                        handle=f"member_{i:05d}",
                        password="!bench",  # noqa: S106 (an unusable password)
                        status=User.Status.MEMBER,
                        preferred_language="ar" if i % 3 else "en",
                    )
                    for i in range(done, upto)
                ],
                batch_size=500,
            )
            if users and users[0].pk is None:  # SQLite before RETURNING support
                users = list(User.objects.filter(username__gte=f"member{done:05d}").order_by("pk"))
            WorkgroupMembership.objects.bulk_create(
                [
                    WorkgroupMembership(
                        workgroup=workgroup,
                        user=user,
                        role="owner" if user.email == member_address(0) else "member",
                    )
                    for user in users
                ],
                batch_size=1000,
            )
            Subscription.objects.bulk_create(
                [
                    Subscription(
                        mailing_list=mailing_list,
                        user=user,
                        email=user.email,
                        language=user.preferred_language,
                    )
                    for user in users
                ],
                batch_size=1000,
            )
        done = upto
        print(f"creating subscribers {done:,}/{members:,}", flush=True)
    return {"list": mailing_list.address, "sender": member_address(0), "members": members}


def mode(personalise: bool, per_transaction: int) -> dict:
    MailingList.objects.update(personalise=personalise, recipients_per_transaction=per_transaction)
    return {"personalise": personalise, "recipients_per_transaction": per_transaction}


def report() -> dict:
    post = Post.objects.order_by("-pk").first()
    states = {}
    if post is not None:
        states = dict(
            Delivery.objects.filter(post=post)
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
    inbound = dict(
        InboundMessage.objects.values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {"post": post.pk if post else None, "deliveries": states, "inbound": inbound}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create")
    c.add_argument("--members", type=int, required=True)
    c.add_argument("--slug", default="bench")
    m = sub.add_parser("mode")
    m.add_argument("--personalise", type=int, choices=(0, 1), required=True)
    m.add_argument("--per-transaction", type=int, default=500)
    sub.add_parser("report")
    args = parser.parse_args()
    if args.command == "create":
        result = create(args.members, args.slug)
    elif args.command == "mode":
        result = mode(bool(args.personalise), args.per_transaction)
    else:
        result = report()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
