from django.db import migrations


def load(apps, schema_editor):
    from ronghe.platform.accounts.reference import industries

    Industry = apps.get_model("accounts", "Industry")
    Industry.objects.bulk_create(
        [Industry(code=r["code"], section=r["section"], name_zh=r["name_zh"], name_en=r["name_en"])
         for r in industries()],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
