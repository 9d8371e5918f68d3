"""Webhooks in the admin: owners add them on the timeline's page (secret shown once) and read
the delivery log; nobody else sees either."""

import pytest
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory, UserFactory
from timeline import services
from timeline.models import DeliveryStatus, Role, TimelineRole, Webhook, WebhookDelivery
from timeline.webhooks import webhook_secret_new


def timeline_form(timeline, **webhook_fields):
    data = {
        "title": timeline.title,
        "slug": timeline.slug,
        "description": timeline.description,
        "visibility": timeline.visibility,
        "marking": timeline.marking,
        "bottom_line": "",
        "key_judgements": "",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "webhooks-TOTAL_FORMS": "1",
        "webhooks-INITIAL_FORMS": "0",
        "webhooks-MIN_NUM_FORMS": "0",
        "webhooks-MAX_NUM_FORMS": "1000",
    }
    data.update({f"webhooks-0-{name}": value for name, value in webhook_fields.items()})
    return data


@pytest.fixture
def owned(db):
    timeline = TimelineFactory(slug="cooperation", title="Cooperation")
    owner = UserFactory(username="owner", is_staff=True)
    TimelineRole.objects.create(timeline=timeline, user=owner, role=Role.OWNER)
    return owner, timeline


@pytest.mark.django_db
def test_owner_adds_a_webhook_on_the_timeline_page_and_sees_its_secret_once(client, owned):
    owner, timeline = owned
    client.force_login(owner)
    url = reverse("admin:timeline_timeline_change", args=[timeline.pk])

    saved = client.post(
        url,
        timeline_form(timeline, url="https://93.184.215.14/hooks", description="Newsroom", active="on"),
        follow=True,
    )
    again = client.get(url).content.decode()

    hook = Webhook.objects.get()
    shown = [str(message) for message in saved.context["messages"]]
    assert (hook.url, hook.created_by, hook.timeline) == ("https://93.184.215.14/hooks", owner, timeline)
    assert any(hook.secret in message for message in shown)
    assert hook.secret not in again
    assert f"{hook.secret[:6]}…" in again
    assert "delivery log" in again


@pytest.mark.django_db
def test_webhook_to_a_private_address_is_a_form_error_on_the_timeline_page(client, owned, settings):
    owner, timeline = owned
    settings.TIMELINE_WEBHOOK_ALLOW_LOOPBACK = False
    client.force_login(owner)

    response = client.post(
        reverse("admin:timeline_timeline_change", args=[timeline.pk]),
        timeline_form(timeline, url="https://10.1.2.3/hooks", active="on"),
    )

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.errors
    assert errors[0]["url"] == [
        "Webhooks are not sent to private networks: 10.1.2.3 resolves to 10.1.2.3 is a private, "
        "link-local or reserved address."
    ]
    assert Webhook.objects.count() == 0


@pytest.mark.django_db
def test_timeline_page_shows_webhooks_to_owners_only(client, owned):
    _, timeline = owned
    editor = EditorFactory(username="editor")  # global editor: edits events, owns nothing
    client.force_login(editor)

    page = client.get(reverse("admin:timeline_timeline_change", args=[timeline.pk])).content.decode()

    assert "webhooks-TOTAL_FORMS" not in page
    assert "roles-TOTAL_FORMS" not in page


@pytest.mark.django_db
def test_delivery_log_lists_the_owners_deliveries_only(client, owned, django_capture_on_commit_callbacks):
    owner, timeline = owned
    other = TimelineFactory(slug="other")
    stranger = UserFactory(username="stranger", is_staff=True)
    TimelineRole.objects.create(timeline=other, user=stranger, role=Role.OWNER)
    Webhook.objects.create(
        timeline=timeline, url="https://93.184.215.14/hooks", secret=webhook_secret_new(), created_by=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=timeline, title="Troops in Kursk", published=True)
    WebhookDelivery.objects.update(
        status=DeliveryStatus.FAILED, attempts=10, last_response_code=500, last_error="HTTP 500"
    )
    url = reverse("admin:timeline_webhookdelivery_changelist")

    client.force_login(owner)
    mine = client.get(url)
    client.force_login(stranger)
    theirs = client.get(url)

    assert [(d.event_uid, d.kind, d.status) for d in mine.context["cl"].result_list] == [
        (event.uid, "published", "failed")
    ]
    assert "HTTP 500" in mine.content.decode()
    assert list(theirs.context["cl"].result_list) == []


@pytest.mark.django_db
def test_delivery_log_retry_now_queues_a_failed_delivery_again(client, owned, django_capture_on_commit_callbacks):
    owner, timeline = owned
    Webhook.objects.create(
        timeline=timeline, url="https://93.184.215.14/hooks", secret=webhook_secret_new(), created_by=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(timeline=timeline, published=True)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.update(status=DeliveryStatus.FAILED, attempts=10, next_attempt_at=None)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:timeline_webhookdelivery_changelist"),
            {"action": "retry_now", "_selected_action": [delivery.pk]},
            follow=True,
        )

    delivery.refresh_from_db()
    assert response.status_code == 200
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert "1 delivery(ies) queued again." in response.content.decode()


@pytest.mark.django_db
def test_deleting_a_published_event_in_the_admin_is_announced(client, owned, django_capture_on_commit_callbacks):
    owner, timeline = owned
    Webhook.objects.create(
        timeline=timeline, url="https://93.184.215.14/hooks", secret=webhook_secret_new(), created_by=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=timeline, published=True)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:timeline_event_delete", args=[event.pk]), {"post": "yes"})
    with django_capture_on_commit_callbacks(execute=True):
        draft = EventFactory(timeline=timeline, published=False)
        services.event_update(event=draft, values={"title": "A draft"})
        draft.delete()

    kinds = list(WebhookDelivery.objects.order_by("pk").values_list("event_uid", "kind"))
    assert kinds == [(event.uid, "published"), (event.uid, "deleted")]
