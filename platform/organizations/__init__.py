"""Registry of regions, municipalities and organisations; provisioning of tenants."""
