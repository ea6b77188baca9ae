"""``ai-admin eval``: dialog scenarios (scenarios/FORMAT.md) played through the local product,
checked step by step, against the CRM outcome and the guards, and summed up in a scorecard."""
