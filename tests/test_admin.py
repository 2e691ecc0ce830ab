"""The Django admin works for a data editor and writes only through the services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.test import Client

from negotiations.core.roles import ADMIN, ANALYST, EDITOR
from parties.models import Party
from proposals.models import Position, Proposal, Stance, Status, Term
from tests.edit_support import PASSWORD, client_as, make_user

pytestmark = pytest.mark.django_db

OUR_APPS = {"parties", "negotiations", "proposals"}


def _registered():
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


def test_every_model_of_the_domain_is_in_the_admin():
    registered = {m._meta.model_name for m in _registered()}
    assert registered >= {
        "party",
        "person",
        "negotiation",
        "round",
        "source",
        "proposal",
        "proposallink",
        "term",
        "position",
        "implementationevent",
    }


def test_every_list_add_and_change_page_renders(admin_client, demo):
    for model in _registered():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert admin_client.get(base).status_code == 200, base
        assert admin_client.get(base + "add/").status_code == 200, base
        assert admin_client.get(base + "?q=ceasefire").status_code == 200, base
        first = model._default_manager.first()
        if first is not None:
            assert admin_client.get(f"{base}{first.pk}/change/").status_code == 200, base


def test_the_proposal_page_shows_terms_positions_and_the_computed_status(admin_client, demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    page = admin_client.get(f"/admin/proposals/proposal/{memorandum.pk}/change/").content.decode()
    assert "Ukraine gives up its bid to join NATO." in page
    assert "Status (computed)" in page
    assert "all 7 items rejected" in page


def _position_form(proposal: Proposal, party: Party, **extra) -> dict[str, object]:
    return {
        "proposal": proposal.pk,
        "party": party.pk,
        "stance": Stance.ACCEPTS,
        "stated_on": "2025-06-03",
        "quote": "",
        "conditions": "",
        "note": "",
        **extra,
    }


def test_a_rule_broken_in_the_admin_shows_next_to_the_field_and_writes_nothing(admin_client, demo):
    summit = Proposal.objects.get(kind="meeting")
    outsider = Party.objects.create(name="Atlantis", slug="atlantis")
    before = Position.objects.count()
    response = admin_client.post("/admin/proposals/position/add/", _position_form(summit, outsider))
    assert response.status_code == 200
    assert "takes no part" in response.content.decode()
    assert Position.objects.count() == before


def test_a_position_added_in_the_admin_goes_through_the_service_and_recomputes(
    admin_client, demo, django_capture_on_commit_callbacks
):
    summit = Proposal.objects.get(kind="meeting")
    for slug in ("russia", "ukraine"):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/proposals/position/add/",
                _position_form(summit, Party.objects.get(slug=slug)),
            )
        assert response.status_code == 302, response.content.decode()[:2000]
    summit.refresh_from_db()
    assert summit.status == Status.CONDITIONAL  # the United States is still conditional
    added = Position.objects.filter(proposal=summit, stated_on="2025-06-03").first()
    audit = Position.pgh_event_model.objects.get(pgh_obj_id=added.pk, pgh_label="insert")
    assert audit.pgh_context.metadata["user"] is not None


def test_an_edit_of_an_outdated_version_is_refused(admin_client, demo):
    party = Party.objects.get(slug="ukraine")
    url = f"/admin/parties/party/{party.pk}/change/"
    form = {
        "name": party.name,
        "short_name": party.short_name,
        "slug": party.slug,
        "kind": party.kind,
        "country_code": party.country_code,
        "aliases": "",
        "description": "Edited",
        "expected_version": party.version,
    }
    Party.objects.filter(pk=party.pk).update(version=party.version + 1)  # a colleague saved
    response = admin_client.post(url, form)
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert Party.objects.get(pk=party.pk).description == ""


def test_a_term_added_inline_under_its_proposal_is_written_by_the_service(
    admin_client, demo, django_capture_on_commit_callbacks
):
    ceasefire = Proposal.objects.get(kind="ceasefire")
    url = f"/admin/proposals/proposal/{ceasefire.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        negotiation=ceasefire.negotiation_id,
        round=ceasefire.round_id,
        tabling="ukraine",
        required_parties=[],
        sources=[s.pk for s in ceasefire.sources.all()],
        tabled_on="2025-06-02",
    )
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        for name, field in management.fields.items():
            data[f"{prefix}-{name}"] = management.initial.get(name, field.initial)
        for i, row in enumerate(formset.formset.initial_forms):
            for name in row.fields:
                value = row.initial.get(name)
                if value is not None:
                    data[f"{prefix}-{i}-{name}"] = getattr(value, "pk", value)
            data[f"{prefix}-{i}-id"] = row.instance.pk
            data[f"{prefix}-{i}-{formset.formset.fk.name}"] = ceasefire.pk
    terms_prefix = next(
        f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is Term
    )
    n = int(data[f"{terms_prefix}-TOTAL_FORMS"])
    data[f"{terms_prefix}-TOTAL_FORMS"] = n + 1
    data.update(
        {
            f"{terms_prefix}-{n}-ordinal": 2,
            f"{terms_prefix}-{n}-text": "Monitoring by observers",
            f"{terms_prefix}-{n}-category": "monitoring",
            f"{terms_prefix}-{n}-stage": "ceasefire",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    added = Term.objects.get(proposal=ceasefire, ordinal=2)
    assert added.version == 1
    assert added.status == Status.REJECTED  # Russia rejected the whole proposal


def test_the_admin_role_uses_every_admin_page_without_being_staff(admin_client, demo):
    user = make_user("ada", ADMIN)
    assert not user.is_staff and not user.is_superuser
    client = client_as(user)
    assert client.get("/admin/").status_code == 200
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(base).status_code == 200, base
        # Where the admin offers no add page (history, login records), not even to a superuser.
        expected = admin_client.get(base + "add/").status_code
        assert client.get(base + "add/").status_code == expected, base


def test_the_admin_role_signs_in_on_the_admins_own_login_page_and_sees_the_link(db):
    make_user("ada", ADMIN)
    client = Client()
    signed_in = client.post("/admin/login/", {"username": "ada", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert 'href="/admin/"' in client.get("/").content.decode()


@pytest.mark.parametrize("role", [EDITOR, ANALYST])
def test_editors_and_analysts_are_refused_the_admin(db, role):
    client = client_as(make_user("someone", role))
    for url in ["/admin/", "/admin/parties/party/", "/admin/parties/party/add/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert 'href="/admin/"' not in client.get("/").content.decode()
    refused = Client().post("/admin/login/", {"username": "someone", "password": PASSWORD})
    assert refused.status_code == 200 and "staff account" in refused.content.decode()


def _user_form(user, **extra) -> dict[str, object]:
    """What the user admin's change page posts for the user, unchanged."""
    joined = user.date_joined
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        **extra,
    }


