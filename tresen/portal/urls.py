from django.urls import path

from tresen.portal.views import account, asking, home, knowledge, rating, requests

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    # Accounts
    path("login/", account.login_view, name="login"),
    path("signup/", account.signup, name="signup"),
    path("signup/<str:token>/", account.signup_confirm, name="signup_confirm"),
    path("login-link/", account.login_link_request, name="login_link_request"),
    path("login-link/<str:token>/", account.login_link, name="login_link"),
    path("password-reset/", account.password_reset, name="password_reset"),
    path(
        "password-reset/<uidb64>/<token>/",
        account.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("profile/", account.profile, name="profile"),
    # My requests
    path("requests/", requests.request_list, name="requests"),
    path("requests/<str:number>/", requests.request_detail, name="ticket"),
    path("requests/<str:number>/reply/", requests.reply, name="reply"),
    path("requests/<str:number>/state/", requests.set_state, name="set_state"),
    path("requests/<str:number>/rate/", requests.rate, name="rate"),
    path("files/<int:pk>/", requests.attachment, name="attachment"),
    # Asking
    path("new/", asking.choose_form, name="choose_form"),
    path("new/<int:form_id>/", asking.new_request, name="new_request"),
    path("new/done/<str:number>/", asking.request_created, name="request_created"),
    path("ask/", asking.guest_choose_form, name="guest_choose_form"),
    path("ask/<int:form_id>/", asking.guest_request, name="guest_request"),
    path("ask/confirm/<str:token>/", asking.submission_confirm, name="submission_confirm"),
    path("embed/<int:form_id>/", asking.embedded_request, name="embed"),
    # Knowledge base
    path("help/", knowledge.answer_list, name="answers"),
    path("help/suggestions/", knowledge.suggestions, name="suggestions"),
    path("help/left-form/", knowledge.left_form, name="left_form"),
    path("help/<slug:slug>/", knowledge.answer_detail, name="answer"),
    path("help/<slug:slug>/solved/", knowledge.solved, name="answer_solved"),
    # Rating from the mail
    path("rate/<str:token>/<str:score>/", rating.rate_by_link, name="rate_by_link"),
]
