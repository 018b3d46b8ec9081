"""Banks of mentors and mentees: participants, 152-ФЗ consents, questionnaires, import/export."""
