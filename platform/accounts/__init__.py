"""Global users, memberships (roles per region, municipality or organisation), login."""
