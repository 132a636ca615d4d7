"""Satisfaction ratings: what customers think of how their request was handled."""
