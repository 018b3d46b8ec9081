"""Loaded by pytest before anything imports the settings (`-p devstack.pytest_plugin` in
pyproject.toml): a bare `pytest` gets the embedded servers, as `make test` does."""

from __future__ import annotations

from devstack.entry import embedded_services_for_development

embedded_services_for_development()
