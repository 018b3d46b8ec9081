"""Settings per environment: base, local, test, production."""
