"""Profiles: what people tell a program about themselves, and the managed tag vocabulary."""
