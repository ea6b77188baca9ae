"""``ai-admin``: the engineer's console for the local stack (later issues add their commands here)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ai_admin.settings import PostgresSettings, SettingsError, load, reset

Command = Callable[[argparse.Namespace], int]


class CliError(RuntimeError):
    """A user-facing failure: printed as one line, exit code 2."""


def _root(args: argparse.Namespace) -> Path:
    from ai_admin.local.stack import find_root

    try:
        return find_root(Path(args.template).parent if args.template else None)
    except FileNotFoundError as error:
        raise CliError(str(error)) from None


def _state(args: argparse.Namespace) -> Path:
    """Where the local stack keeps its servers' data and ``stack.env`` (default ``<project>/.local``)."""
    from ai_admin.local.stack import STATE_DIR_NAME

    return Path(args.state_dir).resolve() if args.state_dir else _root(args) / STATE_DIR_NAME


def _running(args: argparse.Namespace) -> dict[str, str] | None:
    from ai_admin.local.stack import attached_env

    return attached_env(_state(args))


@contextlib.contextmanager
def _own_stack(args: argparse.Namespace, **options: Any) -> Iterator[Any]:
    """A local stack of this command's own (the servers under ``--state-dir``), for the command's length."""
    from ai_admin.local import services, stack

    try:
        with stack.running(
            _root(args), state_dir=_state(args), allow_remote_database=args.allow_remote_database, **options
        ) as local:
            yield local
    except (stack.StackBusy, services.RemoteDatabaseRefused) as error:
        raise CliError(str(error)) from None


def cmd_db_migrate(args: argparse.Namespace) -> int:
    from ai_admin.migrations import migrate

    url = args.database_url or os.environ.get("DATABASE_URL") or (_running(args) or {}).get("DATABASE_URL")
    if url:
        os.environ["DATABASE_URL"] = url
        reset()
    applied = migrate(load(PostgresSettings).url)
    print(f"applied: {', '.join(applied)}" if applied else "schema up to date")
    return 0


def _database_url(args: argparse.Namespace) -> str:
    """The database an operator command reads: ``DATABASE_URL`` when this shell sets it, else the running
    stack's; it never starts a stack (an operator looking at production must not get a demo salon)."""
    url = os.environ.get("DATABASE_URL") or (_running(args) or {}).get("DATABASE_URL")
    if not url:
        raise CliError("no local stack is running and DATABASE_URL is not set: start `make run`, or set it")
    return url


