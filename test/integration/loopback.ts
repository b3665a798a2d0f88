// Loopback plumbing for tests that run the operator as a process: a free port to bind, and a TCP
// gate in front of the apiserver that holds every connection until opened (an apiserver that does
// not answer yet, without touching the real one).
import { connect, createServer, type Server, type Socket } from 'node:net';

export const freePort = (host = '127.0.0.1') =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/**
 * Listens on `host` (a port of its own) and forwards to `host:upstreamPort` once `open()` is called;
 * until then connections are accepted and left unanswered. TLS passes through untouched, so a
 * kubeconfig pointed at the gate's port verifies the apiserver's certificate as usual.
 */
export class ApiserverGate {
  private readonly held: Socket[] = [];
  private readonly sockets = new Set<Socket>();
  private opened = false;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly upstreamPort: number,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (this.opened) this.forward(socket);
      else this.held.push(socket.pause());
    });
  }

  static start(host: string, upstreamPort: number): Promise<ApiserverGate> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () =>
        resolve(new ApiserverGate(server, host, (server.address() as { port: number }).port, upstreamPort)),
      );
    });
  }

  /** Connections held so far: the client is waiting on the gate. */
  get waiting(): number {
    return this.held.length;
  }

  open(): void {
    this.opened = true;
    for (const socket of this.held.splice(0)) this.forward(socket);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private forward(socket: Socket): void {
    const upstream = connect(this.upstreamPort, this.host);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
    socket.resume();
  }
}
