"""factory_boy factories: plain, published, public data unless a test says otherwise."""

import importlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from timeline.models import Actor, ActorKind, Citation, Event, Reliability, Source, Tag, Timeline, Visibility


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


def editors_group() -> Group:
    """The "Editors" group that migration 0002 creates, made again when missing.

    A transactional test ends with a flush that empties it (the permissions come
    back, the group does not); tests must not depend on which test ran before.
    """
    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        migration = importlib.import_module("timeline.migrations.0002_editors_group")
        codenames = [
            f"{action}_{model}" for model in migration.EDITABLE_MODELS for action in ("add", "change", "delete", "view")
        ]
        codenames += ["view_eventtombstone"]
        codenames += importlib.import_module("timeline.migrations.0010_claims_migrate").CLAIM_PERMISSIONS
        group.permissions.add(*Permission.objects.filter(content_type__app_label="timeline", codename__in=codenames))
    return group


class EditorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def editors_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(editors_group())


class TimelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Timeline
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"timeline-{n}")
    title = factory.Sequence(lambda n: f"Timeline {n}")
    description = "A timeline for tests."
    visibility = Visibility.PUBLIC
    marking = "UNCLASSIFIED — FOR TESTS"


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = ActorKind.ORGANISATION


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "The Example Times"
    url = factory.Sequence(lambda n: f"https://news.example.org/report-{n}")
    published = "2025-06"
    language = "en"
    reliability = Reliability.B


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    timeline = factory.SubFactory(TimelineFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "What happened, as the sources tell it."
    date = "2025-04"
    status = "reported"
    credibility = 3
    published = True

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def actors(self, create, extracted, **kwargs):
        if create and extracted:
            self.actors.add(*extracted)


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    event = factory.SubFactory(EventFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "The words that support the event."
    locator = "para. 1"
