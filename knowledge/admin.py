"""The articles in the admin, for looking up and correcting. Changes go through knowledge.services like the
pages' (status, family and counters are not edited here); new articles are written on the knowledge pages,
which give them their family."""

from django.contrib import admin

from knowledge import services
from knowledge.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "audience", "status", "owner", "review_on", "updated_at"]
    list_filter = ["status", "audience", "language", "category"]
    list_select_related = ["owner"]
    search_fields = ["title", "keywords"]
    fields = ["title", "language", "audience", "category", "keywords", "body", "review_on", "status", "owner"]
    readonly_fields = ["status", "owner"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = services.ArticleFields(
            title=data["title"],
            body=data["body"],
            language=data["language"],
            audience=data["audience"],
            category=data.get("category"),
            keywords=data.get("keywords") or "",
            review_on=data.get("review_on"),
        )
        services.article_update(article=obj, by=request.user, fields=fields)
