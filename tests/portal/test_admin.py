"""What admins manage in the Django admin for the portal: request forms, articles, ratings."""

from __future__ import annotations

import pytest

from tests.factories import AdminFactory, CategoryFactory, GroupFactory
from tresen.knowledge.models import Answer
from tresen.portal.models import RequestForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/portal/requestform/",
        "/admin/portal/requestform/add/",
        "/admin/knowledge/answer/",
        "/admin/knowledge/answer/add/",
        "/admin/knowledge/deflection/",
        "/admin/feedback/rating/",
    ],
)
def test_admin_pages_open(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_admin_creates_an_article_whose_text_is_sanitised(admin_client):
    response = admin_client.post(
        "/admin/knowledge/answer/add/",
        {
            "title": "Reset the VPN",
            "slug": "reset-vpn",
            "language": "en",
            "summary": "",
            "body_html": '<p onclick="x()">Use the page.</p><script>evil()</script>',
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    assert Answer.objects.get().body_html == "<p>Use the page.</p>"


def test_request_form_category_must_belong_to_its_group(admin_client):
    group, other = GroupFactory(), GroupFactory()
    response = admin_client.post(
        "/admin/portal/requestform/add/",
        {
            "name_en": "Hardware",
            "name_de": "Hardware",
            "group": group.pk,
            "category": CategoryFactory(group=other).pk,
            "position": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and not RequestForm.objects.exists()
