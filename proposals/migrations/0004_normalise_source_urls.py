"""Stored source URLs in their normalised spelling, so that the unique constraint compares
like with like from now on.

A URL whose normalised spelling another source already has is left as it is: merging the
two would mean moving every citation of one onto the other, a decision for an editor, not
a migration. So is one whose normalised spelling would not fit the column. Each row changed
gets a new version, so API clients syncing see the change.

normalised_url is a frozen copy of proposals.services.sources.normalised_url as it was
when this migration was written: a later change to that function must not change what
this migration did."""

from urllib.parse import urlsplit, urlunsplit

from django.db import migrations
from django.db.models import F
from django.utils import timezone

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}


def normalised_url(url):
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    host = parts.hostname
    if not parts.scheme or not host:
        return url
    scheme = parts.scheme.lower()
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def normalise(apps, schema_editor):
    Source = apps.get_model("proposals", "Source")
    longest = Source._meta.get_field("url").max_length
    now = timezone.now()
    rows = Source.objects.exclude(url="").order_by("pk").values_list("pk", "url")
    for pk, url in rows.iterator(chunk_size=2000):
        new = normalised_url(url)
        if new == url or len(new) > longest:
            continue
        # Sees the rows this loop already changed: the cursor does not, the query does.
        if Source.objects.filter(url=new).exclude(pk=pk).exists():
            continue
        Source.objects.filter(pk=pk).update(url=new, version=F("version") + 1, updated_at=now)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_status_audit")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
