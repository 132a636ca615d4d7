"""`tresen worker`: the background worker (Huey consumer with its periodic tasks)."""

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "Run the background worker: notifications, mail, periodic SLA and pending-date checks."
