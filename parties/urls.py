from django.urls import path

from parties import views

urlpatterns = [
    path("parties/<slug:slug>/", views.party_detail, name="party"),
]
