from django.urls import path

from negotiations.editing import actions, agenda, flow, history, objects, ratification

app_name = "edit"

urlpatterns = [
    path("", flow.home, name="home"),
    path("rounds/new/", flow.round_start, name="round-start"),
    path("rounds/<int:pk>/", flow.workspace, name="workspace"),
    path("proposals/<int:pk>/", actions.proposal_page, name="proposal"),
    path("negotiations/<int:pk>/agenda/", agenda.agenda_page, name="agenda"),
    path("proposals/<int:pk>/withdraw/", actions.proposal_withdraw, name="withdraw"),
    path("proposals/<int:pk>/link/", actions.proposal_link, name="link"),
    path(
        "proposals/<int:pk>/ratification/",
        ratification.ratification_add,
        name="ratification-add",
    ),
    path("positions/<int:pk>/correct/", actions.position_correct, name="position-correct"),
    path("<str:kind>/<int:pk>/delete/", actions.delete_object, name="delete"),
    path("<str:kind>/<int:pk>/", objects.edit_object, name="object"),
    path("history/<str:model_key>/<int:pk>/", history.object_history, name="history"),
    path("changes/", history.recent_changes, name="changes"),
]
