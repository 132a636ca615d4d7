from django.db import migrations

from tresen.core.compression import use_lz4


class Migration(migrations.Migration):
    dependencies = [("search", "0005_drop_group_btree")]

    operations = [use_lz4("search_document", ["body", "vector"])]
