"""The finance models, taken over from sharing (its migration 0005 let them go). State
only: the tables are sharing's, kept by name (Meta.db_table), rows and all. The audit
history and Django's content types of these rows follow them to the new app label."""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MODELS = ('institution', 'financeproduct', 'financingneed', 'match')


def _relabel(apps, old, new):
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        AuditEntry.objects.filter(model=f"{old}.{model}").update(model=f"{new}.{model}")
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "sharing", "finance")


def backwards(apps, schema_editor):
    _relabel(apps, "finance", "sharing")


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
                    name='FinancingNeed',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('1'))], verbose_name='金额（元）')),
                        ('purpose', models.CharField(max_length=200, verbose_name='用途')),
                        ('needed_by', models.DateField(blank=True, null=True, verbose_name='期望到位时间')),
                        ('term_months', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='期望期限（月）')),
                        ('consent', models.BooleanField(default=False, verbose_name='同意使用企业数据进行匹配')),
                        ('consent_at', models.DateTimeField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('open', '对接中'), ('closed', '已结束')], default='open', max_length=10, verbose_name='状态')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='financing_needs', to='enterprises.enterprise', verbose_name='企业')),
                    ],
                    options={
                        'verbose_name': '融资需求',
                        'verbose_name_plural': '融资需求',
                        'db_table': 'sharing_financingneed',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Institution',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='机构名称')),
                        ('kind', models.CharField(choices=[('bank', '银行'), ('fund', '投资基金'), ('guarantee', '融资担保'), ('other', '其他')], max_length=10, verbose_name='类型')),
                        ('contact', models.CharField(blank=True, max_length=100, verbose_name='联系人')),
                        ('park', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='finance_institutions', to='parks.park', verbose_name='园区')),
                    ],
                    options={
                        'verbose_name': '合作机构',
                        'verbose_name_plural': '合作机构',
                        'db_table': 'sharing_institution',
                        'ordering': ['name', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='FinanceProduct',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='产品名称')),
                        ('kind', models.CharField(choices=[('loan', '贷款'), ('equity', '股权投资'), ('guarantee', '担保')], default='loan', max_length=10, verbose_name='类型')),
                        ('amount_min', models.DecimalField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='最低金额（元）')),
                        ('amount_max', models.DecimalField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='最高金额（元）')),
                        ('rate_min', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='年利率下限（%）')),
                        ('rate_max', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='年利率上限（%）')),
                        ('term_months_min', models.PositiveSmallIntegerField(default=1, verbose_name='最短期限（月）')),
                        ('term_months_max', models.PositiveSmallIntegerField(default=36, verbose_name='最长期限（月）')),
                        ('stages', models.JSONField(blank=True, default=list, verbose_name='目标阶段')),
                        ('industries', models.JSONField(blank=True, default=list, verbose_name='目标产业')),
                        ('min_tier', models.CharField(blank=True, choices=[('innovative_sme', '创新型中小企业'), ('srdi_sme', '专精特新中小企业'), ('little_giant', '专精特新“小巨人”企业')], max_length=20, verbose_name='最低梯度')),
                        ('min_revenue', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='最低营业收入（元）')),
                        ('min_rd_ratio', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='最低研发投入占比（%）')),
                        ('required_figures', models.JSONField(blank=True, default=list, verbose_name='须报送的数据')),
                        ('description', models.TextField(blank=True, verbose_name='说明')),
                        ('is_active', models.BooleanField(default=True, verbose_name='在售')),
                        ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='products', to='finance.institution', verbose_name='机构')),
                    ],
                    options={
                        'verbose_name': '金融产品',
                        'verbose_name_plural': '金融产品',
                        'db_table': 'sharing_financeproduct',
                        'ordering': ['institution_id', 'name', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Match',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('verdict', models.CharField(choices=[('eligible', '符合'), ('near', '接近'), ('not', '不符合')], max_length=10, verbose_name='匹配结果')),
                        ('reasons', models.JSONField(default=list, verbose_name='理由')),
                        ('outcome', models.CharField(choices=[('proposed', '已推荐'), ('contacted', '已对接'), ('approved', '已审批'), ('funded', '已放款'), ('declined', '未成功')], default='proposed', max_length=10, verbose_name='进展')),
                        ('funded_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='放款金额（元）')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('need', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matches', to='finance.financingneed')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='matches', to='finance.financeproduct')),
                    ],
                    options={
                        'verbose_name': '产品匹配',
                        'verbose_name_plural': '产品匹配',
                        'db_table': 'sharing_match',
                        'ordering': ['need_id', 'verdict', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='institution',
                    constraint=models.UniqueConstraint(fields=('park', 'name'), name='institution_park_name_unique'),
                ),
                migrations.AddConstraint(
                    model_name='financeproduct',
                    constraint=models.CheckConstraint(condition=models.Q(('amount_max__gte', models.F('amount_min'))), name='product_amount_order', violation_error_message='最高金额不能小于最低金额。'),
                ),
                migrations.AddConstraint(
                    model_name='financeproduct',
                    constraint=models.CheckConstraint(condition=models.Q(('term_months_max__gte', models.F('term_months_min'))), name='product_term_order'),
                ),
                migrations.AddConstraint(
                    model_name='match',
                    constraint=models.UniqueConstraint(fields=('need', 'product'), name='match_need_product_unique'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
