"""Finance (Institution, FinanceProduct, FinancingNeed, Match) and events (Event,
Registration, Showcase) move to the apps `finance` and `events`. Only Django's idea of
which app owns them changes: the tables stay as they are (the new models name them in
Meta.db_table), so no row is copied or lost. finance 0001 / events 0001 take them up."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("sharing", "0004_servicerequest_ticket"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='registration',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='financeproduct',
                    name='institution',
                ),
                migrations.RemoveField(
                    model_name='match',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='financingneed',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='financingneed',
                    name='enterprise',
                ),
                migrations.RemoveField(
                    model_name='match',
                    name='need',
                ),
                migrations.RemoveField(
                    model_name='institution',
                    name='park',
                ),
                migrations.RemoveField(
                    model_name='registration',
                    name='enterprise',
                ),
                migrations.RemoveField(
                    model_name='registration',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='showcase',
                    name='enterprise',
                ),
                migrations.DeleteModel(
                    name='Event',
                ),
                migrations.DeleteModel(
                    name='FinanceProduct',
                ),
                migrations.DeleteModel(
                    name='FinancingNeed',
                ),
                migrations.DeleteModel(
                    name='Match',
                ),
                migrations.DeleteModel(
                    name='Institution',
                ),
                migrations.DeleteModel(
                    name='Registration',
                ),
                migrations.DeleteModel(
                    name='Showcase',
                ),
            ],
        ),
    ]
