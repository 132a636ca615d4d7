"""Outgoing mail: the one outbox every mail leaves through, and the notifications it carries.

`outbox.queue_mail` stores a rendered mail and sends it after commit (`delivery.py`, Huey
tasks in `tasks.py`); `receivers.py` turns committed ticket events into mail to customers and
agents in their languages; `preferences.py` holds each person's choices. See docs/mail-out.md.
"""
