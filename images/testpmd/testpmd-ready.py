#!/usr/bin/env python3
"""Readiness of the testpmd switch, by testpmd's own view: its telemetry lists ports 0 and 1, both
started with their queues (testpmd starts the ports, then forwarding). Usage: testpmd-ready.py PREFIX"""
import json
import os
import socket
import sys


def telemetry_socket(prefix):
    # DPDK's runtime directory rule: /var/run/dpdk for root, else $XDG_RUNTIME_DIR/dpdk or /tmp/dpdk.
    base = '/var/run' if os.getuid() == 0 else os.environ.get('XDG_RUNTIME_DIR', '/tmp')
    return os.path.join(base, 'dpdk', prefix, 'dpdk_telemetry.v2')


def query(sock, command):
    sock.send(command.encode())
    return json.loads(sock.recv(1 << 16))[command.split(',')[0]]


def not_ready(prefix):
    """None when ready, else why not."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as sock:
        sock.settimeout(5)
        try:
            sock.connect(telemetry_socket(prefix))
        except OSError as err:
            return f'no telemetry from testpmd yet ({err})'
        sock.recv(1024)  # the greeting: version, pid, maximum output length
        ports = query(sock, '/ethdev/list')
        if ports != [0, 1]:
            return f'ports {ports}, expected [0, 1]'
        for port in ports:
            info = query(sock, f'/ethdev/info,{port}')
            queues = info.get('rxq_state', []) + info.get('txq_state', [])
            if info.get('dev_started') != 1 or not queues or 0 in queues:
                return f'port {port} ({info.get("name")}) is not started'
    return None


if __name__ == '__main__':
    reason = not_ready(sys.argv[1])
    if reason:
        print(f'testpmd not ready: {reason}', file=sys.stderr)
        sys.exit(1)
    print('testpmd ready: ports 0 and 1 started')
