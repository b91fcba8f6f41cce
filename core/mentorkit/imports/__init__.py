"""Bulk CSV import of people and enrolments, and CSV export of participants."""
