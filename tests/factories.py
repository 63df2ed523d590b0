"""factory_boy factories for every domain model."""

from __future__ import annotations

from decimal import Decimal

import factory

from rhythm.customers.models import Account, Contact, Objective, Opportunity, Segment, SuccessPlan
from rhythm.people import services as people_services
from rhythm.people.models import User

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    region = "AMER"
    time_zone = "America/New_York"
    holiday_country = "US"
    weekly_capacity_hours = Decimal("40")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            people_services.set_roles(self, extracted)


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Segment {n}")
    arr_floor = Decimal("0")
    arr_ceiling = Decimal("250000")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n:04d}")
    crm_id = factory.Sequence(lambda n: f"CRM-{n:05d}")
    segment = factory.SubFactory(SegmentFactory, name="Mid-Touch")
    region = "AMER"
    arr = Decimal("120000")
    lam = Decimal("400000")
    licenses_purchased = 400
    licenses_used = 300
    industry = "Software"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    title = "Engineering Manager"


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(AccountFactory)
    crm_id = factory.Sequence(lambda n: f"OPP-{n:05d}")
    name = factory.Sequence(lambda n: f"Expansion {n}")
    amount = Decimal("50000")


class SuccessPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessPlan

    account = factory.SubFactory(AccountFactory)
    name = "FY success plan"


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    success_plan = factory.SubFactory(SuccessPlanFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    progress = 40
