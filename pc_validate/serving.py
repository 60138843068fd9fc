"""`pc-validate serve`: the command around the service (service.py): it checks what it
needs, sets up the log (stderr), and serves over HTTP (server.py, the server extra) or --stdio
(stdio.py, no extra). It exits 2 with a message when it cannot start."""

from __future__ import annotations

from typing import BinaryIO, TextIO

from pc_validate.report import printable
from pc_validate.service import LEVELS, Log, Options, Service


def serve(
    options: Options,
    *,
    stdio: bool,
    host: str,
    port: int,
    log_level: str,
    stdin: BinaryIO,
    out: TextIO,
    err: TextIO,
) -> int:
    """`pc-validate serve`: 2 when it cannot start (the server extra missing, an address it
    cannot listen on; a broken rule file raises RuleFileError first), else it serves until
    stdin closes (--stdio) or a signal stops it."""
    if not stdio:
        try:
            import fastapi  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError as exc:
            err.write(
                f"pc-validate: serve needs the server extra ({exc.name} is not installed): "
                "pip install 'pc-validate[server]'; or use serve --stdio, which needs none\n"
            )
            return 2
    service = Service(options, Log(err.write, LEVELS[log_level]))
    if stdio:
        from pc_validate.stdio import serve_stdio

        return serve_stdio(service, stdin, out, err)
    import ipaddress

    from pc_validate import server

    try:
        sock = server.listening_socket(host, port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        err.write(printable(f"pc-validate: cannot listen on {host} port {port}: {reason}") + "\n")
        return 2
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if not ipaddress.ip_address(bound_host.split("%")[0]).is_loopback:
        err.write(
            "pc-validate: warning: listening beyond this machine; the service has no "
            "authentication, so anyone who can reach it can use it\n"
        )
    err.write(f"pc-validate: serving on http://{shown}:{bound_port} (Ctrl-C stops)\n")
    err.flush()
    with sock:
        server.run(service, sock, log_level)
    return 0
