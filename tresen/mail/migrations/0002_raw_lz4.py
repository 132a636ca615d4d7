from django.db import migrations

from tresen.core.compression import use_lz4


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_mailboxes_inbound_messages_filters")]

    operations = [use_lz4("mail_inboundmessage", ["raw"])]
