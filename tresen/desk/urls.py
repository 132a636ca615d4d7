from django.urls import path

from tresen.desk.views import bulk, changes, overview, phone, search, ticket

app_name = "desk"

urlpatterns = [
    path("", overview.home, name="home"),
    path("counts/", overview.counts, name="counts"),
    path("views/", overview.save_view, name="save_view"),
    path("views/<int:pk>/delete/", overview.delete_view, name="delete_view"),
    path("bulk/", bulk.bulk, name="bulk"),
    path("search/", search.search, name="search"),
    path("phone/", phone.new_phone_ticket, name="phone"),
    path("phone/callers/", phone.lookup, name="callers"),
    path("attachments/<int:pk>/", ticket.attachment, name="attachment"),
    path("tickets/<str:number>/", ticket.ticket, name="ticket"),
    path("tickets/<str:number>/presence/", ticket.heartbeat, name="presence"),
    path("tickets/<str:number>/draft/", ticket.draft, name="draft"),
    path("tickets/<str:number>/reply/", changes.reply, name="reply"),
    path("tickets/<str:number>/call/", changes.log_call, name="call"),
    path("tickets/<str:number>/change/<str:what>/", changes.change, name="change"),
    path("tickets/<str:number>/transfer/", changes.transfer, name="transfer"),
    path("tickets/<str:number>/merge/", changes.merge, name="merge"),
    path("tickets/<str:number>/split/", changes.split, name="split"),
    path("tickets/<str:number>/link/", changes.link, name="link"),
    path("tickets/<str:number>/links/<int:pk>/delete/", changes.unlink, name="unlink"),
    path("tickets/<str:number>/watch/", changes.watch, name="watch"),
]
