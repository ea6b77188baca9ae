"""A local YClients: ``FakeYClients`` (the HTTP server) over a ``SalonState`` built by ``generate`` or
``state_from_scenario``."""

from ai_admin.local.fake_yclients.generator import generate
from ai_admin.local.fake_yclients.scenario import ScenarioError, state_from_scenario
from ai_admin.local.fake_yclients.server import FakeYClients, Faults, Limits, LoggedRequest
from ai_admin.local.fake_yclients.state import SalonState

__all__ = [
    "FakeYClients",
    "Faults",
    "Limits",
    "LoggedRequest",
    "SalonState",
    "ScenarioError",
    "generate",
    "state_from_scenario",
]
