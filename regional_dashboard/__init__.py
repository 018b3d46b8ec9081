"""The regional layer (public schema): registry pages now, anonymous rollups and dashboards next."""
