"""Unit tests are provably offline: any socket use fails the test."""

import pytest
from pytest_socket import disable_socket, enable_socket


@pytest.fixture(autouse=True)
def _offline() -> object:
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()
