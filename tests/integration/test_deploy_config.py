"""deploy/dagster.yaml loads as a real instance: Postgres storage (a real Postgres on loopback)
and the Kubernetes run launcher (constructed; no cluster).

What is real and what is not: the storage half connects to a throwaway PostgreSQL server
started here (initdb + pg_ctl on 127.0.0.1), migrates Dagster's schema into it and round-trips
a pool limit and a run through it, then `dagster instance info` reads the same instance. The
run-launcher half is validated against dagster-k8s's config schema and instantiated, but with
`load_incluster_config` swapped for a kubeconfig pointing at an unused loopback port, since no
Kubernetes API server runs here; nothing is launched.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def postgres_server() -> Iterator[dict[str, str]]:
    """A throwaway PostgreSQL on 127.0.0.1 (trust auth); yields the DAGSTER_PG_* variables."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        message = (
            "PostgreSQL server binaries not found: `apt-get install postgresql` (.ci/run "
            "installs it)"
        )
        if os.environ.get("CODEX_DEPLOY_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    # initdb refuses to run as root: run the server as the `postgres` user when we are root.
    run_as: list[str] = []
    if os.geteuid() == 0:
        pwd.getpwnam("postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="codex-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if run_as:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(
        [*run_as, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-o",
            f"-p {port} -h 127.0.0.1 -k {sockets} -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(port),
            "DAGSTER_PG_DB": "postgres",
            "DAGSTER_PG_USERNAME": "postgres",
            "DAGSTER_PG_PASSWORD": "not-used-with-trust-auth",
        }
    finally:
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def deploy_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A DAGSTER_HOME holding deploy/dagster.yaml, its launcher pointed at a kubeconfig."""
    config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    launcher = config["run_launcher"]["config"]
    assert launcher["load_incluster_config"] is True  # what production uses
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {"name": "none", "cluster": {"server": f"https://127.0.0.1:{_free_port()}"}}
                ],
                "users": [{"name": "none", "user": {"token": "unused"}}],
                "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
                "current-context": "none",
            }
        )
    )
    launcher.update(load_incluster_config=False, kubeconfig_file=str(kubeconfig))
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    with postgres_server() as pg_env:
        for name, value in pg_env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        yield home


def test_the_deploy_instance_runs_on_postgres_with_the_k8s_launcher(deploy_home: Path):
    from dagster_k8s import K8sRunLauncher
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage

    with dg.DagsterInstance.from_config(str(deploy_home)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        launcher = instance.run_launcher
        assert isinstance(launcher, K8sRunLauncher)
        assert launcher.job_namespace == "codex-assets"
        assert launcher.instance_config_map == "codex-assets-dagster-instance"
        # The pools the single-machine instance has: one DuckDB writer, one API caller.
        concurrency = instance.get_concurrency_config()
        assert concurrency.pool_config.default_pool_limit == 1
        assert concurrency.pool_config.pool_granularity.value == "run"
        assert concurrency.run_queue_config.max_concurrent_runs == 8
        # Run monitoring: the launcher reports a dead pod, so its run is marked failed.
        assert instance.run_monitoring_enabled
        assert "MONITORING" in instance.get_required_daemon_types()
        assert launcher.supports_check_run_worker_health
        assert instance.run_monitoring_max_resume_run_attempts == 0
        assert instance.run_monitoring_start_timeout_seconds == 300
        assert instance.run_monitoring_max_runtime_seconds == 6 * 3600
        # Round trips through the real database: a pool limit and a run.
        instance.event_log_storage.set_concurrency_slots("duckdb", 1)
        assert instance.event_log_storage.get_concurrency_info("duckdb").slot_count == 1
        run = instance.create_run_for_job(
            dg.GraphDefinition(name="probe", node_defs=[]).to_job(), run_id=None
        )
        assert instance.get_run_by_id(run.run_id).job_name == "probe"


def test_dagster_instance_info_reads_the_deploy_instance(deploy_home: Path):
    dagster = Path(sys.executable).with_name("dagster")
    started = time.monotonic()
    result = subprocess.run(
        [str(dagster), "instance", "info"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "PostgresRunStorage" in result.stdout
    assert "K8sRunLauncher" in result.stdout
    # The password comes from the environment and is never printed.
    assert os.environ["DAGSTER_PG_PASSWORD"] not in result.stdout + result.stderr
    assert time.monotonic() - started < 120


def test_the_helm_values_match_the_instance():
    """values.yaml renders the same instance: the chart's knobs carry the same limits."""
    values = yaml.safe_load((DEPLOY / "values.yaml").read_text())
    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert k8s["jobNamespace"] == instance["run_launcher"]["config"]["job_namespace"]
    assert values["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    pools = values["concurrency"]["pools"]
    assert pools["defaultLimit"] == instance["concurrency"]["pools"]["default_limit"]
    assert pools["granularity"] == instance["concurrency"]["pools"]["granularity"]
    runs = values["concurrency"]["runs"]["maxConcurrentRuns"]
    assert runs == instance["concurrency"]["runs"]["max_concurrent_runs"]
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "codex_assets.definitions"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "--group deploy" in dockerfile and "codex_assets.definitions" in dockerfile


def test_the_local_instance_marks_a_run_whose_process_died_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The shipped dagster.yaml (what `make ui` runs): the daemon includes run monitoring, and a
    run left Started by a process that died (no failure event, as after a SIGKILL of the CLI's
    in-process run) is marked failed once it passes the runtime limit."""
    import logging

    from dagster._core.events import DagsterEvent, DagsterEventType
    from dagster._core.events.log import EventLogEntry
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import EmptyWorkspaceTarget
    from dagster._daemon.monitoring.run_monitoring import execute_run_monitoring_iteration

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "instance" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert instance.run_monitoring_enabled
        assert "MONITORING" in instance.get_required_daemon_types()
        assert instance.run_monitoring_start_timeout_seconds == 300
        assert instance.run_monitoring_cancel_timeout_seconds == 300
        limit = instance.run_monitoring_max_runtime_seconds
        assert limit == 6 * 3600
        assert not instance.run_launcher.supports_check_run_worker_health  # hence the limit

        job = dg.GraphDefinition(name="killed", node_defs=[]).to_job()
        runs = {}
        for name, age in (("dead", limit + 60), ("young", limit - 600)):
            run = instance.create_run_for_job(job, run_id=None, tags={"probe": name})
            started = DagsterEvent(
                event_type_value=DagsterEventType.RUN_START.value, job_name=job.name
            )
            instance.handle_new_event(
                EventLogEntry(
                    error_info=None,
                    level=logging.DEBUG,
                    user_message="",
                    run_id=run.run_id,
                    timestamp=time.time() - age,
                    dagster_event=started,
                )
            )
            runs[name] = run.run_id
        assert instance.get_run_by_id(runs["dead"]).status == dg.DagsterRunStatus.STARTED

        with WorkspaceProcessContext(instance, EmptyWorkspaceTarget()) as workspace:
            list(execute_run_monitoring_iteration(workspace, logging.getLogger("monitoring")))
        assert instance.get_run_by_id(runs["dead"]).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(runs["young"]).status == dg.DagsterRunStatus.STARTED
