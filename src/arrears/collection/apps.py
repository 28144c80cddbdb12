from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "arrears.collection"
    verbose_name = "Collection"
