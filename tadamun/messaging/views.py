"""Thin views: authenticate, authorise through messaging.selectors, validate a form, call one
service, then render or redirect (POST → redirect → GET).

A conversation `request.user` does not take part in (never did, or left it) answers 404
everywhere — its page, its messages, replying, leaving, muting — so that nothing reveals
that it exists.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tadamun.core.markdown import plain_text, render_markdown
from tadamun.core.permissions import member_required
from tadamun.core.view_helpers import add_service_errors
from tadamun.messaging import selectors, services
from tadamun.messaging.forms import MessageForm, MuteForm, NewConversationForm, PageForm
from tadamun.messaging.models import Conversation, Message
from tadamun.organisations.selectors import people_visible_to

PER_PAGE = 20
MESSAGES_PER_PAGE = 30
SNIPPET_CHARS = 140


def _conversation(request, pk: int) -> Conversation:
    """The conversation, if `request.user` takes part in it; else 404."""
    return get_object_or_404(selectors.conversations_visible_to(request.user), pk=pk)


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


# ------------------------------------------------------------------------------------ inbox


@member_required
def inbox(request):
    form = PageForm(request.GET)
    number = (form.cleaned_data.get("page") if form.is_valid() else None) or 1
    page = Paginator(selectors.inbox_of(request.user), PER_PAGE).get_page(number)
    for conversation in page:
        conversation.others = [
            participant.user
            for participant in conversation.active_participants
            if participant.user_id != request.user.pk
        ]
        conversation.snippet = plain_text(conversation.last_body or "", limit=SNIPPET_CHARS)
        conversation.last_is_mine = conversation.last_author_id == request.user.pk
    return render(request, "messaging/inbox.html", {"page": page})


# ------------------------------------------------------------------------- a new conversation


def _prefilled_recipient(request) -> str:
    """`?to=<person id>` (as on the person's page) gives their display name — only for
    someone the writer may see; anything else is ignored."""
    to = request.GET.get("to", "")
    if not to.isdigit() or len(to) > 12:
        return ""
    person = people_visible_to(request.user).exclude(pk=request.user.pk).filter(pk=int(to)).first()
    return person.display_name if person else ""


@require_http_methods(["GET", "POST"])
@member_required
def new(request):
    if request.method == "POST":
        form = NewConversationForm(request.POST, sender=request.user)
        if form.is_valid():
            try:
                _started, message = services.conversation_start(
                    sender=request.user,
                    recipients=form.cleaned_data["recipients"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your message was sent."))
                return redirect(message.get_absolute_url())
    else:
        form = NewConversationForm(
            sender=request.user, initial={"recipients": _prefilled_recipient(request)}
        )
    return render(
        request,
        "messaging/new.html",
        {"form": form, "max_others": services.MAX_PARTICIPANTS - 1},
        status=400 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- conversation


def _page_of(request, messages_seen: QuerySet[Message]) -> Page:
    """`?page=n`; or `?message=<id>`: the page holding that message; else the latest page."""
    paginator = Paginator(messages_seen, MESSAGES_PER_PAGE)
    form = PageForm(request.GET)
    number = None
    if form.is_valid():
        number = form.cleaned_data.get("page")
        wanted = form.cleaned_data.get("message")
        if number is None and wanted:
            found = messages_seen.filter(pk=wanted).first()
            if found is not None:
                earlier = messages_seen.filter(
                    Q(created__lt=found.created) | Q(created=found.created, pk__lt=found.pk)
                ).count()
                number = earlier // MESSAGES_PER_PAGE + 1
    return paginator.get_page(number or paginator.num_pages)


def _thread_context(request, conversation: Conversation, *, form, page: Page | None = None):
    participation = selectors.participation_of(request.user, conversation)
    seen = selectors.conversation_messages(request.user, conversation)
    page = page or _page_of(request, seen)
    last_read = participation.last_read_at if participation else None
    for message in page:
        message.html = render_markdown(message.body)
        message.is_new = (
            message.author_id != request.user.pk
            and not message.is_hidden
            and (last_read is None or message.created > last_read)
        )
    participants = list(selectors.participants_of(conversation))
    others_active = [p for p in participants if p.active and p.user_id != request.user.pk]
    return {
        "conversation": conversation,
        "participation": participation,
        "participants": participants,
        "named": [p.user for p in participants if p.user_id != request.user.pk],
        "linkable": selectors.people_shown_to(request.user, [p.user_id for p in participants]),
        "page": page,
        "form": form,
        "may_reply": bool(others_active),
        "mute_form": MuteForm(),
    }


@require_http_methods(["GET", "POST"])
@member_required
def conversation(request, pk: int):
    conversation = _conversation(request, pk)
    template = "messaging/conversation.html"
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                message = services.message_send(
                    conversation=conversation, author=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if not _is_htmx(request):
                    return redirect(message.get_absolute_url())
                # htmx swaps the latest page of messages and an empty form in place.
                context = _thread_context(request, conversation, form=MessageForm())
                context["just_sent"] = True
                response = render(request, f"{template}#thread", context)
                patch_vary_headers(response, ["HX-Request"])
                return response
        status = 400
        if _is_htmx(request):
            # htmx swaps no 4xx answer: the partial carries the error message itself.
            template, status = f"{template}#thread", 200
    else:
        form = MessageForm()
    context = _thread_context(request, conversation, form=form)
    if request.method == "GET":
        services.conversation_mark_read(conversation=conversation, user=request.user)
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
@member_required
def edit(request, pk: int, message_pk: int):
    conversation = _conversation(request, pk)
    message = get_object_or_404(
        selectors.conversation_messages(request.user, conversation),
        pk=message_pk,
        author=request.user,
    )
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.message_edit(
                    message=message, by=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your message was changed."))
                return redirect(message.get_absolute_url())
    else:
        form = MessageForm(initial={"body": message.body})
    return render(
        request,
        "messaging/edit.html",
        {"conversation": conversation, "message": message, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def leave(request, pk: int):
    conversation = _conversation(request, pk)
    services.conversation_leave(conversation=conversation, user=request.user)
    messages.success(
        request, _("You left the conversation. You will no longer see it or its messages.")
    )
    return redirect("messaging:inbox")


@require_POST
@member_required
def mute(request, pk: int):
    conversation = _conversation(request, pk)
    form = MuteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to mute the conversation."))
    else:
        muted = form.cleaned_data["muted"]
        services.conversation_mute(conversation=conversation, user=request.user, muted=muted)
        if muted:
            messages.success(request, _("Muted: you will not be notified of new messages here."))
        else:
            messages.success(request, _("You will be notified of new messages here again."))
    return redirect("messaging:conversation", pk=pk)
