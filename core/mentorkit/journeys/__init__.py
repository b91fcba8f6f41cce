"""Journeys: the milestones and tasks a relationship goes through, from versioned templates."""