@pytest.mark.parametrize("whom", ["itself", "another"])
def test_the_admin_role_cannot_make_a_superuser_staff_or_hand_out_permissions(db, whom):
    ada = make_user("ada", ADMIN)
    target = ada if whom == "itself" else make_user("bob", EDITOR)
    change = f"/admin/auth/user/{target.pk}/change/"
    client = client_as(ada)
    assert 'name="is_superuser"' not in client.get(change).content.decode()
    permission = Permission.objects.get(codename="delete_party")
    grab = {"is_superuser": "on", "is_staff": "on", "user_permissions": [permission.pk]}
    response = client.post(change, _user_form(target, first_name="Renamed", **grab))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.first_name == "Renamed"  # the rest of the form is saved
    assert not (target.is_superuser or target.is_staff or target.user_permissions.exists())


def test_a_superuser_still_makes_superusers(admin_client, db):
    bob = make_user("bob")
    change = f"/admin/auth/user/{bob.pk}/change/"
    assert 'name="is_superuser"' in admin_client.get(change).content.decode()
    assert admin_client.post(change, _user_form(bob, is_superuser="on")).status_code == 302
    bob.refresh_from_db()
    assert bob.is_superuser


def test_the_admin_role_cannot_change_delete_or_reset_a_superuser(admin_user):
    client = client_as(make_user("ada", ADMIN))
    base = f"/admin/auth/user/{admin_user.pk}/"
    assert (
        client.post(base + "change/", _user_form(admin_user, email="x@ex.org")).status_code == 403
    )
    new_password = {"password1": "an-attackers-pw-9", "password2": "an-attackers-pw-9"}
    assert client.get(base + "password/").status_code == 403
    assert client.post(base + "password/", new_password).status_code == 403
    assert client.post(base + "delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [admin_user.pk], "post": "yes"}
    client.post("/admin/auth/user/", bulk)
    admin_user.refresh_from_db()
    assert admin_user.email != "x@ex.org" and admin_user.check_password("password")


def test_the_admin_role_still_manages_other_accounts(db):
    client = client_as(make_user("ada", ADMIN))
    bob = make_user("bob", EDITOR)
    new_password = {"password1": "a-new-password-9", "password2": "a-new-password-9"}
    assert client.post(f"/admin/auth/user/{bob.pk}/password/", new_password).status_code == 302
    bulk = {"action": "delete_selected", "_selected_action": [bob.pk], "post": "yes"}
    assert client.post("/admin/auth/user/", bulk).status_code == 302
    assert not User.objects.filter(pk=bob.pk).exists()


def test_an_inactive_admin_is_refused_the_admin(db):
    ada = make_user("ada", ADMIN)
    client = client_as(ada)
    User.objects.filter(pk=ada.pk).update(is_active=False)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_anonymous_visitors_hold_no_permission():
    assert not AnonymousUser().has_perm("parties.change_party")
    assert not AnonymousUser().has_module_perms("parties")
