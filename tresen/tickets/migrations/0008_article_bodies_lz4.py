from django.db import migrations

from tresen.core.compression import use_lz4


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_ticket_active_owner_updated_index")]

    operations = [use_lz4("tickets_article", ["body_text", "body_html", "references"])]
