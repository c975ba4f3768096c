from django.shortcuts import render

from tadamun.core.permissions import coordinator_required, member_required


@member_required
def directory(request):
    return render(request, "organisations/directory.html")


@member_required
def people(request):
    return render(request, "organisations/people.html")


def public_directory(request):
    return render(request, "organisations/public_directory.html")


def apply(request):
    return render(request, "organisations/apply.html")


@coordinator_required
def review_queue(request):
    return render(request, "organisations/review_queue.html")
