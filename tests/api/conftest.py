import pytest
from rest_framework.test import APIClient

from api import services


@pytest.fixture
def api_for(db):
    """`api_for(user, read_only=False)`: an API client sending a new personal token of `user`."""

    def make(user, *, read_only: bool = False, expires_at=None):
        made = services.token_create(by=user, name="test", read_only=read_only, expires_at=expires_at)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {made.raw}")
        client.token = made.token
        return client

    return make
