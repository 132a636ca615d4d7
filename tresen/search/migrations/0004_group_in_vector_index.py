"""PostgreSQL: the GIN index covers the group too (btree_gin), so that an agent's search for a
word the agent's groups never use ends inside the index instead of visiting every match of the
other groups. Where btree_gin cannot be installed, the index stays on the vector alone.
"""

from django.db import migrations

VECTOR_INDEX = "search_document_vector"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SAVEPOINT search_btree_gin")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT search_btree_gin")
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin')")
        columns = "group_id, vector" if cursor.fetchone()[0] else "vector"
        cursor.execute(f"DROP INDEX IF EXISTS {VECTOR_INDEX}")
        cursor.execute(f"CREATE INDEX {VECTOR_INDEX} ON search_document USING gin ({columns})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {VECTOR_INDEX}")
    schema_editor.execute(f"CREATE INDEX {VECTOR_INDEX} ON search_document USING gin (vector)")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_document_group")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
