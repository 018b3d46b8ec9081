"""The demo region: seed organisations and users for every role (`manage.py load_demo`)."""
