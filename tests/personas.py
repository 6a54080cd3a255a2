import pytest

from tests import factories


@pytest.fixture
def station(db):
    return factories.make_station("S100", "市民中心")


@pytest.fixture
def other_station(db):
    return factories.make_station("S200", "高新区")


@pytest.fixture
def alice_citizen(db):
    return factories.make_citizen("王小丽")


@pytest.fixture
def eve_citizen(db):
    return factories.make_citizen("赵大伟")


@pytest.fixture
def bob_clerk(station):
    return factories.make_clerk(station, "bob")


@pytest.fixture
def dave_clerk(other_station):
    return factories.make_clerk(other_station, "dave")


@pytest.fixture
def carol_employer(station):
    return factories.make_agent(factories.make_employer(station))


@pytest.fixture
def admin_user(db):
    return factories.make_admin()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
