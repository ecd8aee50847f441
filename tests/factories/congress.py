"""Factories for the core app (factory_boy, Faker zh_CN)."""

import datetime

import factory
from django.contrib.auth.models import Group

from congress.models import Organization
from congress.models import Poll
from congress.models import PollOption
from congress.models import Region
from congress.models import Session
from congress.models import Term
from congress.models import User
from congress.roles import Role

factory.Faker._DEFAULT_LOCALE = "zh_CN"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"区划{n}")
    level = Region.Level.COUNTY
    code = factory.Sequence(lambda n: Region.full_code(f"4305{n % 90 + 10:02d}"))
    parent = None


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"县第{n}局")
    code = factory.Sequence(lambda n: f"ORG{n:06d}")
    kind = Organization.Kind.GOVERNMENT_DEPARTMENT
    region = factory.SubFactory(RegionFactory)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("region", "number")

    region = factory.SubFactory(RegionFactory)
    number = 18
    start_date = datetime.date(2021, 10, 1)
    end_date = datetime.date(2026, 12, 31)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    term = factory.SubFactory(TermFactory)
    kind = Session.Kind.CONGRESS
    number = factory.Sequence(lambda n: n + 1)
    start_date = datetime.date(2026, 1, 10)
    end_date = datetime.date(2026, 1, 12)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Faker("last_name")
    first_name = factory.Faker("first_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@renda.test")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Put the user in the groups of the given roles (``roles=[Role.STAFF]``)."""
        if not create or not extracted:
            return
        for role in extracted:
            self.groups.add(Group.objects.get_or_create(name=Role(role).value)[0])
        if any(
            Role(r) in {Role.STAFF, Role.LEADERSHIP, Role.SYSTEM_ADMIN}
            for r in extracted
        ):
            self.is_staff = True
            self.save(update_fields=["is_staff"])
        self.__dict__.pop("role_names", None)


class PollFactory(factory.django.DjangoModelFactory):
    """A draft poll; set options and electorate through congress.voting services."""

    class Meta:
        model = Poll

    title = factory.Sequence(lambda n: f"票决{n}")
    region = factory.SubFactory(RegionFactory)
    kind = Poll.Kind.CHOOSE
    secrecy = Poll.Secrecy.SECRET
    max_choices = 1


class PollOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PollOption

    poll = factory.SubFactory(PollFactory)
    label = factory.Sequence(lambda n: f"候选项目{n}")
    order = factory.Sequence(lambda n: n)


def voters_create(count: int, *, region: Region, prefix: str = "voter") -> list[User]:
    """Many voters at once (bulk insert, unusable passwords: no hashing cost)."""
    users = [
        User(username=f"{prefix}{i:04d}", scope_region=region, last_name="代表")
        for i in range(count)
    ]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users)
    return list(User.objects.filter(username__startswith=prefix).order_by("username"))
