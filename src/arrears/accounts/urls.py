from django.urls import path

from arrears.accounts import views

# Not namespaced: Django's LOGIN_URL and the admin expect the names "login" and "logout".
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password-change"),
]
