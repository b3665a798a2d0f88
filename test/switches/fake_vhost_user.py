#!/usr/bin/env python3
"""A vhost-user server that answers VHOST_USER_GET_FEATURES the way Snabb's vhost_user app does
(flags 5, an 8-byte payload) and nothing else: enough for test/switches/run.sh to check the logic of
sb-switch-snabb's startup probe without Snabb.

    fake_vhost_user.py [--no-version-1] SOCKET...

Serves every SOCKET until killed, one connection at a time, each until its peer closes it."""
import os
import socket
import struct
import sys
import threading

GET_FEATURES = 1
MRG_RXBUF = 1 << 15
VERSION_1 = 1 << 32


def serve(path: str, features: int) -> None:
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    while True:
        conn, _ = server.accept()
        with conn:
            while header := conn.recv(12, socket.MSG_WAITALL):
                if len(header) < 12:
                    break
                request, _, size = struct.unpack('<III', header)
                if size:
                    conn.recv(size, socket.MSG_WAITALL)
                if request == GET_FEATURES:
                    conn.sendall(struct.pack('<IIIQ', GET_FEATURES, 5, 8, features))


def main() -> None:
    args = sys.argv[1:]
    features = MRG_RXBUF | VERSION_1
    if args and args[0] == '--no-version-1':
        features = MRG_RXBUF
        args = args[1:]
    threads = [threading.Thread(target=serve, args=(path, features), daemon=True) for path in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == '__main__':
    main()
