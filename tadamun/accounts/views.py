from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tadamun.core.permissions import coordinator_required, member_required


@login_required
def pending(request):
    return render(request, "accounts/pending.html")


@member_required
def profile(request):
    return render(request, "accounts/profile.html")


@login_required
def security(request):
    return render(request, "accounts/security.html")


@coordinator_required
def audit_log(request):
    return render(request, "accounts/audit_log.html")
