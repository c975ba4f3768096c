"""Thin views: authorise through documents.selectors, validate a form, call one service, then
render or redirect (POST → redirect → GET).

A document `viewer` may not see answers 404 everywhere (its page, its files, its forms), so that
a members-only or closed workgroup's document is not revealed; a visible document where the
action is not allowed answers 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tadamun.core.permissions import member_required
from tadamun.core.uploads import download_response
from tadamun.core.view_helpers import add_service_errors
from tadamun.documents import selectors, services
from tadamun.documents.forms import EditForm, LibraryFilterForm, UploadForm, VersionForm
from tadamun.documents.models import Document
from tadamun.translations.selectors import localize
from tadamun.workgroups import selectors as workgroup_selectors
from tadamun.workgroups.models import Workgroup

PER_PAGE = 20


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _visible_document(request, pk: int) -> Document:
    return get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)


def _manageable_document(request, pk: int) -> Document:
    document = _visible_document(request, pk)
    if not selectors.can_manage(request.user, document):
        raise PermissionDenied
    return document


def _readable_workgroup(request, slug: str) -> Workgroup:
    """The workgroup, if `request.user` may read it; else 404 (nothing about a closed
    workgroup's library is revealed to those outside it)."""
    workgroup = get_object_or_404(
        workgroup_selectors.workgroups_visible_to(request.user), slug=slug
    )
    if not workgroup_selectors.can_read(request.user, workgroup):
        raise Http404
    return workgroup


# ---------------------------------------------------------------------------------- libraries


def _library(request, documents, *, workgroup: Workgroup | None):
    form = LibraryFilterForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        found = selectors.search(
            documents,
            q=data.get("q", "").strip(),
            category=data.get("category", ""),
            language=data.get("language", ""),
        )
        page = Paginator(found.prefetch_related("versions"), PER_PAGE).get_page(
            data.get("page") or 1
        )
        status = 200
    else:
        page, status = None, 400
    template = "documents/library.html"
    if request.headers.get("HX-Request"):
        # htmx (progressive enhancement) swaps only the results; it swaps no 4xx response,
        # and the partial carries the error message itself.
        template, status = f"{template}#results", 200
    response = render(
        request,
        template,
        {
            "workgroup": workgroup,
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "filtered": any(request.GET.get(name) for name in ("q", "category", "language")),
            "may_upload": selectors.can_upload(request.user, workgroup),
        },
        status=status,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def library(request):
    """The network's library: public documents for everyone, the rest for members."""
    return _library(request, selectors.network_documents(request.user), workgroup=None)


@member_required
def workgroup_library(request, slug: str):
    workgroup = _readable_workgroup(request, slug)
    documents = selectors.documents_in_workgroup(request.user, workgroup)
    return _library(request, documents, workgroup=workgroup)


# ----------------------------------------------------------------------------------- document


def detail(request, pk: int):
    document = _visible_document(request, pk)
    versions = list(document.versions.select_related("uploaded_by"))
    loc = localize(document, get_language() or "ar")
    shown = selectors.shown_uploader_ids(
        request.user, [document.uploaded_by_id, *(v.uploaded_by_id for v in versions)]
    )
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "loc": loc,
            "current": versions[0] if versions else None,
            "versions": versions,
            "shown_people": shown,
            "may_manage": selectors.can_manage(request.user, document),
        },
    )


def download(request, pk: int, version_pk: int | None = None):
    """The current file, or an earlier version: always as a download (never shown inline)."""
    document = _visible_document(request, pk)
    versions = document.versions.all()
    version = versions.filter(pk=version_pk).first() if version_pk else versions.first()
    if version is None:
        raise Http404
    return download_response(
        version.file, filename=version.filename, content_type=version.content_type
    )


# -------------------------------------------------------------------------------------- forms


def _upload(request, workgroup: Workgroup | None):
    if not selectors.can_upload(request.user, workgroup):
        raise PermissionDenied
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, workgroup=workgroup)
        if form.is_valid():
            try:
                document = services.document_create(
                    by=request.user,
                    workgroup=workgroup,
                    upload=form.cleaned_data["file"],
                    **form.details(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The document was added to the library."))
                return redirect(document)
    else:
        form = UploadForm(workgroup=workgroup)
    return render(
        request,
        "documents/upload.html",
        {"form": form, "workgroup": workgroup},
        status=400 if form.errors else 200,
    )


@member_required
def upload(request):
    return _upload(request, None)


@member_required
def workgroup_upload(request, slug: str):
    return _upload(request, _readable_workgroup(request, slug))


@member_required
def edit(request, pk: int):
    document = _manageable_document(request, pk)
    if request.method == "POST":
        form = EditForm(request.POST, workgroup=document.workgroup)
        if form.is_valid():
            try:
                services.document_update(document=document, by=request.user, **form.details())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The document's details were saved."))
                return redirect(document)
    else:
        form = EditForm(
            workgroup=document.workgroup,
            initial={
                "title": document.title,
                "description": document.description,
                "category": document.category,
                "audience": document.audience,
                "language": document.language,
            },
        )
    return render(
        request,
        "documents/edit.html",
        {"form": form, "document": document},
        status=400 if form.errors else 200,
    )


@member_required
def new_version(request, pk: int):
    document = _manageable_document(request, pk)
    if request.method == "POST":
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.version_add(
                    document=document,
                    by=request.user,
                    upload=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The new version was uploaded; it is now current."))
                return redirect(document)
    else:
        form = VersionForm()
    return render(
        request,
        "documents/new_version.html",
        {"form": form, "document": document},
        status=400 if form.errors else 200,
    )


@member_required
def delete(request, pk: int):
    """GET asks for confirmation; POST deletes the document and all its files."""
    document = _manageable_document(request, pk)
    if request.method == "POST":
        workgroup = document.workgroup
        services.document_delete(document=document, by=request.user)
        messages.success(request, _("The document and all its versions were deleted."))
        if workgroup is not None:
            return redirect("documents:workgroup", slug=workgroup.slug)
        return redirect("documents:library")
    return render(
        request,
        "documents/delete.html",
        {"document": document, "versions": document.versions.all()},
    )
