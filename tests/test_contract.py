"""Contract tests: schemathesis generates requests for every operation of the OpenAPI
document, with valid and invalid data, and checks each answer against the document: never
a 5xx, every body and header as described, bad input refused with a 4xx, writes refused
without a key. Runs on SQLite and PostgreSQL, each on a copy of the seeded catalogue (the
generated requests write)."""

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation import GenerationMode

from app.db import get_engine
from app.main import create_app
from tests.conftest import copy_database, drop_database, seeded, use_database
from tests.factories import new_key

schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app())
# The coverage phase sends every boundary case the document defines. Its invalid ones are
# refused cheaply; its valid ones (each limit's extremes, every filter alone) each ran a
# whole search or export, over half of this file's time: the fuzzing phase sends valid
# requests, and tests/test_api_*.py check the valid extremes that matter.
schema.config.phases.coverage.generation.modes = [GenerationMode.NEGATIVE]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def contract_catalogue(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A seeded catalogue of its own and a write key of the organisation coordinating the
    Inclusive Cities network (so member writes get past authorisation)."""
    template = seeded(request, request.param)
    url = copy_database(template)
    use_database(url)
    yield url, new_key(get_engine(), "read", "write", organisation="compas")
    use_database(template, read_only=True)
    drop_database(url)


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_keeps_its_contract(
    case: schemathesis.Case, contract_catalogue: tuple[str, str]
) -> None:
    _url, token = contract_catalogue
    # Valid-looking input can still name a place that does not exist: that is a 422, not
    # a broken contract, so "positive data is accepted" is not checked.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
