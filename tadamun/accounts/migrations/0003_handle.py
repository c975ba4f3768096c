from django.db import migrations, models
from django.utils.text import slugify


def fill_handles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = set()
    for user in User.objects.order_by("pk"):
        base = slugify(user.display_name or "", allow_unicode=True).replace("-", "_").strip("_")
        base = base[:50] or "member"
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}_{number}"
        taken.add(candidate)
        User.objects.filter(pk=user.pk).update(handle=candidate)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_sessions_and_policy")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="handle",
            field=models.CharField(max_length=60, null=True, editable=False),
        ),
        migrations.RunPython(fill_handles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="handle",
            field=models.CharField(
                editable=False, max_length=60, unique=True, verbose_name="mention name"
            ),
        ),
    ]
