from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tadamun.core.permissions import coordinator_required
from tadamun.privacy import report as privacy_report
from tadamun.privacy import services


@coordinator_required
@require_GET
def report(request):
    context = {
        "sections": privacy_report.privacy_report(),
        "no_personal_data": privacy_report.no_personal_data(),
    }
    return render(request, "privacy/report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """GET explains what the archive holds; POST returns it as a download."""
    if request.method == "POST":
        try:
            archive = services.data_export_build(user=request.user)
        except services.ExportTooSoon:
            context = {"too_soon": True, "interval": services.EXPORT_INTERVAL}
            return render(request, "privacy/my_data.html", context, status=429)
        filename = f"tadamun-my-data-{timezone.now():%Y-%m-%d}.zip"
        response = FileResponse(
            archive, as_attachment=True, filename=filename, content_type="application/zip"
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "privacy/my_data.html", {"interval": services.EXPORT_INTERVAL})
