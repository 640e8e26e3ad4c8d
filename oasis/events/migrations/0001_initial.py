"""The events models, taken over from sharing (its migration 0005 let them go). State
only: the tables are sharing's, kept by name (Meta.db_table), rows and all. The audit
history and Django's content types of these rows follow them to the new app label."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ('event', 'registration', 'showcase')


def _relabel(apps, old, new):
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        AuditEntry.objects.filter(model=f"{old}.{model}").update(model=f"{new}.{model}")
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "sharing", "events")


def backwards(apps, schema_editor):
    _relabel(apps, "events", "sharing")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('sharing', '0005_finance_and_events_move_out'),
        ('core', '0002_worker_heartbeat'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('enterprises', '0001_initial'),
        ('parks', '0002_lease_conventions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Event',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=120, verbose_name='标题')),
                        ('kind', models.CharField(choices=[('roadshow', '路演'), ('salon', '沙龙'), ('training', '培训'), ('brand_day', '品牌日')], max_length=10, verbose_name='类型')),
                        ('starts_at', models.DateTimeField(verbose_name='开始')),
                        ('ends_at', models.DateTimeField(verbose_name='结束')),
                        ('venue', models.CharField(blank=True, max_length=120, verbose_name='地点')),
                        ('capacity', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='名额')),
                        ('description', models.TextField(blank=True, verbose_name='介绍')),
                        ('offering', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='sharing.offering')),
                        ('park', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sharing_events', to='parks.park', verbose_name='园区')),
                    ],
                    options={
                        'verbose_name': '活动',
                        'verbose_name_plural': '活动',
                        'db_table': 'sharing_event',
                        'ordering': ['-starts_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Registration',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('registered', '已报名'), ('waitlisted', '候补'), ('cancelled', '已取消')], max_length=10, verbose_name='状态')),
                        ('checked_in_at', models.DateTimeField(blank=True, null=True, verbose_name='签到时间')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enterprises.enterprise')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='registrations', to='events.event')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sharing_registrations', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '活动报名',
                        'verbose_name_plural': '活动报名',
                        'db_table': 'sharing_registration',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Showcase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('headline', models.CharField(max_length=120, verbose_name='标题')),
                        ('body', models.TextField(verbose_name='介绍')),
                        ('products', models.TextField(blank=True, verbose_name='产品与能力')),
                        ('published', models.BooleanField(default=False, verbose_name='已发布')),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('enterprise', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='showcase', to='enterprises.enterprise')),
                    ],
                    options={
                        'verbose_name': '企业风采',
                        'verbose_name_plural': '企业风采',
                        'db_table': 'sharing_showcase',
                        'ordering': ['-published_at', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='event',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='event_end_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='registration',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'cancelled'), _negated=True), fields=('event', 'user'), name='registration_one_live_per_user'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
