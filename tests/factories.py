"""factory_boy factories for every model. Tests build data with these, never by hand."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, TechnicianProfile, Tier, User
from assets.models import Department, Device, DeviceAssignment, DeviceStatus, DeviceType, Employee, Location
from knowledge.services import article_vector
from tickets.models import Category

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.REQUESTER
    password = factory.django.Password(PASSWORD)


class TechnicianFactory(UserFactory):
    role = Role.TECHNICIAN
    profile = factory.RelatedFactory("tests.factories.TechnicianProfileFactory", factory_related_name="user")


class TechnicianProfileFactory(DjangoModelFactory):
    class Meta:
        model = TechnicianProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.TECHNICIAN)
    tier = Tier.ONE
    capacity = 10
    is_available = True

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    parent = None


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    site = "HQ"
    building = factory.Sequence(lambda n: f"B{n}")
    floor = "2"
    room = factory.Sequence(lambda n: f"{200 + n}")


class EmployeeFactory(DjangoModelFactory):
    class Meta:
        model = Employee

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@example.org".lower())
    employee_number = factory.Sequence(lambda n: f"E{10000 + n}")
    job_title = "Analyst"
    department = factory.SubFactory(DepartmentFactory)
    location = factory.SubFactory(LocationFactory)


class DeviceFactory(DjangoModelFactory):
    class Meta:
        model = Device

    asset_tag = factory.Sequence(lambda n: f"AT-{100000 + n}")
    serial_number = factory.Sequence(lambda n: f"SN{900000 + n}")
    device_type = DeviceType.LAPTOP
    manufacturer = "Lenovo"
    model = "ThinkPad T14"
    operating_system = "Windows 11"
    status = DeviceStatus.IN_STOCK


class TicketFactory(DjangoModelFactory):
    """A ticket written straight to the table, for setting up a state. Changes in tests go through services."""

    class Meta:
        model = "tickets.Ticket"

    subject = factory.Sequence(lambda n: f"Problem {n}")
    description = "It does not work."
    requester = factory.SubFactory(EmployeeFactory)
    channel = "web"
    impact = 3
    urgency = 2
    priority = 4
    status = "new"
    tier = 1


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = "tickets.Comment"

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")
    is_internal = False


class DeviceAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = DeviceAssignment

    device = factory.SubFactory(DeviceFactory)
    employee = factory.SubFactory(EmployeeFactory)
    started_at = factory.LazyFunction(timezone.now)
    ended_at = None


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = "tickets.Project"

    name = factory.Sequence(lambda n: f"Project {n}")
    project_manager = factory.SubFactory(EmployeeFactory)
    status = "active"


class EventFactory(DjangoModelFactory):
    """An audit row written straight to the table, for setting up history (the dashboard's watch columns)."""

    class Meta:
        model = "tickets.Event"

    ticket = factory.SubFactory(TicketFactory)
    kind = "triaged"
    action = "triage"
    created_at = factory.LazyFunction(timezone.now)


class ArticleFamilyFactory(DjangoModelFactory):
    class Meta:
        model = "knowledge.ArticleFamily"


class ArticleFactory(DjangoModelFactory):
    """An article written straight to the table, for setting up a state. Changes in tests go through services."""

    class Meta:
        model = "knowledge.Article"
        skip_postgeneration_save = True

    family = factory.SubFactory(ArticleFamilyFactory)
    title = factory.Sequence(lambda n: f"How to fix problem {n}")
    body = "Restart the computer.\n\n1. Save your work.\n2. Restart."
    keywords = "restart"
    language = "en"
    audience = "requesters"
    status = "published"
    owner = factory.SubFactory(UserFactory, role=Role.TECHNICIAN)

    @factory.post_generation
    def search(obj, create, extracted, **kwargs):  # factory_boy passes the object first
        """Its search vector, as knowledge.services writes it (PostgreSQL only)."""
        vector = article_vector(title=obj.title, keywords=obj.keywords, body=obj.body, language=obj.language)
        if create and vector is not None:
            type(obj).objects.filter(pk=obj.pk).update(search=vector)
