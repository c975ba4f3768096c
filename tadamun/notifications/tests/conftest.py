import pytest
from django.utils import translation

from tadamun.notifications.tests.factories import Closed


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


@pytest.fixture
def closed(db):
    return Closed()
