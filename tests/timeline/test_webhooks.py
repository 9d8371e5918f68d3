"""Webhooks: signed POSTs to a real local receiver, sent by a real worker process, with retries,
backoff and per-event order; which changes are announced; who may manage hooks; refused addresses."""

import hashlib
import hmac
import json
import threading
import time

import pytest
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory, UserFactory
from tests.local_servers import local_server
from tests.timeline.api_helpers import client_for, event_url
from tests.worker import worker_running
from timeline import services
from timeline.models import DeliveryStatus, Role, TimelineRole, Webhook, WebhookDelivery
from timeline.webhooks import WebhookUrlRefused, webhook_secret_new, webhook_url_check

WORKER_ENV = {"WEBHOOK_ALLOW_LOOPBACK": "1", "WEBHOOK_BACKOFF_SECONDS": "1", "WEBHOOK_TIMEOUT_SECONDS": "5"}


def signature_valid(secret, headers, body):
    timestamp = headers["X-Timeline-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Timeline-Signature"])


class FlakyReceiver:
    """Answers 500 to the first ``failures`` POSTs, then 204; remembers every request and its answer."""

    def __init__(self, failures):
        self.failures = failures
        self.requests = []
        self.lock = threading.Lock()

    def __call__(self, method, path, headers, body):
        with self.lock:
            status = 500 if len(self.requests) < self.failures else 200
            self.requests.append({"at": time.monotonic(), "headers": headers, "body": body, "status": status})
        return status, {"ok": status == 200}


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def owner_with_timeline(db, settings):
    settings.TIMELINE_WEBHOOK_ALLOW_LOOPBACK = True
    timeline = TimelineFactory(slug="cooperation")
    owner = UserFactory(username="owner")
    TimelineRole.objects.create(timeline=timeline, user=owner, role=Role.OWNER)
    return owner, timeline


@pytest.mark.django_db(transaction=True)
def test_webhook_failing_twice_is_delivered_once_signed_and_in_order_by_a_worker(owner_with_timeline, tmp_path):
    owner, timeline = owner_with_timeline
    event = EventFactory(timeline=timeline, title="Troops in Kursk", published=True)
    receiver = FlakyReceiver(failures=2)
    editor = client_for(EditorFactory())

    with local_server(receiver) as base:
        made = client_for(owner).post(
            reverse("api:webhook-list"), {"timeline": "cooperation", "url": f"{base}/hooks"}, format="json"
        )
        secret = made.json()["secret"]
        first = editor.patch(event_url(event), {"title": "Troops in Kursk oblast"}, format="json")
        second = editor.patch(event_url(event), {"location": "Kursk"}, format="json")
        with worker_running(media_root=tmp_path, env=WORKER_ENV):
            finished = wait_for(lambda: not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists())

    assert (made.status_code, first.status_code, second.status_code) == (201, 200, 200)
    assert finished, (tmp_path / "worker.log").read_text()
    assert [r["status"] for r in receiver.requests] == [500, 500, 200, 200]
    assert all(signature_valid(secret, r["headers"], r["body"]) for r in receiver.requests)
    accepted = [r for r in receiver.requests if r["status"] == 200]
    bodies = [json.loads(r["body"]) for r in accepted]
    assert [(b["kind"], b["version"], b["event"]["version"]) for b in bodies] == [("changed", 2, 2), ("changed", 3, 3)]
    assert [b["event"]["title"] for b in bodies] == ["Troops in Kursk oblast", "Troops in Kursk oblast"]
    assert [b["event"]["location"] for b in bodies] == ["", "Kursk"]
    # Each delivery accepted exactly once: the receiver saw each delivery id once with a 200.
    accepted_ids = [r["headers"]["X-Timeline-Delivery"] for r in accepted]
    assert len(set(accepted_ids)) == 2
    deliveries = list(WebhookDelivery.objects.order_by("pk").values_list("status", "attempts", "last_response_code"))
    assert deliveries == [("delivered", 3, 200), ("delivered", 1, 200)]
    # Exponential backoff: 1 s after the first failure, 2 s after the second.
    times = [r["at"] for r in receiver.requests]
    assert times[1] - times[0] >= 1
    assert times[2] - times[1] >= 2
    # The later change waited for the earlier one to be accepted.
    assert times[3] >= times[2]


def deliveries_of(event):
    return list(WebhookDelivery.objects.filter(event_uid=event.uid).order_by("pk").values_list("kind", "event_version"))


@pytest.fixture
def hooked(owner_with_timeline):
    owner, timeline = owner_with_timeline
    hook = Webhook.objects.create(
        timeline=timeline, url="https://93.184.215.14/hooks", secret=webhook_secret_new(), created_by=owner
    )
    return hook


