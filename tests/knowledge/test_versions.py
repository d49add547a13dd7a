"""An article in another language: a version of the same family, one per language."""

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Article
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_version_in_another_language_joins_the_family(client_for, technician):
    original = factories.ArticleFactory(title="VPN at home", language="en", audience="requesters")
    client = client_for(technician)
    form = client.get(reverse("knowledge:translate", args=[original.pk])).context["form"]
    assert "en" not in [code for code, _name in form.fields["language"].choices]
    assert form["title"].value() == "VPN at home"
    response = client.post(
        reverse("knowledge:translate", args=[original.pk]),
        {"title": "VPN hemifrån", "language": "sv", "audience": "requesters", "body": "Starta VPN-klienten."},
    )
    version = Article.objects.get(language="sv")
    assert response["Location"] == version.get_absolute_url()
    assert version.family_id == original.family_id and version.status == "draft" and version.owner == technician
    # English is taken: refused, by the form and by the service.
    again = client.post(
        reverse("knowledge:translate", args=[original.pk]),
        {"title": "VPN", "language": "en", "audience": "requesters", "body": "x"},
    )
    assert again.status_code == 200 and Article.objects.count() == 2
    with pytest.raises(services.KnowledgeError):
        services.article_create(
            by=technician,
            fields=services.ArticleFields(title="VPN", body="x", language="sv"),
            version_of=original,
        )
    edit = client.post(
        reverse("knowledge:edit", args=[version.pk]),
        {"title": "VPN", "language": "en", "audience": "requesters", "body": "x"},
    )
    assert edit.status_code == 200 and "already has a version" in edit.content.decode()
