"""Who sees and changes what, cell by cell.

Rows are the kinds of people; columns are what they reach for. "ok" means allowed, 404 that
the object answers exactly like one that does not exist, 403 that it is visible but the action
is not allowed. Every cell is one test case.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.foundation.conftest import Helpdesk, Scene
from tresen.core.errors import NotFound, PermissionDenied
from tresen.tickets.access import access_article, access_attachment, access_ticket, visible_tickets
from tresen.tickets.models import ArticleKind, Priority, Ticket
from tresen.tickets.services import post_article, set_priority

COLUMNS = [
    "list",
    "ticket",
    "public_article",
    "internal_article",
    "public_attachment",
    "internal_attachment",
    "change",
    "reply",
    "internal_note",
]
Y, N, F = "ok", 404, 403
EXPECTED: dict[str, list[object]] = {
    "admin": [Y, Y, Y, Y, Y, Y, Y, Y, Y],
    "agent_full": [Y, Y, Y, Y, Y, Y, Y, Y, Y],
    "agent_read": [Y, Y, Y, Y, Y, Y, F, F, F],
    "agent_other": [N, N, N, N, N, N, N, N, N],
    "requester": [Y, Y, Y, N, Y, N, F, Y, F],
    "colleague_shared": [Y, Y, Y, N, Y, N, F, Y, F],
    "colleague_unshared": [N, N, N, N, N, N, N, N, N],
    "cc_participant": [Y, Y, Y, N, Y, N, F, Y, F],
    "stranger": [N, N, N, N, N, N, N, N, N],
    "inactive": [N, N, N, N, N, N, N, N, N],
    "anonymous": [N, N, N, N, N, N, N, N, N],
}
# The colleague of a non-sharing organisation is tried on their own colleague's ticket.
SCENE_OF = {"colleague_unshared": "unshared"}


def _in_list(user, scene: Scene) -> None:
    if not visible_tickets(user).filter(pk=scene.ticket.pk).exists():
        raise NotFound()


def _change(user, scene: Scene) -> None:
    set_priority(actor=user, ticket=scene.ticket, priority=Priority.URGENT)


def _reply(user, scene: Scene) -> None:
    post_article(actor=user, ticket=scene.ticket, body_text="Any news?")


def _note(user, scene: Scene) -> None:
    post_article(actor=user, ticket=scene.ticket, kind=ArticleKind.NOTE, body_text="Noted.")


ACTIONS: dict[str, Callable] = {
    "ticket": lambda u, s: access_ticket(u, number=s.ticket.number),
    "public_article": lambda u, s: access_article(u, s.public_article.pk),
    "internal_article": lambda u, s: access_article(u, s.internal_article.pk),
    "public_attachment": lambda u, s: access_attachment(u, s.public_attachment.pk),
    "internal_attachment": lambda u, s: access_attachment(u, s.internal_attachment.pk),
    "change": _change,
    "reply": _reply,
    "internal_note": _note,
}
WRITES = {"change", "reply", "internal_note"}


def _outcome(action: Callable, user, scene: Scene) -> object:
    try:
        action(user, scene)
    except NotFound:
        return N
    except PermissionDenied:
        return F
    return Y


CELLS = [
    pytest.param(person, column, expected, id=f"{person}-{column}")
    for person, row in EXPECTED.items()
    for column, expected in zip(COLUMNS, row, strict=True)
]


@pytest.mark.parametrize(("person", "column", "expected"), CELLS)
def test_access_cell(helpdesk: Helpdesk, person: str, column: str, expected: object) -> None:
    user = getattr(helpdesk, person)
    scene: Scene = getattr(helpdesk, SCENE_OF.get(person, "shared"))
    before = Ticket.objects.get(pk=scene.ticket.pk)
    articles_before = before.articles.count()

    action = _in_list if column == "list" else ACTIONS[column]
    outcome = _outcome(action, user, scene)

    assert outcome == expected
    after = Ticket.objects.get(pk=scene.ticket.pk)
    if column in WRITES and expected == Y:
        assert after.version == before.version + 1
    else:
        # Refused or read-only: nothing about the ticket changed.
        assert after.version == before.version
        assert after.priority == before.priority
        assert after.articles.count() == articles_before


def test_a_ticket_that_does_not_exist_answers_like_an_invisible_one(helpdesk: Helpdesk) -> None:
    invisible = helpdesk.shared.ticket
    for lookup in ({"number": invisible.number}, {"number": "T-NOPE"}, {"pk": 10**9}):
        with pytest.raises(NotFound) as caught:
            access_ticket(helpdesk.stranger, **lookup)
        assert str(caught.value) == "Not found."


def test_read_access_agent_is_refused_writing_with_403_not_404(helpdesk: Helpdesk) -> None:
    with pytest.raises(PermissionDenied):
        access_ticket(helpdesk.agent_read, pk=helpdesk.shared.ticket.pk, write=True)
    assert access_ticket(helpdesk.agent_full, pk=helpdesk.shared.ticket.pk, write=True)


def test_turning_the_organisation_switch_off_hides_colleagues_tickets_at_once(
    helpdesk: Helpdesk,
) -> None:
    colleague = helpdesk.colleague_shared
    assert visible_tickets(colleague).filter(pk=helpdesk.shared.ticket.pk).exists()
    organisation = colleague.organisation
    organisation.shared_tickets = False
    organisation.save()

    assert not visible_tickets(colleague).filter(pk=helpdesk.shared.ticket.pk).exists()
    with pytest.raises(NotFound):
        access_ticket(colleague, pk=helpdesk.shared.ticket.pk)
    # The requester keeps their own ticket.
    assert access_ticket(helpdesk.requester, pk=helpdesk.shared.ticket.pk)