@pytest.mark.django_db
def test_webhook_kinds_follow_publication_and_drafts_are_not_announced(hooked, django_capture_on_commit_callbacks):
    editor = EditorFactory()

    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=hooked.timeline, published=False, title="Draft")
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, values={"title": "Still a draft"}, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.events_set_published(events=[event], published=True, user=editor)
    event.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, values={"title": "Published and changed"}, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.events_set_published(events=[event], published=False, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.events_set_published(events=[event], published=True, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        event.refresh_from_db()
        event.delete()

    assert deliveries_of(event) == [
        ("published", 3),
        ("changed", 4),
        ("withdrawn", 5),
        ("published", 6),
        ("deleted", 6),
    ]
    withdrawn = json.loads(WebhookDelivery.objects.get(kind="withdrawn").body)
    assert "event" not in withdrawn
    assert withdrawn["timeline"] == "cooperation"


@pytest.mark.django_db
def test_webhook_is_told_of_a_cited_source_that_changed(hooked, django_capture_on_commit_callbacks):
    from tests.factories import CitationFactory, SourceFactory

    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=hooked.timeline, published=True)
        source = SourceFactory(title="Budanov interview")
        CitationFactory(event=event, source=source)
    WebhookDelivery.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        source.title = "Budanov interview (corrected)"
        source.save()

    (delivery,) = WebhookDelivery.objects.filter(event_uid=event.uid)
    body = json.loads(delivery.body)
    assert (delivery.kind, [c["source"]["title"] for c in body["event"]["citations"]]) == (
        "changed",
        ["Budanov interview (corrected)"],
    )


@pytest.mark.django_db
def test_webhook_of_an_owner_who_lost_the_role_is_sent_nothing(hooked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=hooked.timeline, published=True)
    TimelineRole.objects.filter(user=hooked.created_by).delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, values={"title": "Changed after the owner left"})

    # Announced while the owner held the role; not after.
    assert deliveries_of(event) == [("published", 1)]


@pytest.mark.django_db
def test_webhook_of_an_inactive_hook_is_sent_nothing(hooked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=hooked.timeline, published=True)
    hooked.active = False
    hooked.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, values={"title": "Changed while the hook is off"})

    assert deliveries_of(event) == [("published", 1)]


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hooks",
        "https://192.168.1.10/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/hooks",
        "https://[::ffff:10.0.0.5]/hooks",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://127.0.0.1/hooks",
        "http://93.184.215.14/hooks",
        "https://user:pass@93.184.215.14/hooks",
        "ftp://93.184.215.14/hooks",
    ],
)
def test_webhook_url_check_refuses_private_plain_and_odd_addresses(settings, url):
    settings.TIMELINE_WEBHOOK_ALLOW_LOOPBACK = False

    with pytest.raises(WebhookUrlRefused):
        webhook_url_check(url)


def test_webhook_url_check_allows_loopback_only_when_the_setting_says_so(settings):
    settings.TIMELINE_WEBHOOK_ALLOW_LOOPBACK = True

    allowed = webhook_url_check("http://127.0.0.1:8120/hooks")
    public = webhook_url_check("https://93.184.215.14/hooks")

    assert (allowed, public) == (["127.0.0.1"], ["93.184.215.14"])


@pytest.mark.django_db
def test_api_webhook_create_shows_the_secret_once_to_the_owner(owner_with_timeline):
    owner, timeline = owner_with_timeline
    api = client_for(owner)

    made = api.post(
        reverse("api:webhook-list"), {"timeline": "cooperation", "url": "https://93.184.215.14/h"}, format="json"
    )
    listed = api.get(reverse("api:webhook-list"))
    read = api.get(reverse("api:webhook-detail", args=[made.json()["id"]]))

    hook = Webhook.objects.get()
    assert made.status_code == 201
    assert made["Cache-Control"] == "no-store"
    assert made.json()["secret"] == hook.secret
    assert len(hook.secret) == 64
    assert (hook.created_by, hook.timeline) == (owner, timeline)
    assert "secret" not in listed.json()[0]
    assert listed.json()[0]["secret_hint"] == hook.secret[:6] + "…"
    assert read.json()["url"] == "https://93.184.215.14/h"


@pytest.mark.django_db
def test_api_webhook_of_a_timeline_one_does_not_own_is_like_a_missing_one(owner_with_timeline):
    owner, timeline = owner_with_timeline
    hook = Webhook.objects.create(timeline=timeline, url="https://93.184.215.14/h", secret="s" * 64, created_by=owner)
    editor = EditorFactory()  # edits every timeline, owns none
    api = client_for(editor)

    made = api.post(
        reverse("api:webhook-list"), {"timeline": "cooperation", "url": "https://93.184.215.14/x"}, format="json"
    )
    missing = api.post(
        reverse("api:webhook-list"), {"timeline": "nowhere", "url": "https://93.184.215.14/x"}, format="json"
    )
    read = api.get(reverse("api:webhook-detail", args=[hook.pk]))
    log = api.get(reverse("api:webhook-deliveries", args=[hook.pk]))
    deleted = api.delete(reverse("api:webhook-detail", args=[hook.pk]))
    anonymous = client_for(None).get(reverse("api:webhook-list"))

    assert made.status_code == missing.status_code == 400
    assert made.json()["timeline"] == ["Unknown timeline “cooperation”."]
    assert missing.json()["timeline"] == ["Unknown timeline “nowhere”."]
    assert (read.status_code, log.status_code, deleted.status_code) == (404, 404, 404)
    assert anonymous.status_code == 401
    assert Webhook.objects.count() == 1


