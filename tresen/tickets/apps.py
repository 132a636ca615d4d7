from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tresen.tickets"
    label = "tickets"
