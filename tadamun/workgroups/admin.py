from django.contrib import admin

from tadamun.workgroups.models import Workgroup


@admin.register(Workgroup)
class WorkgroupAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_ar", "visibility"]
