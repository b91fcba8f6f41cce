"""Mentorkit: self-hosted, plugin-based mentorship programs."""
