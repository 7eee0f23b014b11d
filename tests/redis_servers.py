"""Real redis-server processes for the tests: a single server and a 3-master Redis Cluster on
free loopback ports, each with a password, in temp dirs, stopped by pid."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PASSWORD = "test-redis-pw-3f9a"  # a throwaway server's password, not a secret


def have_redis() -> bool:
    return shutil.which("redis-server") is not None and shutil.which("redis-cli") is not None


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(cluster: bool = False) -> int:
    """A free loopback port (and, for a cluster node, its bus port +10000)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not cluster:
            return int(port)
        if port < 55000 and _free(port + 10000):
            return int(port)
    raise RuntimeError("no free port")


@dataclass
class Server:
    port: int
    directory: Path
    proc: subprocess.Popen[bytes]
    password: str = PASSWORD
    extra: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        scheme = "rediss" if "--tls-port" in self.extra else "redis"
        return f"{scheme}://127.0.0.1:{self.port}"

    def client(self, **kw: Any) -> Any:
        import redis

        return redis.Redis(
            host="127.0.0.1", port=self.port, password=self.password, decode_responses=True, **kw
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGCONT)
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def start(directory: Path, *extra: str, port: int | None = None, tls: bool = False) -> Server:
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port(cluster="--cluster-enabled" in extra)
    listen = ["--port", "0", "--tls-port", str(port)] if tls else ["--port", str(port)]
    argv = [
        "redis-server",
        *listen,
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(directory),
        "--requirepass",
        PASSWORD,
        *extra,
    ]
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=directory
    )
    server = Server(port, directory, proc, extra=list(argv[argv.index("--bind") :]))
    if tls:
        server.extra.append("--tls-port")
    _wait_listening(server)
    return server


def _wait_listening(server: Server) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"redis-server on {server.port} exited ({server.proc.returncode})")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", server.port)) == 0:
                return
        time.sleep(0.02)
    server.stop()
    raise RuntimeError(f"redis-server on {server.port} did not start")


@dataclass
class Cluster:
    nodes: list[Server]
    password: str = PASSWORD

    @property
    def port(self) -> int:
        return self.nodes[0].port

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def client(self) -> Any:
        from redis.cluster import RedisCluster

        return RedisCluster(
            host="127.0.0.1", port=self.port, password=self.password, decode_responses=True
        )

    def flush(self) -> None:
        for node in self.nodes:
            node.client().flushall()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def start_cluster(directory: Path, masters: int = 3) -> Cluster:
    nodes: list[Server] = []
    try:
        for n in range(masters):
            nodes.append(
                start(
                    directory / f"node{n}",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--masterauth",
                    PASSWORD,
                )
            )
        addresses = [f"127.0.0.1:{s.port}" for s in nodes]
        subprocess.run(
            [
                "redis-cli",
                "--no-auth-warning",
                "-a",
                PASSWORD,
                "--cluster",
                "create",
                *addresses,
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        _wait_cluster_ok(nodes)
    except BaseException:
        for s in nodes:
            s.stop()
        raise
    return Cluster(nodes)


def _wait_cluster_ok(nodes: list[Server]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = [_cluster_state(n) for n in nodes]
        if all(s == "ok" for s in states):
            return
        time.sleep(0.1)
    raise RuntimeError("the test cluster did not reach cluster_state:ok")


def _cluster_state(node: Server) -> str:
    info = str(node.client().execute_command("CLUSTER", "INFO"))
    for line in info.splitlines():
        if line.startswith("cluster_state:"):
            return line.split(":", 1)[1].strip()
    return ""
