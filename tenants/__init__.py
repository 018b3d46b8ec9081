"""Everything that lives inside one organisation's schema (TENANT_APPS)."""
