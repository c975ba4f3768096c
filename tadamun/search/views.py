from django.shortcuts import render

from tadamun.search import selectors
from tadamun.search.forms import SearchForm


def search(request):
    """One search over everything the visitor may see (anonymous visitors: public things)."""
    form = SearchForm(request.GET or None, viewer=request.user)
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data.get("q", "").strip():
        results = selectors.search(request.user, form.cleaned_data["q"], **form.filters())
    get = request.GET.copy()
    get.pop("page", None)
    return render(
        request,
        "search/search.html",
        {"form": form, "results": results, "query": get.urlencode()},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
