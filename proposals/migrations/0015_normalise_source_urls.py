"""Stored source URLs in their normalised spelling once more, now that it also drops a
trailing slash and tracking parameters (utm_*, fbclid, gclid…): `?url=` looks sources up
by that spelling, and the unique constraint compares it.

As in 0004, a URL whose new spelling another source already has is left as it is (merging
the two is an editor's decision: every citation would move), and so is one whose new
spelling would not fit; each row changed gets a new version, so syncing clients see it.

normalised_url is a frozen copy of proposals.services.sources.normalised_url as it was
when this migration was written."""

from urllib.parse import unquote_plus, urlsplit, urlunsplit

from django.db import migrations
from django.db.models import F
from django.utils import timezone

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
TRACKING_PREFIXES = ("utm_",)
TRACKING = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl",
}  # fmt: skip


def _is_tracking(pair):
    name = unquote_plus(pair.partition("=")[0]).lower()
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


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
    path = parts.path.rstrip("/") or "/"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, path, query, parts.fragment))


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
    dependencies = [("proposals", "0014_ws_e_figures")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
