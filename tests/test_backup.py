import io
from pathlib import Path

import pghistory
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from knox.models import AuthToken

from negotiations.editing.objects import last_change
from negotiations.ops.backup import export_all, import_all
from parties.models import Party
from parties.services import party_create
from proposals.models import Position, Proposal
from proposals.synthetic import generate

# TRUNCATE (flush) needs a real transaction boundary, not the test-wrapping one.
pytestmark = pytest.mark.django_db(transaction=True)


def _round_trip(tmp_path: Path) -> tuple[list[str], list[str]]:
    first = tmp_path / "first.jsonl"
    export_all(first)
    call_command("flush", interactive=False, verbosity=0)
    assert not Proposal.objects.exists()
    import_all(first)
    second = tmp_path / "second.jsonl"
    export_all(second)
    return sorted(first.read_text().splitlines()), sorted(second.read_text().splitlines())


def test_the_demo_survives_an_export_and_an_import(demo, tmp_path, django_user_model):
    editor = django_user_model.objects.create_user("ed", password="a-long-password-1")
    group, _ = Group.objects.get_or_create(name="editor")
    editor.groups.add(group)
    statuses = dict(Proposal.objects.values_list("title", "status"))
    before, after = _round_trip(tmp_path)
    assert before == after
    assert dict(Proposal.objects.values_list("title", "status")) == statuses
    assert User.objects.get(username="ed").groups.filter(name="editor").exists()
    assert User.objects.get(username="ed").check_password("a-long-password-1")
    assert Proposal.pgh_event_model.objects.exists()  # the audit history came along


def test_a_synthetic_set_survives_an_export_and_an_import(db, tmp_path):
    generate(positions=2000, seed=9)
    before, after = _round_trip(tmp_path)
    assert before == after
    assert Position.objects.count() == 2000


def test_import_refuses_a_database_that_holds_data(demo, tmp_path):
    dump = tmp_path / "dump.jsonl"
    export_all(dump)
    with pytest.raises(CommandError, match="empty database"):
        import_all(dump)


def test_new_rows_after_an_import_get_fresh_ids(demo, tmp_path):
    dump = tmp_path / "dump.jsonl"
    export_all(dump)
    highest = max(Proposal.objects.values_list("pk", flat=True))
    call_command("flush", interactive=False, verbosity=0)
    import_all(dump)
    party_create(name="A party added after the restore")
    from negotiations.services import negotiation_create
    from proposals.services import proposal_create

    negotiation = negotiation_create(title="After the restore")
    assert proposal_create(negotiation=negotiation, title="New", kind="other").pk > highest


def test_the_commands_report_their_row_counts(demo, tmp_path, capsys):
    dump = tmp_path / "d.jsonl"
    call_command("export_all", str(dump))
    assert "Exported" in capsys.readouterr().out


def test_timestamps_come_back_to_the_microsecond(demo, tmp_path):
    import datetime

    exact = datetime.datetime(2025, 6, 2, 18, 30, 1, 123, tzinfo=datetime.UTC)
    Party.objects.filter(slug="ukraine").update(updated_at=exact)
    before, after = _round_trip(tmp_path)
    assert before == after
    assert Party.objects.get(slug="ukraine").updated_at == exact


def _export(path: Path, *flags: str) -> str:
    stderr = io.StringIO()
    call_command("export_all", str(path), *flags, stderr=stderr, stdout=io.StringIO())
    return stderr.getvalue()


def test_the_export_says_it_holds_password_hashes_and_no_api_tokens(demo, tmp_path):
    ed = User.objects.create_user("ed", password="a-long-password-1")
    AuthToken.objects.create(user=ed)
    dump = tmp_path / "d.jsonl"
    said = _export(dump)
    assert "password hashes" in said and "API tokens are not exported" in said
    text = dump.read_text()
    assert ed.password in text
    assert '"model": "knox.authtoken"' not in text


def test_without_users_the_export_keeps_only_who_each_user_was(db, tmp_path, client):
    ed = User.objects.create_user(
        "ed",
        password="a-long-password-1",
        first_name="Edith",
        last_name="Ng",
        email="ed@example.org",
        is_staff=True,
    )
    ed.groups.add(Group.objects.get_or_create(name="editor")[0])
    with pghistory.context(user=ed.pk):
        party_create(name="Ukraine", slug="ukraine")
    dump = tmp_path / "d.jsonl"
    said = _export(dump, "--without-users")
    assert "cannot log in" in said
    text = dump.read_text()
    assert ed.password not in text and "ed@example.org" not in text
    call_command("flush", interactive=False, verbosity=0)
    import_all(dump)
    User.objects.create_user("newcomer", password="a-long-password-2")

    _, author = last_change(Party.objects.get(slug="ukraine"))
    assert author.get_full_name() == "Edith Ng"
    restored = User.objects.get(username="ed")
    assert not restored.is_active and not restored.has_usable_password()
    assert not (restored.is_staff or restored.is_superuser or restored.email)
    assert not restored.groups.exists()
    assert not client.login(username="ed", password="a-long-password-1")
