"""Web commands: ``gknb serve`` (the review workspace and REST API), ``gknb user …``, ``gknb token``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import DbOpt
from .common import console as _console
from .common import fail as _fail

if TYPE_CHECKING:
    from ..workspace.service import Workspace

SAMPLES = Path(__file__).parent.parent / "samples"  # gknb/samples: the bundled sample reports
user_app = typer.Typer(help="工作台用户：新建、修改、列出。Workspace users: add, change, list.", no_args_is_help=True)


def _workspace(db: str | None) -> Workspace:
    try:
        from ..store import Store
        from ..workspace.service import Workspace
    except ImportError as exc:  # argon2 is part of the web extra
        raise _fail(f"缺少网页组件（{exc.name}）：请安装 gknb[web]",
                    f"the web extra is missing ({exc.name}): pip install 'gknb[web]'") from exc
    return Workspace(Store.open(db))


def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="读取上传文件的进程数 / processes reading uploads")] = 1,
    samples: Annotated[bool, typer.Option("--samples", help="先导入内置样例报告 / load the bundled sample reports first")] = False,
    secure_cookies: Annotated[bool, typer.Option(help="仅经 HTTPS 发送会话 Cookie / HTTPS-only session cookie")] = False,
    allow_private_urls: Annotated[bool, typer.Option(
        help="允许上传内网或本机网址 / let uploaded URLs reach private and local addresses")] = False,
) -> None:
    """启动审核工作台与 REST API。Start the review workspace and the REST API."""
    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError as exc:
        raise _fail(f"缺少网页组件（{exc.name}）：请安装 gknb[web]",
                    f"the web extra is missing ({exc.name}): pip install 'gknb[web]'") from exc
    if not allow_private_urls:  # uploaded URLs are fetched by this server for others: public ones only
        from ..ingest.fetch import PUBLIC_ONLY_ENV

        os.environ[PUBLIC_ONLY_ENV] = "1"  # inherited by the worker processes that fetch
    work = _workspace(db)
    console = _console()
    if samples:
        from ..pipeline.bulk import ingest

        summary = ingest(work.store, [str(SAMPLES)])
        console.print(f"样例报告 / sample reports: {summary.count('stored')} 新入库 stored, "
                      f"{summary.count('duplicate')} 已有 already there")
    if not work.has_users():
        password = os.environ.get("GKNB_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        work.add_user("admin", password, role="admin")
        shown = "（取自 GKNB_ADMIN_PASSWORD）/ (from GKNB_ADMIN_PASSWORD)" if os.environ.get("GKNB_ADMIN_PASSWORD") \
            else password
        console.print(f"[bold]已创建管理员 / created the admin user[/]: admin  密码 / password: [bold]{shown}[/]"
                      "\n  （只显示这一次；可用 gknb user set admin --password 修改 / shown once; change it with "
                      "gknb user set admin --password）")
    work.store.close()
    console.print(f"工作台 / workspace: http://{host}:{port}/   API: http://{host}:{port}/api/docs")
    uvicorn.run(create_app(db, jobs=jobs, secure_cookies=secure_cookies), host=host, port=port, log_level="warning")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="用户名 / user name")],
    role: Annotated[str, typer.Option(help="admin | reviewer | viewer | agency（填报人）")] = "viewer",
    region: Annotated[str | None, typer.Option(help="只能查看该地区（省/市/县名）/ region scope")] = None,
    password: Annotated[str | None, typer.Option(help="密码；不给则提示输入 / password; prompted when absent")] = None,
    db: DbOpt = None,
) -> None:
    """新建用户。Add a user."""
    from ..workspace.service import WorkspaceError

    secret = password or typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)
    try:
        user = _workspace(db).add_user(name, secret, role=role, region=region)
    except WorkspaceError as error:
        raise _fail(error.message, error.message_en) from error
    _console().print(f"{user.name}: {user.role} {user.region or ''}")


@user_app.command("set")
def user_set(
    name: Annotated[str, typer.Argument(help="用户名 / user name")],
    role: Annotated[str | None, typer.Option(help="admin | reviewer | viewer | agency（填报人）")] = None,
    region: Annotated[str | None, typer.Option(help="地区范围，空字符串为全部 / region scope ('' for all)")] = None,
    password: Annotated[bool, typer.Option("--password", help="修改密码（提示输入）/ change the password (prompted)")] = False,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="启用或停用 / enable or disable")] = None,
    unit: Annotated[str | None, typer.Option(help="填报人的单位全称（docs/drafting.md）/ the unit of an agency user")] = None,
    db: DbOpt = None,
) -> None:
    """修改用户的角色、地区范围、密码、状态或填报单位。Change a user's role, region, password, state or unit."""
    from ..workspace.service import WorkspaceError

    secret = typer.prompt("新密码 / new password", hide_input=True, confirmation_prompt=True) if password else None
    try:
        work = _workspace(db)
        user = work.update_user(name, password=secret, role=role, region=region, active=active)
        if unit is not None:
            from ..workspace.drafts import Drafts

            unit = Drafts(work.store).assign_unit(name, unit)
    except WorkspaceError as error:
        raise _fail(error.message, error.message_en) from error
    _console().print(f"{user.name}: {user.role} {user.region or ''}{' · ' + unit if unit else ''}")


@user_app.command("list")
def user_list(db: DbOpt = None) -> None:
    """列出用户。List the users."""
    for user in _workspace(db).users():
        _console().print(f"{user.name}\t{user.role}\t{user.region or '—'}")


def token(
    name: Annotated[str, typer.Argument(help="用户名 / user name")],
    label: Annotated[str, typer.Option(help="令牌名称 / token name")] = "api",
    db: DbOpt = None,
) -> None:
    """为用户新建 API 令牌（只显示一次）。Create an API token for a user (shown once)."""
    from ..workspace.service import WorkspaceError

    try:
        typer.echo(_workspace(db).create_token(name, label))
    except WorkspaceError as error:
        raise _fail(error.message, error.message_en) from error


def register(app: typer.Typer) -> None:
    """Add the web commands to the ``gknb`` app."""
    app.command("serve")(serve)
    app.command("token")(token)
    app.add_typer(user_app, name="user")
