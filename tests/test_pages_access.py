import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]


def test_anonymous_visitors_read_pages_while_public_read_is_on(client, demo):
    assert client.get(f"/negotiations/{demo.slug}/").status_code == 200


def test_without_public_read_pages_send_anonymous_visitors_to_log_in(client, demo, settings):
    settings.PARLEY_PUBLIC_READ = False
    for url in ("/", f"/negotiations/{demo.slug}/", "/search/?q=truce", "/feeds/status-changes/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    assert client.get("/api/v1/proposals/").status_code in (401, 403)
    assert client.get("/healthz").status_code == 200


def test_page_exports_need_a_role_like_the_api(client, analyst_client, demo, django_user_model):
    url = f"/negotiations/{demo.slug}/rounds/2/?format=csv"
    assert client.get(url).status_code == 302
    nobody = django_user_model.objects.create_user("no-role", password="a-long-password-1")
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    assert analyst_client.get(url)["Content-Type"].startswith("text/csv")
