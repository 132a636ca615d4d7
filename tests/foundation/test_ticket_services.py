"""Every ticket service against the real database, given / when / then."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    GroupFactory,
    OrganisationFactory,
    add_member,
    make_ticket,
)
from tests.foundation.conftest import PDF
from tresen.accounts.models import Access
from tresen.core.errors import InvalidTransition, PermissionDenied, StaleObject, ValidationError
from tresen.tickets import services
from tresen.tickets.events import Actor
from tresen.tickets.models import (
    ActorKind,
    Article,
    ArticleKind,
    Attachment,
    Channel,
    CustomField,
    Event,
    FieldKind,
    LinkKind,
    Priority,
    SenderRole,
    TicketLink,
    TicketNumbering,
    TicketType,
)
from tresen.tickets.states import State


def kinds(ticket) -> list[str]:
    return list(ticket.events.order_by("id").values_list("kind", flat=True))


# Numbers ---------------------------------------------------------------------------------------


def test_ticket_numbers_follow_the_configured_prefix_and_sequence(agent, customer, group):
    TicketNumbering.objects.update_or_create(
        pk=1, defaults={"prefix": "IT-", "next_value": 42, "digits": 6}
    )
    first = make_ticket(requester=customer, group=group)
    second = make_ticket(requester=customer, group=group)
    assert (first.number, second.number) == ("IT-000042", "IT-000043")


def test_numbering_skips_numbers_already_taken(customer, group):
    TicketNumbering.objects.update_or_create(
        pk=1, defaults={"prefix": "T", "next_value": 500, "digits": 3}
    )
    make_ticket(requester=customer, group=group)  # T500
    TicketNumbering.objects.filter(pk=1).update(next_value=500)
    assert make_ticket(requester=customer, group=group).number == "T501"


def test_reserved_numbers_are_consecutive_and_never_handed_out_again(customer, group):
    reserved = services.reserve_ticket_numbers(3)
    assert len(set(reserved)) == 3
    assert make_ticket(requester=customer, group=group).number not in reserved


# Creating ----------------------------------------------------------------------------------------


def test_customer_opens_ticket_with_first_article_and_event(customer, group):
    organisation = OrganisationFactory(name="Kunde GmbH")
    customer.organisation = organisation
    customer.save()
    other = CustomerFactory()

    ticket = services.create_ticket(
        actor=customer,
        requester=customer,
        title="  Printer   jammed ",
        group=group,
        channel=Channel.WEB,
        body_html="<p>Hello <script>alert(1)</script><b>there</b></p>",
        tags=["Hardware", "printer"],
        cc=[other],
    )

    assert ticket.title == "Printer jammed"
    assert ticket.organisation == organisation
    assert ticket.state == State.NEW and ticket.version == 1
    article = ticket.articles.get()
    assert article.sender_role == SenderRole.CUSTOMER and article.author == customer
    assert "<script>" not in article.body_html and "<b>there</b>" in article.body_html
    assert article.body_text == "Hello there"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["hardware", "printer"]
    assert list(ticket.cc_participants.all()) == [other]
    assert kinds(ticket) == [
        "ticket.created",
        "ticket.tags_changed",
        "ticket.cc_added",
        "article.created",
    ]
    created = ticket.events.get(kind="ticket.created")
    assert created.actor == customer and created.actor_kind == ActorKind.PERSON


def test_customer_cannot_open_a_ticket_for_someone_else(customer, group):
    with pytest.raises(PermissionDenied):
        make_ticket(actor=customer, requester=CustomerFactory(), group=group)


def test_read_only_agent_cannot_open_tickets_in_the_group(customer, group):
    reader = AgentFactory()
    add_member(group, reader, Access.READ)
    with pytest.raises(PermissionDenied):
        make_ticket(actor=reader, requester=customer, group=group)


def test_inactive_person_cannot_open_tickets(customer, group):
    customer.is_active = False
    customer.save()
    with pytest.raises(PermissionDenied):
        make_ticket(actor=customer, requester=customer, group=group)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "   "}, "title"),
        ({"channel": "pigeon"}, "channel"),
        ({"priority": 9}, "allowed"),
        ({"type": "wish"}, "allowed"),
    ],
)
def test_create_refuses_invalid_input(customer, group, change, message):
    with pytest.raises(ValidationError, match=message):
        make_ticket(requester=customer, group=group, **change)


def test_create_refuses_a_category_of_another_group(customer, group):
    with pytest.raises(ValidationError):
        make_ticket(requester=customer, group=group, category=CategoryFactory())


def test_create_refuses_an_owner_without_full_access(customer, group):
    reader = AgentFactory()
    add_member(group, reader, Access.READ)
    with pytest.raises(ValidationError):
        make_ticket(requester=customer, group=group, owner=reader)


def test_create_in_an_inactive_group_is_refused(customer):
    closed_group = GroupFactory(name="Old Team", is_active=False)
    with pytest.raises(ValidationError):
        make_ticket(requester=customer, group=closed_group)


# Articles --------------------------------------------------------------------------------------


def test_agent_reply_opens_new_ticket_and_records_first_response(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    services.post_article(actor=agent, ticket=ticket, body_text="We are on it.")
    assert ticket.state == State.OPEN
    assert ticket.first_response_at is not None
    assert ticket.last_agent_contact_at == ticket.first_response_at
    assert ticket.version == 2
    assert kinds(ticket)[-2:] == ["article.created", "ticket.state_changed"]


def test_internal_note_changes_no_customer_timestamps(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    note = services.post_article(
        actor=agent, ticket=ticket, kind=ArticleKind.NOTE, body_text="Check the warranty."
    )
    assert note.is_internal
    assert ticket.state == State.NEW and ticket.first_response_at is None


def test_phone_note_keeps_its_kind(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    phone = services.post_article(
        actor=agent, ticket=ticket, kind=ArticleKind.PHONE, channel=Channel.PHONE, body_text="Hi"
    )
    assert phone.kind == ArticleKind.PHONE and phone.channel == Channel.PHONE


def test_customer_reply_reopens_a_waiting_ticket(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    services.change_state(
        actor=agent,
        ticket=ticket,
        state=State.PENDING_REMINDER,
        pending_until=timezone.now() + datetime.timedelta(days=2),
    )
    services.post_article(actor=customer, ticket=ticket, body_text="Any news?")
    assert ticket.state == State.OPEN and ticket.pending_until is None
    assert ticket.last_customer_contact_at is not None


def test_out_of_office_reply_does_not_reopen(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    services.change_state(actor=agent, ticket=ticket, state=State.RESOLVED)
    services.post_article(
        actor=None, ticket=ticket, body_text="I'm away", sender=customer, reopen=False
    )
    assert ticket.state == State.RESOLVED


def test_customer_cannot_write_notes_or_in_another_name(customer, group):
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(PermissionDenied):
        services.post_article(actor=customer, ticket=ticket, kind=ArticleKind.NOTE, body_text="x")
    with pytest.raises(PermissionDenied):
        services.post_article(
            actor=customer, ticket=ticket, body_text="x", sender=CustomerFactory()
        )


def test_empty_article_is_refused(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(ValidationError):
        services.post_article(actor=agent, ticket=ticket, body_text="  ", body_html="<p> </p>")
    assert ticket.articles.count() == 1


def test_article_attachments_are_stored_with_a_generated_name(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    article = services.post_article(
        actor=agent,
        ticket=ticket,
        body_text="See the offer.",
        attachments=[services.NewFile("../../etc/Offer?.pdf", PDF, "application/pdf")],
    )
    attachment = article.attachments.get()
    assert attachment.filename == "etcOffer.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.blob.file.name.endswith(attachment.blob.sha256)


# State -----------------------------------------------------------------------------------------


def test_pending_state_needs_a_date(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(ValidationError):
        services.change_state(actor=agent, ticket=ticket, state=State.PENDING_CLOSE)
    assert ticket.state == State.NEW


def test_resolving_and_closing_set_timestamps_and_reopening_clears_them(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    services.change_state(actor=agent, ticket=ticket, state=State.RESOLVED)
    assert ticket.resolved_at is not None and ticket.closed_at is None
    services.change_state(actor=agent, ticket=ticket, state=State.CLOSED)
    assert ticket.closed_at is not None and ticket.resolved_at is not None
    services.change_state(actor=agent, ticket=ticket, state=State.OPEN)
    assert ticket.closed_at is None and ticket.resolved_at is None


def test_forbidden_transition_is_refused_and_changes_nothing(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    services.change_state(actor=agent, ticket=ticket, state=State.CLOSED)
    with pytest.raises(InvalidTransition):
        services.change_state(actor=agent, ticket=ticket, state=State.RESOLVED)
    with pytest.raises(InvalidTransition):
        services.change_state(actor=agent, ticket=ticket, state=State.MERGED)
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED


def test_customer_may_resolve_but_not_close(customer, group):
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(PermissionDenied):
        services.change_state(actor=customer, ticket=ticket, state=State.CLOSED)
    services.change_state(actor=customer, ticket=ticket, state=State.RESOLVED)
    assert ticket.state == State.RESOLVED


def test_stale_version_is_refused(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    seen = ticket.version
    services.set_priority(actor=agent, ticket=ticket, priority=Priority.HIGH, expected_version=seen)
    with pytest.raises(StaleObject):
        services.set_title(actor=agent, ticket=ticket, title="Other", expected_version=seen)
    ticket.refresh_from_db()
    assert ticket.title != "Other" and ticket.version == seen + 1


# Properties ------------------------------------------------------------------------------------


def test_priority_type_title_category_each_record_an_event(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    top = CategoryFactory(group=group, name="Hardware")
    printer = CategoryFactory(group=group, name="Printer", parent=top)
    services.set_priority(actor=agent, ticket=ticket, priority=Priority.URGENT)
    services.set_type(actor=agent, ticket=ticket, type=TicketType.SERVICE_REQUEST)
    services.set_title(actor=agent, ticket=ticket, title="Toner empty")
    services.set_category(actor=agent, ticket=ticket, category=printer)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.type, ticket.title) == (4, "service_request", "Toner empty")
    assert ticket.category.path == "Hardware › Printer"
    assert kinds(ticket)[-4:] == [
        "ticket.priority_changed",
        "ticket.type_changed",
        "ticket.title_changed",
        "ticket.category_changed",
    ]
    assert ticket.events.get(kind="ticket.category_changed").data["to"] == "Hardware › Printer"


def test_category_of_another_group_is_refused(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(ValidationError):
        services.set_category(actor=agent, ticket=ticket, category=CategoryFactory())


def test_tags_are_normalised_and_changes_recorded(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group, tags=["VIP"])
    services.set_tags(actor=agent, ticket=ticket, add=["  Home  Office "], remove=["vip"])
    assert list(ticket.tags.values_list("name", flat=True)) == ["home office"]
    event = ticket.events.filter(kind="ticket.tags_changed").last()
    assert event.data == {"added": ["home office"], "removed": ["vip"]}
    with pytest.raises(ValidationError):
        services.set_tags(actor=agent, ticket=ticket, add=["a,b"])


@pytest.fixture
def fields(group):
    made = {
        "asset": CustomField.objects.create(
            group=group, key="asset", label_en="Asset", label_de="Inventar", kind=FieldKind.TEXT
        ),
        "cost": CustomField.objects.create(
            group=group, key="cost", label_en="Cost", label_de="Kosten", kind=FieldKind.NUMBER
        ),
        "due": CustomField.objects.create(
            group=group, key="due", label_en="Due", label_de="Fällig", kind=FieldKind.DATE
        ),
        "site": CustomField.objects.create(
            group=group,
            key="site",
            label_en="Site",
            label_de="Standort",
            kind=FieldKind.SELECT,
            options=["Berlin", "Hamburg"],
        ),
        "os": CustomField.objects.create(
            group=group,
            key="os",
            label_en="Systems",
            label_de="Systeme",
            kind=FieldKind.MULTISELECT,
            options=["Linux", "macOS", "Windows"],
        ),
        "vip": CustomField.objects.create(
            key="vip", label_en="VIP", label_de="VIP", kind=FieldKind.CHECKBOX
        ),
    }
    CustomField.objects.create(
        group=GroupFactory(name="HR"), key="salary", label_en="Salary", label_de="Gehalt",
        kind=FieldKind.NUMBER,
    )  # fmt: skip
    return made


def test_custom_fields_of_every_kind_are_cleaned_and_stored(agent, customer, group, fields):
    ticket = make_ticket(requester=customer, group=group, custom_fields={"asset": " NB-1 "})
    services.set_custom_fields(
        actor=agent,
        ticket=ticket,
        values={
            "cost": "12,50",
            "due": "2026-12-24",
            "site": "Berlin",
            "os": ["Windows", "Linux", "Linux"],
            "vip": "on",
        },
    )
    ticket.refresh_from_db()
    assert ticket.custom_fields == {
        "asset": "NB-1",
        "cost": 12.5,
        "due": "2026-12-24",
        "site": "Berlin",
        "os": ["Linux", "Windows"],
        "vip": True,
    }
    services.set_custom_fields(actor=agent, ticket=ticket, values={"asset": ""})
    ticket.refresh_from_db()
    assert "asset" not in ticket.custom_fields
    assert ticket.events.filter(kind="ticket.fields_changed").count() == 2


@pytest.mark.parametrize(
    "values",
    [{"cost": "a lot"}, {"due": "tomorrow"}, {"site": "Paris"}, {"os": ["BeOS"]}, {"salary": 1}],
)
def test_custom_field_values_that_do_not_fit_are_refused(agent, customer, group, fields, values):
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(ValidationError):
        services.set_custom_fields(actor=agent, ticket=ticket, values=values)
    ticket.refresh_from_db()
    assert ticket.custom_fields == {}


def test_required_custom_field_is_needed_on_create(customer, group, fields):
    CustomField.objects.filter(key="site").update(required=True)
    with pytest.raises(ValidationError, match="Site"):
        make_ticket(requester=customer, group=group)
    assert make_ticket(requester=customer, group=group, custom_fields={"site": "Hamburg"})


# People ----------------------------------------------------------------------------------------


def test_assign_needs_an_agent_with_full_access(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    services.assign(actor=agent, ticket=ticket, owner=agent)
    assert ticket.owner_id == agent.pk
    reader = AgentFactory()
    add_member(group, reader, Access.READ)
    with pytest.raises(ValidationError):
        services.assign(actor=agent, ticket=ticket, owner=reader)
    services.assign(actor=agent, ticket=ticket, owner=None)
    assert ticket.owner_id is None
    assert [e.data["to"] for e in ticket.events.filter(kind="ticket.assigned")] == [
        {"id": agent.pk, "name": agent.display_name},
        None,
    ]


def test_transfer_moves_group_drops_foreign_category_and_leaves_a_handover_note(
    agent, customer, group
):
    second = GroupFactory(name="Second Level")
    specialist = AgentFactory()
    add_member(second, specialist)
    ticket = make_ticket(
        requester=customer, group=group, owner=agent, category=CategoryFactory(group=group)
    )
    services.transfer(
        actor=agent, ticket=ticket, group=second, owner=specialist, note="Needs a technician."
    )
    ticket.refresh_from_db()
    assert (ticket.group, ticket.owner, ticket.category) == (second, specialist, None)
    note = ticket.articles.get(kind=ArticleKind.NOTE)
    assert note.body_text == "Needs a technician." and note.is_internal
    assert ticket.events.get(kind="ticket.transferred").data["to"] == "Second Level"


def test_watchers_and_cc_are_added_once_and_removed(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    copy = CustomerFactory()
    for _ in range(2):
        services.add_watcher(actor=agent, ticket=ticket, agent=agent)
        services.add_cc(actor=agent, ticket=ticket, person=copy)
    assert list(ticket.watchers.all()) == [agent]
    assert list(ticket.cc_participants.all()) == [copy]
    with pytest.raises(ValidationError):
        services.add_cc(actor=agent, ticket=ticket, person=agent)
    with pytest.raises(ValidationError):
        services.add_watcher(actor=agent, ticket=ticket, agent=AgentFactory())
    services.remove_watcher(actor=agent, ticket=ticket, agent=agent)
    services.remove_cc(actor=agent, ticket=ticket, person=copy)
    assert not ticket.watchers.exists() and not ticket.cc_participants.exists()
    assert [k for k in kinds(ticket) if "watcher" in k or "cc_" in k] == [
        "ticket.watcher_added",
        "ticket.cc_added",
        "ticket.watcher_removed",
        "ticket.cc_removed",
    ]


# Links, merge, split ---------------------------------------------------------------------------


def test_link_and_unlink_record_on_both_tickets(agent, customer, group):
    parent = make_ticket(requester=customer, group=group)
    child = make_ticket(requester=customer, group=group)
    link = services.link_tickets(actor=agent, source=parent, target=child, kind=LinkKind.PARENT)
    assert (
        services.link_tickets(actor=agent, source=parent, target=child, kind=LinkKind.PARENT)
        == link
    )
    with pytest.raises(ValidationError):
        services.link_tickets(actor=agent, source=parent, target=parent, kind=LinkKind.RELATED)
    services.unlink_tickets(actor=agent, link=link)
    assert not TicketLink.objects.exists()
    for ticket in (parent, child):
        assert [k for k in kinds(ticket) if "link" in k] == ["ticket.linked", "ticket.unlinked"]


def test_merge_moves_articles_and_refuses_later_writes(agent, customer, group):
    organisation = OrganisationFactory(name="Same GmbH")
    customer.organisation = organisation
    customer.save()
    colleague = CustomerFactory(organisation=organisation)
    target = make_ticket(requester=customer, group=group, tags=["a"])
    source = make_ticket(requester=colleague, group=group, tags=["b"])

    services.merge_tickets(actor=agent, source=source, target=target)

    source.refresh_from_db()
    assert source.state == State.MERGED and source.merged_into == target
    assert target.articles.count() == 2 and not source.articles.exists()
    assert sorted(target.tags.values_list("name", flat=True)) == ["a", "b"]
    assert list(target.cc_participants.all()) == [colleague]
    assert "ticket.merged" in kinds(source) and "ticket.merged" in kinds(target)
    with pytest.raises(ValidationError):
        services.post_article(actor=agent, ticket=source, body_text="late")
    with pytest.raises(ValidationError):
        services.merge_tickets(actor=agent, source=target, target=source)


def test_merge_across_organisations_does_not_show_the_target_to_the_other_customer(
    agent, customer, group
):
    target = make_ticket(requester=customer, group=group)
    stranger = CustomerFactory(organisation=OrganisationFactory(name="Elsewhere"))
    source = make_ticket(requester=stranger, group=group, cc=[CustomerFactory()])
    services.merge_tickets(actor=agent, source=source, target=target)
    assert not target.cc_participants.exists()


def test_merge_is_all_or_nothing(agent, customer, group):
    target = make_ticket(requester=customer, group=group)
    source = make_ticket(requester=customer, group=group)
    reader = AgentFactory()
    add_member(group, reader, Access.READ)
    with pytest.raises(PermissionDenied):
        services.merge_tickets(actor=reader, source=source, target=target)
    source.refresh_from_db()
    assert source.state == State.NEW and source.articles.count() == 1


def test_split_copies_the_article_with_attachments_into_a_linked_ticket(agent, customer, group):
    ticket = make_ticket(
        requester=customer,
        group=group,
        attachments=[services.NewFile("offer.pdf", PDF, "application/pdf")],
    )
    article = ticket.articles.get()
    new = services.split_article(actor=agent, article=article, title="Second question")
    assert new.title == "Second question" and new.requester == customer
    copy = new.articles.get()
    assert copy.body_text == article.body_text
    assert copy.meta["split_from"]["ticket"] == ticket.number
    assert Attachment.objects.get(article=copy).blob_id == article.attachments.get().blob_id
    assert TicketLink.objects.filter(source=ticket, target=new, kind=LinkKind.RELATED).exists()
    assert "ticket.split" in kinds(ticket) and kinds(new)[:2] == ["ticket.created", "ticket.split"]
    assert Article.objects.filter(pk=article.pk, ticket=ticket).exists()


# Actors ----------------------------------------------------------------------------------------


def test_system_and_automation_actors_are_recorded(customer, group):
    ticket = make_ticket(requester=customer, group=group)
    services.set_priority(actor=Actor.automation("VIP rule"), ticket=ticket, priority=4)
    services.set_priority(actor=None, ticket=ticket, priority=3)
    automation, system = ticket.events.filter(kind="ticket.priority_changed").order_by("id")
    assert (automation.actor_kind, automation.actor_label) == (ActorKind.AUTOMATION, "VIP rule")
    assert (system.actor_kind, system.actor) == (ActorKind.SYSTEM, None)
    assert Event.objects.filter(ticket=ticket, actor_kind=ActorKind.SYSTEM).exists()


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        (FieldKind.SELECT, []),
        (FieldKind.MULTISELECT, ["a", "a"]),
        (FieldKind.SELECT, "a,b"),
        (FieldKind.TEXT, [1]),
    ],
)
def test_custom_field_definitions_with_bad_options_are_refused(db, kind, options):
    from django.core.exceptions import ValidationError as ModelValidationError

    field = CustomField(key="f", label_en="F", label_de="F", kind=kind, options=options)
    with pytest.raises(ModelValidationError) as caught:
        field.full_clean()
    assert "options" in caught.value.message_dict
