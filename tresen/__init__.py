"""Tresen: an open-source helpdesk and service desk."""

__version__ = "0.1.0"
