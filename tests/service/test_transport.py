"""With --workers N uvicorn binds the socket itself and asyncio leaves Nagle on: our protocol turns it off."""
from __future__ import annotations

import asyncio
import socket

from uvicorn.config import Config
from uvicorn.server import ServerState

from checker.service.app import NoDelayH11Protocol


def _nodelay_on_accepted_connection(protocol_class) -> int:
    async def run() -> int:
        config = Config(app=lambda *a: None, lifespan="off", log_level="warning")
        config.load()
        made: list = []

        def factory():
            proto = protocol_class(config=config, server_state=ServerState(), app_state={})
            made.append(proto)
            return proto

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn's bind_socket makes it
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        server = await asyncio.get_running_loop().create_server(factory, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(100):
            if made and made[0].transport is not None:
                break
            await asyncio.sleep(0.01)
        value = made[0].transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        server.close()
        return value

    return asyncio.run(run())


def test_accepted_connections_have_tcp_nodelay():
    # (uvicorn's own H11Protocol gives 0 here on Python 3.11: every response then waits ~40 ms for a delayed ACK)
    assert _nodelay_on_accepted_connection(NoDelayH11Protocol) != 0
