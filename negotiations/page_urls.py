from django.urls import path

from negotiations import views

urlpatterns = [
    path("", views.home, name="home"),
    path("negotiations/<slug:slug>/", views.negotiation_detail, name="negotiation"),
    path("negotiations/<slug:slug>/rounds/<int:number>/", views.round_detail, name="round"),
]
