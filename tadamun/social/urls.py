from django.urls import path

from tadamun.social import views

app_name = "social"
P = "posts/<int:pk>/"
urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("news/", views.news, name="news"),
    path("news/feed.atom", views.news_atom, name="news_atom"),
    path("posts/new/", views.compose, name="compose"),
    path(P, views.post_detail, name="post"),
    path(P + "edit/", views.post_edit, name="post_edit"),
    path(P + "delete/", views.post_delete, name="post_delete"),
    path(P + "publish/", views.publish, name="publish"),
    path(P + "history/", views.history, name="history"),
    path(P + "comments/", views.comment, name="comment"),
    path(P + "react/", views.react_post, name="react_post"),
    path("posts/<int:post_pk>/images/<int:pk>/", views.image, name="image"),
    path("posts/<int:post_pk>/images/<int:pk>/small/", views.image_small, name="image_small"),
    path("posts/<int:post_pk>/files/<int:pk>/", views.attachment, name="attachment"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/react/", views.react_comment, name="react_comment"),
    path("follow/<str:kind>/<int:pk>/", views.follow, name="follow"),
    path("unfollow/<str:kind>/<int:pk>/", views.unfollow, name="unfollow"),
]