@contextlib.contextmanager
def _local_env(args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """The running stack's environment (``stack.env``), or a stack of our own for one command."""
    recorded = _running(args)
    if recorded is not None:
        yield {**recorded, **_explicit_env()}
        return
    with _own_stack(args) as local:
        yield {**local.env, **_explicit_env()}


def _explicit_env() -> dict[str, str]:
    prefixes = ("YCLIENTS_", "WHATSAPP_", "LLM_", "SYNC_", "REMINDERS_")
    return {k: v for k, v in os.environ.items() if k.startswith(prefixes)}


def cmd_invoke(args: argparse.Namespace) -> int:
    from ai_admin.local.invoke import InvokeError, invoke, read_event
    from ai_admin.local.template import Template, TemplateError

    root = _root(args)
    try:
        template = Template.load(Path(args.template) if args.template else root / "template.yaml")
        template.function(args.logical_id)
        event = read_event(Path(args.event)) if args.event else {}
    except (TemplateError, InvokeError) as error:
        raise CliError(str(error)) from None
    with _local_env(args) as env, contextlib.redirect_stdout(sys.stderr):
        try:
            result = invoke(template, args.logical_id, event, env)
        except InvokeError as error:
            raise CliError(str(error)) from None
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


def _stop_on_sigterm() -> threading.Event:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    return stop


def _block_until(stop: threading.Event) -> None:
    """Returns on SIGTERM (``stop`` set) or Ctrl-C."""
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


def _port_free(port: int) -> None:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise CliError(f"port {port} is in use (another stack or program listens there): pass --port N") from None


def cmd_stack(args: argparse.Namespace) -> int:
    from ai_admin.local import stack as stack_module
    from ai_admin.local.gateway import LocalHttpApi, bind_routes
    from ai_admin.local.invoke import resolve_handler
    from ai_admin.local.schedules import LocalScheduler

    state = _state(args)
    running = stack_module.attached_env(state)
    if running is not None:
        raise CliError(
            f"a local stack is already running from {state} (pid {running.get(stack_module.STACK_PID)},"
            f" {running.get('AI_ADMIN_HTTP_API_URL')}): stop it first, or pass --state-dir DIR for another one"
        )
    _port_free(args.port)
    stop = _stop_on_sigterm()
    with _own_stack(args, exclusive_database=True) as stack:
        os.environ.update(stack.env)
        reset()
        functions = list(stack.template.functions().values())
        try:
            api = LocalHttpApi(bind_routes(functions, resolve_handler), port=args.port).start()
        except OSError as error:
            raise CliError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}") from None
        stack.closers.append(api.stop)
        stack.start_event_sources(resolve_handler)
        if not args.no_sync:
            from ai_admin.local.sync_console import ALL_JOBS, print_runs, run_sync

            print("full sync of the fake salon into PostgreSQL ...")
            print_runs(run_sync(stack, ALL_JOBS, full=True, company_id=None, start_workers=False))
        scheduler = None
        if not args.no_schedules:
            scheduler = LocalScheduler(stack.template, resolve_handler).start()
            stack.closers.append(scheduler.stop)
        env_file = state / stack_module.STACK_ENV_FILE
        recorded = {**stack.env, "AI_ADMIN_HTTP_API_URL": api.url, stack_module.STACK_PID: str(os.getpid())}
        stack_module.write_env_file(env_file, recorded)
        stack.closers.append(lambda: env_file.unlink(missing_ok=True))
        _print_summary(stack, api.url, scheduler)
        _block_until(stop)
        print("stopping the local stack")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from ai_admin.local.invoke import patched_environ
    from ai_admin.local.sync_console import ALL_JOBS, print_runs, run_attached, run_sync
    from ai_admin.local.template import Template
    from ai_admin.sync.jobs import Job

    if args.job == "status":
        return _sync_status(args)
    jobs = list(ALL_JOBS) if args.job == "all" else [Job(args.job)]
    running = _running(args)
    if running is not None:
        # The running stack's queue, workers, database and fake YClients do the work; this process plans.
        print(f"using the local stack running from {_state(args)} (pid {running.get('AI_ADMIN_STACK_PID')})")
        template = Template.load(_root(args) / "template.yaml")
        with patched_environ({**running, **_explicit_env()}, cold=True):
            runs = run_attached(template, jobs, full=args.full, company_id=args.company)
    else:
        with _own_stack(args) as stack:
            os.environ.update(stack.env)
            reset()
            runs = run_sync(stack, jobs, full=args.full, company_id=args.company)
    print_runs(runs)
    return 0 if all(r["status"] == "completed" for r in runs) else 1


