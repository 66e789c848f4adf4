"""The deployment in `deploy/` is what the README shows, and the tools that run it accept it.

`nginx -t` and `systemd-analyze verify` run when installed (CI installs both, and there their
absence fails the run). systemd refuses a unit whose program does not exist, so the units are
verified as copies that start this checkout's `engagement` instead of /opt/engagement's.
"""

from __future__ import annotations

import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from engagement.cli import app as cli_app
from engagement.settings import Settings
from feedback.web import BODY_LIMITS

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/engagement/.venv/bin/engagement"  # where the README installs the console script
ENGAGEMENT = Path(sys.executable).with_name("engagement")
UNITS = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])
SITE = DEPLOY / "nginx-engagement.conf"
ENV_EXAMPLE = DEPLOY / "engagement.env.example"
MB = 1024 * 1024


def _tool(name: str, *elsewhere: str) -> str:
    for candidate in (shutil.which(name), *elsewhere):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} must be installed in CI (.ci/run installs it)")
    pytest.skip(f"{name} is not installed")


def _operations_section() -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"^## Running it for a county\n(.*?)(?=^## )", readme, re.M | re.S)
    assert match, "README has no section 'Running it for a county'"
    return match.group(1)


def test_every_file_the_readme_shows_is_in_deploy_and_every_deploy_file_is_shown() -> None:
    named = set(re.findall(r"deploy/([\w.\-]+)", _operations_section()))

    assert named == {path.name for path in DEPLOY.iterdir()}


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze")
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(ENGAGEMENT)))
    copies = sorted(str(tmp_path / unit.name) for unit in UNITS)

    result = subprocess.run(
        [analyze, "verify", *copies], capture_output=True, text=True, timeout=120
    )

    ours = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if any(unit.name in line for unit in UNITS)
    ]
    assert result.returncode == 0, result.stdout + result.stderr
    assert ours == []  # an unknown key or a bad value is only a warning to systemd


def test_every_timer_starts_a_command_the_cli_has() -> None:
    commands = typer.main.get_command(cli_app)
    timers = sorted(DEPLOY.glob("*.timer"))
    assert {timer.stem for timer in timers} == {
        "engagement-refresh",
        "engagement-mail",
        "engagement-backup",
    }
    for unit in [DEPLOY / "engagement.service", *(t.with_suffix(".service") for t in timers)]:
        for args in _engagement_commands(unit.read_text()):
            command, words = commands, list(args)
            while isinstance(getattr(command, "commands", None), dict):
                command = command.commands[words.pop(0)]  # type: ignore[attr-defined]
            # Parses the options and arguments as the command would, without running it.
            command.make_context(" ".join(args[: len(args) - len(words)]), words)


def _engagement_commands(unit: str) -> list[list[str]]:
    """The arguments every `engagement` in the unit's ExecStart lines is started with."""
    found = []
    for line in re.findall(r"^ExecStart=(.*)$", unit, re.M):
        words = shlex.split(line.replace("%%", "%"))
        if words[:2] == ["/bin/sh", "-c"]:
            words = shlex.split(words[2])
            words = words[1:] if words[0] == "exec" else words
        assert words[0] == INSTALLED, line
        found.append(words[1:])
    assert found, unit
    return found


def test_the_web_unit_serves_several_workers_for_nginx_only() -> None:
    (args,) = _engagement_commands((DEPLOY / "engagement.service").read_text())
    options = dict(zip(args[1::2], args[2::2], strict=True))

    assert args[0] == "serve"
    assert int(options["--workers"]) > 1
    assert options["--host"] == "127.0.0.1"
    assert options["--forwarded-allow-ips"] == "127.0.0.1"
    assert f"server 127.0.0.1:{options['--port']};" in SITE.read_text()


def test_the_backup_is_dated_and_written_where_the_unit_may_write() -> None:
    unit = (DEPLOY / "engagement-backup.service").read_text()
    (args,) = _engagement_commands(unit)

    assert args[0] == "backup"
    assert "$(date +%Y%m%d" in args[1]
    folder = Path(args[1]).parent
    assert f"ReadWritePaths={folder}\n" in unit


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    nginx = _tool("nginx", "/usr/sbin/nginx")
    openssl = _tool("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=hudong.example.gov.cn", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = SITE.read_text()
    site = re.sub(r"ssl_certificate (\S+);", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key (\S+);", f"ssl_certificate_key {key};", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"{temp_paths}\n"
        f"    include {tmp_path}/site.conf;\n"
        "}\n"
    )

    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_nginx_takes_the_bodies_the_app_takes() -> None:
    """A body the app would accept is never refused by nginx first (nor a much larger one let
    through): the site's limits are the app's, for the letter form and for the import page."""
    settings = Settings()
    site = SITE.read_text()
    server_wide = re.search(r"^    client_max_body_size (\d+)m;", site, re.M)
    imports = re.search(r"location = /admin/import \{[^}]*client_max_body_size (\d+)m;", site)
    assert server_wide and imports

    assert int(server_wide[1]) == math.ceil(BODY_LIMITS["/mailbox"](settings) / MB)
    assert int(imports[1]) == math.ceil(BODY_LIMITS["/admin/import"](settings) / MB)
    assert max(limit(settings) for limit in BODY_LIMITS.values()) <= int(imports[1]) * MB


def test_the_example_environment_is_settings_the_app_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ENGAGEMENT_"):
            monkeypatch.delenv(name)
    names = re.findall(r"^#?(ENGAGEMENT_\w+)=", ENV_EXAMPLE.read_text(), re.M)

    settings = Settings(_env_file=ENV_EXAMPLE)  # type: ignore[call-arg]

    unknown = [
        n for n in names if n.removeprefix("ENGAGEMENT_").lower() not in Settings.model_fields
    ]
    assert unknown == []  # the app ignores unknown names: a misspelt one would go unnoticed
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.ratelimit_storage.startswith("redis://")
    assert settings.https and settings.cookies_secure
    assert settings.site_name_en == "Demo County People's Government"
    for unit in DEPLOY.glob("*.service"):
        assert "EnvironmentFile=/etc/engagement/engagement.env\n" in unit.read_text(), unit.name
