"""Nightly and periodic sync of the salon's CRM into PostgreSQL: planned runs, batches over SQS."""
