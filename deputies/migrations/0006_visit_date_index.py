from django.db import migrations
from django.db import models


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0005_opinion_received_review"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="stationvisit",
            index=models.Index(fields=["-date", "-id"], name="visit_date_id"),
        ),
    ]
