"""Mentoring pairs and groups: forms and kinds, matching, приказы, programs and meetings."""
