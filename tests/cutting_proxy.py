"""A TCP proxy on 127.0.0.1 that cuts one connection in the middle of a request or of a
response, as a flaky mobile link or a Wi-Fi hand-over does (the hub's fault tests).

`cut_once(trigger, side, after)`: on the first connection whose request bytes contain
`trigger`, forward `after` more bytes of the request (side="request") or of the response
(side="response"), then close both ends. Every other byte passes unchanged."""

from __future__ import annotations

import socket
import threading


class CuttingProxy:
    def __init__(self, upstream_port: int):
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.rule: tuple[bytes, str, int] | None = None
        self.cuts = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_once(self, trigger: bytes, side: str, after: int) -> None:
        assert side in ("request", "response")
        self.rule = (trigger, side, after)

    def close(self) -> None:
        self.listener.close()
        for s in self._sockets:
            _close(s)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            self._sockets += [client, server]
            Connection(self, client, server).start()

    def _claim(self, seen: bytes) -> tuple[str, int] | None:
        """The rule, for the one connection that first shows its trigger."""
        with self._lock:
            if self.rule and self.rule[0] in seen:
                _, side, after = self.rule
                self.rule = None
                self.cuts += 1
                return side, after
        return None


class Connection:
    def __init__(self, proxy: CuttingProxy, client: socket.socket, server: socket.socket):
        self.proxy, self.client, self.server = proxy, client, server
        self.seen = b""  # the request bytes, until the trigger shows
        self.cut: tuple[str, int] | None = None
        self.left = 0

    def start(self) -> None:
        threading.Thread(target=self._pump, args=(self.client, self.server, "request")).start()
        threading.Thread(target=self._pump, args=(self.server, self.client, "response")).start()

    def _pump(self, src: socket.socket, dst: socket.socket, side: str) -> None:
        """Forward until either end closes; on the cut connection, stop `after` bytes past
        the packet that showed the trigger (side "request") or past the start of the
        response (side "response") and close both ends."""
        try:
            while data := src.recv(65536):
                if side == "request" and self.cut is None:
                    self.seen = (self.seen + data)[-65536:]
                    self.cut = self.proxy._claim(self.seen)
                    if self.cut:
                        self.left = self.cut[1]
                if self.cut and self.cut[0] == side:
                    if len(data) >= self.left:
                        dst.sendall(data[: self.left])
                        break
                    self.left -= len(data)
                dst.sendall(data)
        except OSError:
            pass
        _close(src)
        _close(dst)


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
