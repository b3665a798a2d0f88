#!/usr/bin/env python3
"""testpmd's own view of the switch, through its DPDK telemetry socket. Usage:
  testpmd-telemetry.py PREFIX ready     exit 0 once ports 0 and 1 are listed and started with their
                                        queues (testpmd starts the ports, then forwarding)
  testpmd-telemetry.py PREFIX counters  print IN_RX IN_DROPPED OUT_TX OUT_DROPPED (sb-switch-lib.sh's
                                        serve_counters): port 0 faces the sender, port 1 the receiver
"""
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


def connect(prefix):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.settimeout(5)
    try:
        sock.connect(telemetry_socket(prefix))
    except OSError as err:
        sock.close()
        raise RuntimeError(f'no telemetry from testpmd yet ({err})') from err
    sock.recv(1024)  # the greeting: version, pid, maximum output length
    return sock


def not_ready(prefix):
    """None when ready, else why not."""
    try:
        sock = connect(prefix)
    except RuntimeError as err:
        return str(err)
    with sock:
        ports = query(sock, '/ethdev/list')
        if ports != [0, 1]:
            return f'ports {ports}, expected [0, 1]'
        for port in ports:
            info = query(sock, f'/ethdev/info,{port}')
            queues = info.get('rxq_state', []) + info.get('txq_state', [])
            if info.get('dev_started') != 1 or not queues or 0 in queues:
                return f'port {port} ({info.get("name")}) is not started'
    return None


def counters(prefix):
    """The net_vhost ports' ethdev statistics: frames testpmd dequeued from the sender's virtqueue
    (port 0's ipackets) or could not take (imissed, rx_nombuf, ierrors), and frames it enqueued into
    the receiver's virtqueue (port 1's opackets). What the receiver's full virtqueue refused, the
    vhost PMD of DPDK 22.11 counts nowhere (oerrors stays 0; testpmd frees them as its TX-dropped,
    which telemetry does not show). io forwarding sends every frame it takes from port 0 to port 1
    and nothing flows the other way, so those are exactly port 0's ipackets less port 1's opackets."""
    with connect(prefix) as sock:
        sender, receiver = (query(sock, f'/ethdev/stats,{port}') for port in (0, 1))
    dropped = sender['imissed'] + sender['rx_nombuf'] + sender['ierrors']
    refused = max(0, sender['ipackets'] - receiver['opackets']) + receiver['oerrors']
    return f"{sender['ipackets']} {dropped} {receiver['opackets']} {refused}"


if __name__ == '__main__':
    prefix, command = sys.argv[1:3]
    if command == 'ready':
        reason = not_ready(prefix)
        if reason:
            print(f'testpmd not ready: {reason}', file=sys.stderr)
            sys.exit(1)
        print('testpmd ready: ports 0 and 1 started')
    elif command == 'counters':
        try:
            print(counters(prefix))
        except (RuntimeError, OSError, KeyError, ValueError) as err:
            print(f'testpmd counters: {err}', file=sys.stderr)
            sys.exit(1)
    else:
        sys.exit(f'usage: {sys.argv[0]} PREFIX ready|counters')
