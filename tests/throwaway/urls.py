from django.http import HttpResponse
from django.urls import path

app_name = "throwaway"


def index(request):
    return HttpResponse("The throwaway app's page.")


urlpatterns = [path("", index, name="index")]
