"""Documents people already use: DOCX from templates the organisation can replace (docxtpl)."""