def _sync_status(args: argparse.Namespace) -> int:
    from ai_admin.adapters.postgres_connection import connect
    from ai_admin.adapters.postgres_sync_ledger import PostgresSyncLedger
    from ai_admin.local.sync_console import print_runs

    conn = connect(_database_url(args))
    try:
        print_runs(PostgresSyncLedger(conn).recent_runs(args.limit))
    finally:
        conn.close()
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ai_admin.local.invoke import InvokeError, invoke
    from ai_admin.local.template import Template

    root = _root(args)
    event: dict[str, Any] = {"job": "reminders"}
    if args.company is not None:
        event["company_id"] = args.company
    if args.at:
        try:
            moment = datetime.fromisoformat(args.at)
        except ValueError:
            raise CliError(f"--at {args.at!r} is not an ISO date and time, e.g. 2026-03-10T19:30") from None
        event["at"] = (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Europe/Moscow"))).isoformat()
    template = Template.load(root / "template.yaml")
    with _local_env(args) as env, contextlib.redirect_stdout(sys.stderr):
        try:
            result = invoke(template, "ReminderFunction", event, env)
        except InvokeError as error:
            raise CliError(str(error)) from None
    _print_reminders(result)
    return 0


def _print_reminders(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    columns = ("company_id", "due", "sent", "retry_later", "gave_up", "already_settled", "pending", "opted_out")
    table = Table(title=f"Reminders as of {result['at']}")
    for column in (*columns, "errors"):
        table.add_column(column)
    for report in result["salons"]:
        table.add_row(*(str(report[c]) for c in (*columns, "errors")))
    Console(width=140).print(table)


def cmd_yclients_webhook_url(args: argparse.Namespace) -> int:
    """The salon's URL under a master secret: --master-secret, YCLIENTS_WEBHOOK_SECRET, or the local stack's."""
    from ai_admin.local import stack as stack_module
    from ai_admin.reminders.crm_webhook import webhook_path_secret

    running = _running(args) or {}
    master = (
        args.master_secret
        or os.environ.get("YCLIENTS_WEBHOOK_SECRET")
        or stack_module.LOCAL_SECRETS["YCLIENTS_WEBHOOK_SECRET"]
    )
    base = args.base_url or running.get("AI_ADMIN_HTTP_API_URL", "http://127.0.0.1:3000")
    print(f"{base.rstrip('/')}/yclients/{webhook_path_secret(master, args.company)}")
    return 0


def _print_summary(stack: Any, api_url: str, scheduler: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="AI Admin local stack", show_header=True)
    table.add_column("part")
    table.add_column("where")
    kind = "embedded" if stack.services.embedded else "local server"
    table.add_row("PostgreSQL", f"{stack.env['DATABASE_URL']} ({kind})")
    table.add_row("Redis", stack.env["REDIS_URL"])
    table.add_row("AWS (moto)", stack.env.get("AI_ADMIN_AWS_ENDPOINT_URL", "-"))
    table.add_row("YClients (fake)", stack.env.get("YCLIENTS_BASE_URL", "-"))
    table.add_row("HTTP API", api_url)
    table.add_row("WhatsApp Graph API (fake)", stack.env.get("WHATSAPP_GRAPH_BASE_URL", "-"))
    for logical_id, url in stack.queue_urls.items():
        table.add_row(f"  queue {logical_id}", url)
    for function in stack.template.functions().values():
        for route in function.routes:
            table.add_row(f"  {function.logical_id}", f"{route.method} {api_url}{route.path}")
    for label, when in scheduler.describe() if scheduler is not None else [("schedules", "off (--no-schedules)")]:
        table.add_row(f"  {label}", when)
    console.print(table)
    console.print(
        "Talk to the bot from another terminal: `.venv/bin/ai-admin chat` (or `ai-admin send TEXT --from"
        " 79990000001`); `ai-admin monitor` watches queues and hand-offs. Ctrl-C stops everything.",
        markup=False,
    )


def cmd_fake_whatsapp(args: argparse.Namespace) -> int:
    from ai_admin.local.fake_whatsapp import FakeWhatsApp
    from ai_admin.local.stack import LOCAL_SECRETS

    fake = FakeWhatsApp(access_token=LOCAL_SECRETS["WHATSAPP_ACCESS_TOKEN"], port=args.port).start()
    print(f"fake WhatsApp Graph API on {fake.url} (sent messages: {fake.url}/_fake/messages); Ctrl-C stops")
    stop = _stop_on_sigterm()
    _block_until(stop)
    fake.stop()
    return 0


@dataclasses.dataclass
class _LocalClient:
    """A WhatsApp client of the running local stack: posts signed deliveries, reads the fake's outbox."""

    env: dict[str, str]
    sender: str
    name: str | None

    @classmethod
    def of(cls, args: argparse.Namespace) -> _LocalClient:

        env = _running(args)
        if env is None or not env.get("AI_ADMIN_HTTP_API_URL"):
            raise CliError("no running stack: start one with `make run` (ai-admin stack) first")
        return cls(env, args.sender, args.name)

    def send(self, text: str, wait_s: float) -> tuple[int, list[dict[str, Any]]]:
        import time

        import httpx

        from ai_admin.local.inbound import signed_text_delivery

        body, headers = signed_text_delivery(
            text, wa_id=self.sender, name=self.name, app_secret=self.env["WHATSAPP_APP_SECRET"]
        )
        graph = self.env.get("WHATSAPP_GRAPH_BASE_URL", "")
        try:
            before = len(httpx.get(f"{graph}/_fake/messages", timeout=5).json()) if graph else 0
            response = httpx.post(
                f"{self.env['AI_ADMIN_HTTP_API_URL']}/webhook", content=body, headers=headers, timeout=10
            )
        except httpx.HTTPError as error:
            raise CliError(f"the stack did not answer: {type(error).__name__}") from None
        if response.status_code != 200 or not graph:
            return response.status_code, []
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            mine = [
                r for r in httpx.get(f"{graph}/_fake/messages", timeout=5).json()[before:] if r.get("to") == self.sender
            ]
            if mine:
                time.sleep(0.3)  # a reply may come as several messages
                return 200, [
                    r
                    for r in httpx.get(f"{graph}/_fake/messages", timeout=5).json()[before:]
                    if r.get("to") == self.sender
                ]
            time.sleep(0.2)
        return 200, []


def _readable(body: dict[str, Any]) -> str:
    """The text a client would see in WhatsApp, with reply buttons as [titles]."""
    kind = body.get("type")
    if kind == "text":
        return str(body.get("text", {}).get("body", ""))
    if kind == "interactive":
        interactive = body.get("interactive", {})
        buttons = [b.get("reply", {}).get("title", "") for b in interactive.get("action", {}).get("buttons", [])]
        return str(interactive.get("body", {}).get("text", "")) + (
            "\n" + " ".join(f"[{b}]" for b in buttons) if buttons else ""
        )
    if kind == "template":
        return f"(template {body.get('template', {}).get('name')})"
    return json.dumps(body, ensure_ascii=False)


def cmd_fake_llm(args: argparse.Namespace) -> int:
    import yaml

    from ai_admin.local.fake_llm import FakeLlm, ScriptError, load_script

    turns: list[dict[str, Any]] = []
    default: dict[str, Any] | None = {"text": args.default_text} if args.default_text else None
    if args.script:
        try:
            turns, scripted_default = load_script(yaml.safe_load(Path(args.script).read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, ScriptError) as error:
            reason = " ".join(str(error).split())  # YAML errors span lines
            raise CliError(f"cannot read the script {args.script}: {reason}") from None
        default = scripted_default or default
    try:
        fake = FakeLlm(turns, default=default, api_key=args.api_key, port=args.port).start()
    except OSError as error:
        raise CliError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}") from None
    print(
        f"fake OpenAI-compatible API on {fake.url} ({len(turns)} scripted turns; requests: "
        f"{fake.url.removesuffix('/v1')}/_fake/requests); Ctrl-C stops",
        flush=True,
    )
    stop = _stop_on_sigterm()
    _block_until(stop)
    fake.stop()
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    client = _LocalClient.of(args)
    status, replies = client.send(args.text, args.wait)
    print(f"webhook: HTTP {status}")
    if status != 200:
        return 1
    for reply in replies:
        print(json.dumps(reply["body"], ensure_ascii=False))
    if not replies:
        print(f"no reply within {args.wait:g} s")
    return 0 if replies else 1


def cmd_chat(args: argparse.Namespace) -> int:
    client = _LocalClient.of(args)
    print(f"Chatting with the local salon as +{client.sender}. Empty line or Ctrl-D to quit.")
    while True:
        try:
            text = input("вы> ").strip()
        except EOFError:
            print()
            return 0
        if not text:
            return 0
        status, replies = client.send(text, args.wait)
        if status != 200:
            print(f"(webhook answered HTTP {status})")
        elif not replies:
            print(f"(no reply within {args.wait:g} s)")
        for reply in replies:
            print("бот> " + _readable(reply["body"]).replace("\n", "\n     "))


def cmd_fake_yclients(args: argparse.Namespace) -> int:
    import time

    import yaml

    from ai_admin.local.fake_yclients import (
        FakeYClients,
        Limits,
        ScenarioError,
        generate,
        state_from_scenario,
    )

    started = time.perf_counter()
    if args.scenario:
        try:
            document = yaml.safe_load(Path(args.scenario).read_text(encoding="utf-8"))
            state = state_from_scenario(document, company_id=args.company_id)
        except (OSError, yaml.YAMLError, ScenarioError, TypeError, AttributeError) as error:
            raise CliError(f"cannot seed from {args.scenario}: {error}") from None
    else:
        state = generate(seed=args.seed, clients=args.clients, company_id=args.company_id)
    built_s = time.perf_counter() - started
    limits = Limits(
        per_second=args.per_second,
        per_minute=args.per_minute,
        enabled=not args.no_rate_limit,
        mode=args.rate_mode,
    )
    try:
        fake = FakeYClients(state, port=args.port, limits=limits, seed=args.seed)
    except OSError as error:
        raise CliError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}") from None
    fake.faults.latency_s = args.latency_ms / 1000
    fake.faults.error_rate = args.error_rate
    stop = _stop_on_sigterm()
    with fake:
        print(
            f"fake YClients on {fake.base_url} (company {args.company_id}): {len(state.services)} services, "
            f"{len(state.staff)} staff, {len(state.clients)} clients, {len(state.records)} records, "
            f"built in {built_s:.2f} s",
            flush=True,
        )
        _block_until(stop)
    return 0


def _add_fakes(sub: Any) -> None:
    fake = sub.add_parser("fake-whatsapp", help="run the fake WhatsApp Graph API alone")
    fake.add_argument("--port", type=int, default=8702)
    fake.set_defaults(run=cmd_fake_whatsapp)

    fake_llm = sub.add_parser("fake-llm", help="serve a fake OpenAI-compatible chat API playing a script")
    fake_llm.add_argument("--port", type=int, default=8703)
    fake_llm.add_argument("--script", help="JSON or YAML: a list of turns (see ai_admin/local/fake_llm.py)")
    fake_llm.add_argument("--default-text", help="the answer once the script is played out (default: HTTP 500)")
    fake_llm.add_argument("--api-key", help="the only key accepted (default: any bearer key)")
    fake_llm.set_defaults(run=cmd_fake_llm)

    fake = sub.add_parser("fake-yclients", help="serve a fake YClients API (/api/v1) with a demo salon")
    fake.add_argument("--port", type=int, default=8701)
    fake.add_argument("--seed", type=int, default=1, help="the demo salon's random seed")
    fake.add_argument("--clients", type=int, default=1100, help="demo size; staff and records scale with it")
    fake.add_argument("--company-id", type=int, default=1)
    fake.add_argument("--scenario", help="seed from a scenario file's salon: block instead of demo data")
    fake.add_argument("--per-second", type=int, default=5)
    fake.add_argument("--per-minute", type=int, default=200)
    fake.add_argument("--rate-mode", choices=["429", "200"], default="429", help="how throttling is answered")
    fake.add_argument("--no-rate-limit", action="store_true")
    fake.add_argument("--latency-ms", type=float, default=0.0)
    fake.add_argument("--error-rate", type=float, default=0.0, help="share of requests answered with 500")
    fake.set_defaults(run=cmd_fake_yclients)


def _add_client_commands(sub: Any) -> None:
    send = sub.add_parser("send", help="post a signed inbound WhatsApp text to the running stack's webhook")
    send.add_argument("text")
    send.add_argument("--from", dest="sender", required=True, help="the client's wa_id, e.g. 79990000001")
    send.add_argument("--name", default=None, help="the client's WhatsApp profile name")
    send.add_argument("--wait", type=float, default=10.0, help="seconds to wait for the reply")
    send.set_defaults(run=cmd_send)

    chat = sub.add_parser("chat", help="chat with the bot in the terminal as a WhatsApp client of the running stack")
    chat.add_argument("--from", dest="sender", default="79990000001", help="your wa_id (default 79990000001)")
    chat.add_argument("--name", default="Гость", help="your WhatsApp profile name")
    chat.add_argument("--wait", type=float, default=30.0, help="seconds to wait for each reply")
    chat.set_defaults(run=cmd_chat)


@contextlib.contextmanager
def _database(args: argparse.Namespace) -> Iterator[Any]:
    from ai_admin.adapters.postgres_connection import connect
    from ai_admin.domain.errors import StorageUnavailable

    url = _database_url(args)
    try:
        conn = connect(url)
    except StorageUnavailable as error:
        raise CliError(f"{error} ({_shown(url)})") from None
    try:
        yield conn
    finally:
        conn.close()


def _shown(url: str) -> str:
    """The database URL without its password, for messages."""
    from ai_admin.adapters.postgres_connection import PostgresTarget

    target = PostgresTarget.from_url(url)
    return PostgresTarget(target.user, None, target.database, target.host, target.port, target.unix_sock, False).url()


def _phone(text: str) -> str:
    from ai_admin.domain.phones import InvalidPhone, to_e164

    try:
        return to_e164(text)
    except InvalidPhone:
        raise CliError(f"{text!r} is not a phone number (e.g. +79161234567)") from None


def cmd_client(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from ai_admin.domain.phones import mask
    from ai_admin.local.client_card import cards, print_cards

    phone = _phone(args.phone)
    with _database(args) as conn:
        found = cards(conn, phone, datetime.now(UTC), args.company)
    if not found:
        print(f"no salon knows {phone if args.reveal else mask(phone)}")
        return 1
    print_cards(found, reveal=args.reveal)
    return 0


def cmd_monitor(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from ai_admin.local.monitor import look, render

    # The queues of the same deployment as the database: the running stack's, unless the shell names another.
    sqs, prefix = _queues(None if os.environ.get("DATABASE_URL") else _running(args))
    with _database(args) as conn:
        if args.once or args.json:
            snapshot = look(conn, datetime.now(UTC), sqs, prefix)
            if args.json:
                print(json.dumps(snapshot.as_dict(), ensure_ascii=False, default=str))
            else:
                from rich.console import Console

                Console(width=140).print(render(snapshot))
            return 1 if snapshot.alerts else 0
        from rich.live import Live

        stop = _stop_on_sigterm()
        with Live(render(look(conn, datetime.now(UTC), sqs, prefix)), refresh_per_second=1, screen=False) as live:
            try:
                while not stop.wait(args.every):
                    live.update(render(look(conn, datetime.now(UTC), sqs, prefix)))
            except KeyboardInterrupt:
                pass
    return 0


def _queues(running: dict[str, str] | None) -> tuple[Any, str]:
    """An SQS client for the running stack's moto server, or as this shell is configured: the server at
    ``AI_ADMIN_AWS_ENDPOINT_URL``, or AWS (``AI_ADMIN_STAGE`` names the deployment's queues); None when
    there is neither."""
    import boto3

    if running is not None:
        sqs = boto3.client(
            "sqs",
            region_name=running.get("AWS_REGION", "eu-central-1"),
            endpoint_url=running["AI_ADMIN_AWS_ENDPOINT_URL"],
            aws_access_key_id=running.get("AWS_ACCESS_KEY_ID", "local"),
            aws_secret_access_key=running.get("AWS_SECRET_ACCESS_KEY", "local"),
        )
        return sqs, ""
    endpoint = os.environ.get("AI_ADMIN_AWS_ENDPOINT_URL")
    if not (endpoint or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_ACCESS_KEY_ID")):
        return None, ""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-central-1"
    prefix = "" if endpoint else f"ai-admin-{os.environ.get('AI_ADMIN_STAGE', 'prod')}-"  # moto: all its queues
    return boto3.client("sqs", region_name=region, endpoint_url=endpoint), prefix


def cmd_salon_add(args: argparse.Namespace) -> int:
    from ai_admin.adapters.httpx_yclients import YClientsClient
    from ai_admin.local.salon_onboarding import NewSalon, OnboardingError, add_salon
    from ai_admin.settings import YClientsSettings

    salon = NewSalon(
        company_id=args.company,
        phone_number_id=args.phone_number_id,
        timezone=args.timezone,
        admins=tuple(args.admin or ()),
        reminders_from=args.reminders_from,
        reminders_to=args.reminders_to,
        pause_bot=args.pause_bot,
        pause_hours=args.pause_hours,
    )
    running = _running(args) or {}
    yclients_env = {k: v for k, v in running.items() if k.startswith("YCLIENTS_")} | _explicit_env()
    try:
        config = YClientsSettings.model_validate(
            {k.removeprefix("YCLIENTS_").lower(): v for k, v in yclients_env.items() if k.startswith("YCLIENTS_")}
        )
    except ValueError:
        raise CliError("setting error: YCLIENTS_PARTNER_TOKEN is not set (and no local stack is running)") from None
    yclients = YClientsClient(config, _OneCall())
    try:
        with _database(args) as conn:
            added = add_salon(conn, yclients, salon, update=args.update)
    except OnboardingError as error:
        raise CliError(f"salon not added: {error}") from None
    finally:
        yclients.close()
    verb = "updated" if added.updated else "added"
    print(f"salon {added.company_id} ({added.title}) {verb} in {_shown(_database_url(args))}")
    print(f"  WhatsApp phone_number_id {salon.phone_number_id}, time zone {added.timezone}")
    print(f"  administrators: {', '.join(added.admins) or 'none (hand-offs will tell the client to call the salon)'}")
    print(f"  settings: {json.dumps(added.settings, ensure_ascii=False)}")
    print("next: ai-admin sync all --full --company", added.company_id, "(the schedules sync it from then on);")
    print("      ai-admin yclients-webhook-url --company", added.company_id, "gives the URL to enter in its YClients")
    return 0


class _OneCall:
    """The rate limiter of a one-off console call: a single request does not need the shared budget."""

    def acquire(self) -> None:
        return None


def cmd_handoff(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from ai_admin.adapters.postgres_handoffs import PostgresHandoffs
    from ai_admin.adapters.postgres_session import PostgresSession
    from ai_admin.domain.phones import mask
    from ai_admin.local.sync_console import age

    url = _database_url(args)
    session = PostgresSession(PostgresSettings.model_validate({"url": url}))
    store = PostgresHandoffs(session)
    now = datetime.now(UTC)
    try:
        [[companies]] = session.run("SELECT array_agg(company_id ORDER BY company_id) FROM companies")
        wanted = [args.company] if args.company is not None else list(companies or [])
        open_ = [h for company in wanted for h in store.open_handoffs(company)]
        if args.action == "list":
            for h in open_:
                since = age((now - h.opened_at).total_seconds())
                client = mask(h.client_phone or "")
                print(f"#{h.handoff_id} salon {h.company_id} {client} open {since} ({h.notice.value}): {h.reason}")
            if not open_:
                print("no open hand-offs")
            return 0
        if not args.target:
            raise CliError("handoff close needs the client's phone or the hand-off's #id")
        if args.target.lstrip("#").isdigit() and len(args.target.lstrip("#")) < 9:
            chosen = [h for h in open_ if h.handoff_id == int(args.target.lstrip("#"))]
        else:
            phone = _phone(args.target)
            chosen = [h for h in open_ if h.client_phone == phone]
        if not chosen:
            raise CliError(f"no open hand-off for {args.target}")
        for h in chosen:
            store.close(h.handoff_id, "cli", now)
            client = mask(h.client_phone or "")
            print(f"closed hand-off #{h.handoff_id} (salon {h.company_id}, {client}): the bot answers again")
        return 0
    finally:
        session.close()


def _add_operator_commands(sub: Any) -> None:
    client = sub.add_parser("client", help="what we hold about a client: profile, money, visits, records, messages")
    client.add_argument("phone", help="the client's phone, any format (+7 916 123-45-67, 89161234567 ...)")
    client.add_argument("--company", type=int, help="one salon's company id (default: every salon that knows it)")
    client.add_argument("--reveal", action="store_true", help="print phones and names in clear (not for logs)")
    client.set_defaults(run=cmd_client)

    monitor = sub.add_parser("monitor", help="live view: queues and DLQs, hand-offs, sync runs, failures")
    monitor.add_argument(
        "--once", action="store_true", help="print one look and exit (1 when something needs attention)"
    )
    monitor.add_argument("--json", action="store_true", help="one look as JSON (implies --once)")
    monitor.add_argument("--every", type=float, default=2.0, help="seconds between refreshes (default 2)")
    monitor.set_defaults(run=cmd_monitor)

    salon = sub.add_parser("salon", help="salons served").add_subparsers(dest="salon_command", required=True)
    add = salon.add_parser("add", help="onboard a salon: checked against YClients, written to companies")
    add.add_argument("--company", type=int, required=True, help="the salon's YClients company (branch) id")
    add.add_argument("--phone-number-id", required=True, help="the WhatsApp Cloud API phone_number_id of its number")
    add.add_argument("--timezone", help="IANA time zone (default: the one YClients has, e.g. Europe/Moscow)")
    add.add_argument("--admin", action="append", help="an administrator's WhatsApp number for hand-offs (repeat)")
    add.add_argument("--reminders-from", help="evening reminder window start, HH:MM salon time (default 19:00)")
    add.add_argument("--reminders-to", help="evening reminder window end, HH:MM (default 21:00)")
    add.add_argument(
        "--pause-bot",
        action=argparse.BooleanOptionalAction,
        help="stay quiet while an administrator has a client's hand-off (default: yes)",
    )
    add.add_argument("--pause-hours", type=float, help="an open hand-off expires after these hours (default 12)")
    add.add_argument("--update", action="store_true", help="change a salon that is already here")
    add.set_defaults(run=cmd_salon_add)

    handoff = sub.add_parser("handoff", help="hand-offs to administrators: list the open ones, or close one")
    handoff.add_argument("action", choices=["list", "close"])
    handoff.add_argument("target", nargs="?", help="with close: the client's phone, or #id")
    handoff.add_argument("--company", type=int, help="one salon's company id (default: every salon)")
    handoff.set_defaults(run=cmd_handoff)


def cmd_eval(args: argparse.Namespace) -> int:
    from ai_admin.local.eval.command import EvalOptions, run_eval

    options = EvalOptions(
        paths=args.paths,
        runs=args.runs,
        brain=args.brain,
        json_out=Path(args.json) if args.json else None,
        seed=args.seed,
        step_timeout_s=args.step_timeout,
        verbose=args.verbose,
        transcript=args.transcript,
        allow_remote_database=args.allow_remote_database,
    )
    from ai_admin.local import services

    try:
        return run_eval(options, root=_root(args))
    except services.RemoteDatabaseRefused as error:
        raise CliError(str(error)) from None


def _add_eval(sub: Any) -> None:
    evaluate = sub.add_parser("eval", help="play dialog scenarios through the local product and print the scorecard")
    evaluate.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders (*.yaml)")
    evaluate.add_argument("--runs", type=int, default=1, help="replays per scenario, varied after the first (pass^k)")
    evaluate.add_argument("--brain", choices=["offline", "llm", "scripted"], default="offline")
    evaluate.add_argument("--json", metavar="OUT", help="write the scorecard as JSON to this file")
    evaluate.add_argument("--seed", type=int, default=1, help="variation seed of runs 2..K (printed)")
    evaluate.add_argument("--step-timeout", type=float, default=30.0, help="seconds a step may keep the product busy")
    evaluate.add_argument("--verbose", action="store_true", help="handler logs at INFO on stderr")
    evaluate.add_argument("--transcript", action="store_true", help="print the dialog of every failed run")
    evaluate.set_defaults(run=cmd_eval)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ai-admin", description=__doc__)
    parser.add_argument("--template", help="path to template.yaml (default: found from the current folder)")
    parser.add_argument(
        "--state-dir",
        default=os.environ.get("AI_ADMIN_LOCAL_DIR"),
        help="the local stack's folder: its servers' data and stack.env (default <project>/.local; AI_ADMIN_LOCAL_DIR)",
    )
    parser.add_argument(
        "--allow-remote-database",
        action="store_true",
        default=os.environ.get("AI_ADMIN_ALLOW_REMOTE_DATABASE") == "1",
        help="let a local stack use a DATABASE_URL on another machine (AI_ADMIN_ALLOW_REMOTE_DATABASE=1)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    migrate = db.add_parser("migrate", help="apply pending migrations (a no-op when up to date)")
    migrate.add_argument("--database-url", help="default: DATABASE_URL, else the running local stack's")
    migrate.set_defaults(run=cmd_db_migrate)

    invoke = sub.add_parser("invoke", help="run a template function locally (like `sam local invoke`)")
    invoke.add_argument("logical_id", help="the function's logical id in template.yaml, e.g. HealthFunction")
    invoke.add_argument("--event", "-e", help="JSON event file (default: {})")
    invoke.set_defaults(run=cmd_invoke)

    stack = sub.add_parser("stack", help="run the whole product locally in the foreground")
    stack.add_argument("--port", type=int, default=3000, help="HTTP API port (default 3000)")
    stack.add_argument("--no-sync", action="store_true", help="skip the full sync of the fake salon at start")
    stack.add_argument("--no-schedules", action="store_true", help="do not run the template's scheduled jobs")
    stack.set_defaults(run=cmd_stack)

    _add_fakes(sub)
    _add_client_commands(sub)

    sync = sub.add_parser("sync", help="run sync jobs locally (planner -> SQS -> parallel workers), or show status")
    sync.add_argument(
        "job", choices=["all", "status", "company", "services", "staff", "schedules", "clients", "bookings"]
    )
    sync.add_argument("--full", action="store_true", help="full run instead of incremental")
    sync.add_argument("--company", type=int, help="one salon's company id (default: every active salon)")
    sync.add_argument("--limit", type=int, default=20, help="with status: how many recent runs")
    sync.set_defaults(run=cmd_sync)
    remind = sub.add_parser("remind", help="run the reminder job once against the local stack (ReminderFunction)")
    remind.add_argument("--company", type=int, help="one salon's company id (default: every active salon)")
    remind.add_argument("--at", help="as of this moment, ISO 8601 (without an offset: Moscow time); default now")
    remind.set_defaults(run=cmd_remind)
    hook = sub.add_parser("yclients-webhook-url", help="the record-webhook URL to enter in a salon's YClients")
    hook.add_argument("--company", type=int, required=True, help="the salon's YClients company id")
    hook.add_argument("--base-url", help="the HTTP API's base URL (default: the running stack's)")
    hook.add_argument("--master-secret", help="default: YCLIENTS_WEBHOOK_SECRET")
    hook.set_defaults(run=cmd_yclients_webhook_url)
    _add_eval(sub)
    _add_operator_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except (CliError, SettingsError) as error:
        print(f"ai-admin: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
