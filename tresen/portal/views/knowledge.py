"""The knowledge base in the portal: reading, suggestions while typing, and counting the
requests an article solved."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from tresen.knowledge.models import Answer, Deflection
from tresen.knowledge.selectors import find_answer, published_answers, suggest_answers
from tresen.knowledge.services import record_deflection, record_view
from tresen.portal.views.asking import OPENED_ANSWERS
from tresen.portal.views.common import language_of


@require_GET
def answer_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    language = language_of(request)
    answers = suggest_answers(query, language, limit=20) if query else published_answers(language)
    return render(request, "portal/answers.html", {"answers": answers, "query": query})


@require_GET
def answer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    answer = _answer(request, slug)
    record_view(answer=answer)
    from_form = request.GET.get("from") == "form"
    if from_form:
        _remember_opened(request, answer)
    template = "portal/_answer.html" if request.htmx else "portal/answer.html"  # type: ignore[attr-defined]
    return render(request, template, {"answer": answer, "from_form": from_form})


@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """HTMX fragment: articles matching what the customer is typing as the subject."""
    text = request.GET.get("title", "")[:250]
    answers = suggest_answers(text, language_of(request))
    return render(request, "portal/_suggestions.html", {"answers": answers})


@require_POST
def solved(request: HttpRequest, slug: str) -> HttpResponse:
    """The customer pressed "This solved my problem": one request the article answered."""
    answer = _answer(request, slug)
    # Counted once, and only for an article opened from the request form in this session:
    # a bare POST cannot inflate the numbers.
    if answer.pk in request.session.get(OPENED_ANSWERS, []):
        record_deflection(answer=answer, user=request.user, how=Deflection.How.SOLVED_BUTTON)  # type: ignore[arg-type]
    _forget_opened(request)
    return render(request, "portal/solved.html", {"answer": answer})


@require_POST
def left_form(request: HttpRequest) -> HttpResponse:
    """Beacon from the request form as the customer leaves it without sending.

    Counts as solved by the article last opened from that form, if one was opened; leaving
    a form without reading anything counts for nothing.
    """
    opened = request.session.get(OPENED_ANSWERS) or []
    answer = Answer.objects.filter(pk__in=opened[-1:], is_published=True).first()
    if answer is not None:
        record_deflection(answer=answer, user=request.user, how=Deflection.How.LEFT_AFTER_READING)  # type: ignore[arg-type]
    _forget_opened(request)
    return HttpResponse(status=204)


def _answer(request: HttpRequest, slug: str) -> Answer:
    answer = find_answer(language_of(request), slug)
    if answer is None:
        raise Http404
    return answer


def _remember_opened(request: HttpRequest, answer: Answer) -> None:
    opened = [pk for pk in request.session.get(OPENED_ANSWERS, []) if pk != answer.pk]
    request.session[OPENED_ANSWERS] = [*opened, answer.pk][-10:]


def _forget_opened(request: HttpRequest) -> None:
    request.session.pop(OPENED_ANSWERS, None)
