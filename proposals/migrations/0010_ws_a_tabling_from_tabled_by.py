"""Every proposal's tabled_by becomes its first (and only) tabling party; backwards, the
first tabling party becomes tabled_by again (co-sponsors after the first are lost)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    Tabling = apps.get_model("proposals", "Tabling")
    rows = Proposal.objects.filter(tabled_by__isnull=False).values_list("id", "tabled_by_id")
    Tabling.objects.bulk_create(
        [Tabling(proposal_id=pk, party_id=party_id, ordinal=1) for pk, party_id in rows],
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    Tabling = apps.get_model("proposals", "Tabling")
    for tabling in Tabling.objects.order_by("proposal_id", "-ordinal", "-id"):
        # The last write per proposal is its first tabling party.
        Proposal.objects.filter(pk=tabling.proposal_id).update(tabled_by_id=tabling.party_id)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0009_ws_a_tabling_parties")]

    operations = [migrations.RunPython(forwards, backwards)]
