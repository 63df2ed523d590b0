"""The UI's metrics uploads, imported on the queue (the page polls their progress)."""

from huey.contrib.djhuey import db_task

from rhythm.health import services


@db_task()
def run_import(job_id: int) -> str:
    return services.run_import(job_id).status
