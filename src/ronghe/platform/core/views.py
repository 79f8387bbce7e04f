"""Pages that belong to no single domain: the home page."""

from django.shortcuts import render


def home(request):
    return render(request, "core/home.html")