@pytest.mark.django_db
def test_api_webhook_to_a_private_address_is_a_field_error(owner_with_timeline, settings):
    owner, _ = owner_with_timeline
    settings.TIMELINE_WEBHOOK_ALLOW_LOOPBACK = False

    response = client_for(owner).post(
        reverse("api:webhook-list"), {"timeline": "cooperation", "url": "https://169.254.169.254/"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["url"] == [
        "Webhooks are not sent to private networks: 169.254.169.254 resolves to "
        "169.254.169.254 is a private, link-local or reserved address."
    ]
    assert Webhook.objects.count() == 0


@pytest.mark.django_db
def test_api_webhook_deliveries_lists_the_log_newest_first(hooked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=hooked.timeline, published=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, values={"title": "One"})
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, values={"title": "Two"})

    log = client_for(hooked.created_by).get(reverse("api:webhook-deliveries", args=[hooked.pk]))

    assert [(row["kind"], row["event_version"], row["status"]) for row in log.json()] == [
        ("changed", 3, "pending"),
        ("changed", 2, "pending"),
        ("published", 1, "pending"),
    ]


@pytest.mark.django_db
def test_webhook_body_leaves_out_claims_its_owner_may_not_see(hooked, django_capture_on_commit_callbacks):
    from tests.factories import ActorFactory
    from timeline.models import Claim

    hidden = ActorFactory(name="Named only on a private timeline")
    seen = ActorFactory(name="GUR")
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=hooked.timeline, published=True, claimant=seen)
        Claim.objects.create(event=event, claimant=seen, stance="asserts")
        Claim.objects.create(event=event, claimant=hidden, stance="denies")
        services.event_bump_version(event=event)

    (delivery,) = WebhookDelivery.objects.filter(event_uid=event.uid)
    body = json.loads(delivery.body)
    assert [claim["claimant"]["name"] for claim in body["event"]["claims"]] == ["GUR"]


@pytest.mark.django_db
def test_webhook_address_is_checked_again_when_sent(owner_with_timeline, settings, django_capture_on_commit_callbacks):
    from timeline.webhooks import delivery_attempt

    owner, timeline = owner_with_timeline
    receiver = FlakyReceiver(failures=0)
    with local_server(receiver) as base:
        Webhook.objects.create(timeline=timeline, url=f"{base}/hooks", secret=webhook_secret_new(), created_by=owner)
        with django_capture_on_commit_callbacks(execute=True):
            EventFactory(timeline=timeline, published=True)
        delivery = WebhookDelivery.objects.get()
        # Loopback was allowed when the hook was saved and no longer is (a name that now points home).
        settings.TIMELINE_WEBHOOK_ALLOW_LOOPBACK = False

        outcome = delivery_attempt(delivery_id=delivery.pk, token=delivery.task_token)

    delivery.refresh_from_db()
    assert outcome == "retrying"
    assert receiver.requests == []
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == ("pending", 1, None)
    assert delivery.last_error == (
        "Webhooks are not sent to private networks: 127.0.0.1 resolves to 127.0.0.1 is a loopback address."
    )


@pytest.mark.django_db
def test_webhooks_resume_queues_overdue_deliveries_again(hooked, django_capture_on_commit_callbacks):
    import datetime as dt
    import io

    from django.core.management import call_command
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(timeline=hooked.timeline, published=True)
        EventFactory(timeline=hooked.timeline, published=True)
    lost, on_time = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=30))
    old_token, on_time_token = lost.task_token, on_time.task_token
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhooks_resume", stdout=out)

    lost.refresh_from_db()
    on_time.refresh_from_db()
    assert out.getvalue().strip() == "1 overdue webhook delivery(ies) queued again."
    assert lost.task_token != old_token
    assert on_time.task_token == on_time_token


@pytest.mark.django_db
def test_webhook_event_moved_to_another_timeline_is_withdrawn_there_and_published_here(
    hooked, django_capture_on_commit_callbacks
):
    owner = hooked.created_by
    other = TimelineFactory(slug="elsewhere")
    TimelineRole.objects.create(timeline=other, user=owner, role=Role.OWNER)
    there = Webhook.objects.create(
        timeline=other, url="https://93.184.215.14/other", secret=webhook_secret_new(), created_by=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(timeline=hooked.timeline, published=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, values={"timeline": other})

    rows = WebhookDelivery.objects.order_by("pk").values_list("webhook_id", "kind", "event_version")
    assert list(rows) == [(hooked.pk, "published", 1), (hooked.pk, "withdrawn", 2), (there.pk, "published", 2)]
