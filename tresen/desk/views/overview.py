"""The overview: queues with live counts, filters, saved views and the ticket list."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tresen.accounts.models import Access, Group, GroupMembership, User
from tresen.core.http import AuthenticatedHttpRequest
from tresen.desk.models import SavedView
from tresen.desk.ticket_list import (
    DEFAULT_SORT,
    QUEUE_KEYS,
    QUEUES,
    Filters,
    list_tickets_for_agent,
    my_group_ids,
    parse_sort,
    queue_counts,
)
from tresen.desk.views.common import agent_view
from tresen.tickets.models import Category, Channel, CustomField, Priority, TicketType
from tresen.tickets.states import State

COLUMN_LABELS = [
    ("number", gettext_lazy("Number")),
    ("title", gettext_lazy("Title")),
    ("requester", gettext_lazy("Requester")),
    ("group", gettext_lazy("Group")),
    ("owner", gettext_lazy("Owner")),
    ("state", gettext_lazy("State")),
    ("priority", gettext_lazy("Priority")),
    ("created", gettext_lazy("Created")),
    ("updated", gettext_lazy("Updated")),
]

# Query parameters that page through a list rather than choose what it shows.
PAGING = ("after", "before", "view")


def _filter_query(query: QueryDict) -> QueryDict:
    kept = query.copy()
    for name in PAGING:
        kept.pop(name, None)
    return kept


@agent_view
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    groups = my_group_ids(user)
    filters = Filters.from_query(request.GET)
    queue = request.GET.get("queue") or ("all" if not filters.is_empty() else "mine")
    if queue not in QUEUE_KEYS:
        queue = "mine"
    sort = request.GET.get("sort") or DEFAULT_SORT
    choices = _filter_choices(user, groups)
    page = list_tickets_for_agent(
        user,
        groups=groups,
        queue=queue,
        filters=filters,
        sort=sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        known_groups=choices.pop("every_group"),  # type: ignore[arg-type]
    )
    base = _filter_query(request.GET)
    sort_name, descending = parse_sort(sort)
    context = {
        "queue": QUEUE_KEYS[queue],
        "queues": QUEUES,
        "page": page,
        "filters": filters,
        "base_query": base.urlencode(),
        "sort_name": sort_name,
        "descending": descending,
        "headers": _headers(base, sort_name, descending),
        # One translated label for every row's checkbox, not one translation per row.
        "select_label": _("Select"),
        "saved_views": list(SavedView.objects.filter(owner=user)),
        "current_view": request.GET.get("view", ""),
        **choices,
    }
    return render(request, "desk/home.html", context)


def _headers(base: QueryDict, current: str, descending: bool) -> list[tuple[str, str, str]]:
    """(column, label, query string that sorts by it) for each column header."""
    headers = []
    for column, label in COLUMN_LABELS:
        if column in ("created", "updated"):
            # Times read best newest first, so the first click sorts them descending.
            value = f"-{column}" if current != column or not descending else column
        else:
            value = column if current != column or descending else f"-{column}"
        headers.append((column, str(label), _with(base, "sort", value)))
    return headers


def _with(base: QueryDict, key: str, value: str) -> str:
    query = base.copy()
    query[key] = value
    return query.urlencode()


def _filter_choices(user: User, groups_ids: list[int] | None) -> dict[str, object]:
    # Inactive groups too: the list's rows name them (handed to `list_tickets_for_agent`).
    every_group = list(Group.objects.order_by("name"))
    all_groups = [g for g in every_group if g.is_active]
    group_list = [g for g in all_groups if groups_ids is None or g.pk in groups_ids]
    agents = (
        User.objects.filter(
            pk__in=GroupMembership.objects.filter(group__in=group_list, access=Access.FULL).values(
                "user_id"
            ),
            is_active=True,
        )
        .order_by("name")
        .only("pk", "name", "email")
    )
    fields = CustomField.objects.filter(
        Q(group__isnull=True) | Q(group__in=group_list), is_active=True
    )
    language = get_language() or "en"
    return {
        "groups": group_list,
        "agents": list(agents[:200]),
        "categories": list(
            Category.objects.filter(group__in=group_list, is_active=True).select_related("group")
        ),
        "custom_fields": [(f, f.label(language)) for f in fields],
        "all_groups": all_groups,
        "every_group": every_group,
        "states": State.choices,
        "priorities": Priority.choices,
        "types": TicketType.choices,
        "channels": Channel.choices,
    }


@agent_view
def counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The queue counts, polled by the page so they stay live."""
    return render(
        request,
        "desk/_queue_counts.html",
        {"counts": queue_counts(request.user), "queues": QUEUES},
    )


@require_POST
@agent_view
def save_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    name = " ".join(request.POST.get("name", "").split())[:100]
    query = _filter_query(QueryDict(request.POST.get("query", ""))).urlencode()[:2000]
    if not name:
        messages.error(request, _("Give the view a name."))
        return redirect(f"{reverse('desk:home')}?{query}")
    try:
        view = SavedView.objects.create(owner=request.user, name=name, query=query)
    except IntegrityError:
        view = SavedView.objects.get(owner=request.user, name=name)
        view.query = query
        view.save(update_fields=["query"])
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": name})
    return redirect(f"{reverse('desk:home')}?{query}&view={view.pk}")


@require_POST
@agent_view
def delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    SavedView.objects.filter(owner=request.user, pk=pk).delete()
    return redirect("desk:home")
