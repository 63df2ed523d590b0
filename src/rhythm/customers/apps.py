from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "rhythm.customers"
    label = "customers"
    verbose_name = "Customers"
