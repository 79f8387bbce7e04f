"""Put confidential accesses recorded before the chain existed onto it, oldest first (so verify holds)."""

from django.db import migrations


def chain_existing(apps, schema_editor):
    from ronghe.platform.core.audit import GENESIS, _stamp, compute_hash

    Access = apps.get_model("core", "ConfidentialAccess")
    Entry = apps.get_model("core", "AuditEntry")
    Head = apps.get_model("core", "AuditHead")
    head, _ = Head.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    for row in Access.objects.filter(audit_seq__isnull=True).order_by("at", "id"):
        user = row.user
        fields = {
            "seq": head.seq + 1, "at": _stamp(row.at), "actor_id": row.user_id,
            "actor": user.username if user else "anonymous", "organization_id": row.organization_id,
            "object_type": row.object_type, "object_id": row.object_id, "action": "confidential.read",
            "before": {}, "after": {"what": row.what, "channel": row.channel}, "request_id": "",
            "prev_hash": head.hash,
        }
        digest = compute_hash(fields)
        Entry.objects.create(**{**fields, "at": row.at, "hash": digest})
        row.audit_seq = fields["seq"]
        row.save(update_fields=["audit_seq"])
        head.seq, head.hash = fields["seq"], digest
    head.save()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_chain")]
    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
