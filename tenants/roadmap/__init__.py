"""The дорожная карта of an organisation: items, deadlines, progress, templates, import."""
