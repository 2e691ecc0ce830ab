"""The editor pages make a bounded number of queries, whatever the size of the round."""

from __future__ import annotations

import pytest

from tests.edit_support import EDITOR, client_as, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/edit/", 6),
        # Issue 12 added the tabling parties (co-sponsors, mediators) to these three, the
        # ratification steps to the proposal's workspace and the deliveries' "received by"
        # choices to the round's.
        ("/edit/rounds/{round}/", 28),
        ("/edit/proposals/{memorandum}/", 11),
        ("/edit/proposal/{memorandum}/", 14),
        ("/edit/changes/", 35),
        ("/edit/history/proposals.Proposal/{memorandum}/", 8),
    ],
)
def test_editor_pages_make_few_queries(demo, path, limit, django_assert_max_num_queries):
    client = client_as(make_user("eddie", EDITOR))
    memorandum = demo.proposals.get(title="Russian memorandum on a settlement")
    url = path.format(round=demo.rounds.get().pk, memorandum=memorandum.pk)
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_the_workspace_queries_do_not_grow_with_its_rows(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.edit_support import proposal_post

    client = client_as(make_user("eddie", EDITOR))
    url = f"/edit/rounds/{demo.rounds.get().pk}/"
    counts = []
    for rows in (2, 12):
        data = proposal_post(
            {"title": "Many rows", "kind": "other"},
            terms=[{"text": f"Term {n}."} for n in range(rows)],
            positions=[{"stated_on": "2025-06-02"}] * rows,
            action="add-term",
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, data).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
