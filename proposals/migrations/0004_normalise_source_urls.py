"""Stored source URLs in their normalised spelling (proposals.services.sources.normalised_url),
so that the unique constraint compares like with like from now on.

A URL whose normalised spelling another source already has is left as it is: merging the
two would mean moving every citation of one onto the other, a decision for an editor, not
a migration. Each row changed gets a new version, so API clients syncing see the change."""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

from proposals.services.sources import normalised_url


def normalise(apps, schema_editor):
    Source = apps.get_model("proposals", "Source")
    rows = list(Source.objects.exclude(url="").values_list("pk", "url"))
    taken = {url for _, url in rows}
    now = timezone.now()
    for pk, url in rows:
        new = normalised_url(url)
        if new == url or new in taken:
            continue
        Source.objects.filter(pk=pk).update(url=new, version=F("version") + 1, updated_at=now)
        taken.add(new)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_status_audit")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
