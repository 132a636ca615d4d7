"""Demo data: a small helpdesk created through the services, and a bulk generator for load."""
