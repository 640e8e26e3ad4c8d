"""Background jobs: thin wrappers that take ids and call the domain code."""

from django_tasks import task

from . import excel


@task()
def import_workbook(job_id: int) -> None:
    excel.import_run(job_id=job_id)
