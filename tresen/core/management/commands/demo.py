"""`tresen demo`: a demo helpdesk on first start, its logins on every start.

`tresen demo --tickets N` adds N generated tickets in bulk for load tests.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tresen.search.index import rebuild_index
from tresen.tickets.demo import people
from tresen.tickets.demo.bulk import generate_tickets
from tresen.tickets.demo.conversations import create_conversations
from tresen.tickets.events import publication_suspended


class Command(BaseCommand):
    help = "Create demo data once (and print the demo logins); --tickets N adds N in bulk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tickets",
            type=int,
            default=0,
            help="Add this many generated tickets in bulk (for load tests), e.g. 1000000.",
        )
        parser.add_argument(
            "--conversations",
            type=int,
            default=200,
            help="How many tickets with conversations the first start creates.",
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--workers", type=int, default=None, help="Processes for --tickets (default: cores)."
        )
        parser.add_argument(
            "--no-search-index",
            dest="search_index",
            action="store_false",
            help="Do not rebuild the search index after --tickets.",
        )

    def handle(self, *args: Any, tickets: int, conversations: int, **options: Any) -> None:
        if people.demo_exists():
            self.stdout.write("Demo data exists already; nothing created.")
        else:
            self.stdout.write(f"Creating the demo: people, groups and {conversations} tickets ...")
            # The demo is history: it mails nobody and triggers nothing when the worker starts.
            with transaction.atomic(), publication_suspended():
                demo = people.create_people()
                create_conversations(demo, count=conversations)
            rebuild_index()
            self.stdout.write("Demo created.")
        if tickets > 0:
            self.stdout.write(f"Generating {tickets} tickets in bulk:")
            result = generate_tickets(
                tickets,
                batch_size=options["batch_size"],
                workers=options["workers"],
                search_index=options["search_index"],
                out=self.stdout.write,
            )
            self.stdout.write(
                f"Added {result.tickets} tickets, {result.articles} articles, "
                f"{result.events} events, {result.customers} customers "
                f"in {sum(result.phases.values()):.1f} s."
            )
        self._print_logins()

    def _print_logins(self) -> None:
        lines = people.login_lines()
        if not lines:
            return
        width = max(len(email) for _, email, _ in lines)
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING("Demo logins (demo credentials, for trying Tresen only):")
        )
        for what, email, password in lines:
            self.stdout.write(f"  {email:<{width}}  {password}   {what}")
        self.stdout.write("")
