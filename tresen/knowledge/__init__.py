"""A minimal knowledge base: published answers in German and English, kept in the admin.

Deliberately small: the portal suggests these articles while a customer describes a problem
and counts the requests they solved. Versions, categories, internal articles and ranking by
the search module come with the full knowledge base.
"""
