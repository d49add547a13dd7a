"""Every operation of the API schema, with each role's token, against a real served instance: no 500, and
every answer (refusals included) as the schema says.

Schemathesis reads the schema the server serves and generates requests from it, valid and invalid, for
every operation; each is sent with the token of a requester, a technician, a coordinator and a manager.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode, checks

from accounts.models import Role, Tier
from api import services
from tests import factories

# Examples per operation and mode: enough to reach every refusal of each operation, few enough for CI.
EXAMPLES = 6


@pytest.fixture
def served_schema(live_server, transactional_db, settings):
    settings.API_THROTTLE_RATES = {"token": "100000/min", "user": "100000/min", "anonymous": "100000/min"}
    return schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")


@pytest.fixture
def role_tokens(transactional_db):
    """A token of each role, and a little of everything for the calls to find."""
    requester = factories.UserFactory(role=Role.REQUESTER)
    employee = factories.EmployeeFactory(user=requester, email=requester.email)
    technician = factories.TechnicianFactory(profile__tier=Tier.ONE)
    coordinator = factories.UserFactory(role=Role.COORDINATOR)
    manager = factories.UserFactory(role=Role.MANAGER)
    category = factories.CategoryFactory()
    factories.ProjectFactory()
    device = factories.DeviceFactory(assigned_to=employee)
    factories.TicketFactory(pk=1, requester=employee, category=category, device=device)
    factories.TicketFactory(pk=2, assignee=technician, status="in_progress")
    return {
        user.role: services.token_create(by=user, name="conformance", read_only=False).raw
        for user in (requester, technician, coordinator, manager)
    }


def _exercise(operation, mode: GenerationMode, tokens: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    )
    def run(case) -> None:
        for token in tokens.values():
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                # Valid by the schema's types is not valid by the desk's rules (an id that names nothing, a
                # ticket this role may not act on): refusals are checked for their form, not counted as bugs.
                excluded_checks=[checks.positive_data_acceptance],
            )

    run()


def test_every_operation_conforms_for_every_role(served_schema, role_tokens):
    failures = []
    operations = [result.ok() for result in served_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _exercise(operation, mode, role_tokens)
            except (Exception, BaseExceptionGroup) as error:  # every operation is tried; failures are listed together
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
