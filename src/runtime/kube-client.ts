import https from 'node:https';
import {
  createConfiguration,
  ServerConfiguration,
  type ApiConstructor,
  type ApiType,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
  type SecurityAuthentication,
} from '@kubernetes/client-node';

/** The TLS settings of an agent: two agents with equal settings can share connections. */
const TLS_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

export function tlsIdentity(options: Partial<Record<(typeof TLS_OPTIONS)[number], unknown>>): string {
  return JSON.stringify(
    TLS_OPTIONS.map((name) =>
      Buffer.isBuffer(options[name]) ? options[name].toString('base64') : (options[name] ?? null),
    ),
  );
}

/**
 * client-node 1.4 gives every request a new https.Agent: a TLS handshake, a freshly parsed CA
 * and client certificate, and a socket per request. Under a burst of reconciles that is the
 * operator's largest transient memory cost. This authentication keeps what the kubeconfig applies
 * (headers, tokens, exec plugins, files re-read on rotation) and hands the request one keep-alive
 * agent per distinct TLS identity instead, so connections are reused.
 */
class SharedAgentAuthentication implements SecurityAuthentication {
  private agent: https.Agent | undefined;
  private identity = '';

  constructor(private readonly kubeConfig: KubeConfig) {}

  getName(): string {
    return 'kubeconfig-shared-agent';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kubeConfig.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!(fresh instanceof https.Agent)) return; // proxies and plain http keep client-node's own agent
    const identity = tlsIdentity(fresh.options);
    if (!this.agent || identity !== this.identity) {
      // A rotated certificate gets a new agent; the old one's idle sockets close on their timeout.
      this.agent = new https.Agent({ ...fresh.options, keepAlive: true, maxFreeSockets: 4, timeout: 60_000 });
      this.identity = identity;
    }
    context.setAgent(this.agent);
  }
}

/** A shared agent per KubeConfig, so every API client of one process shares its connections. */
const authentications = new WeakMap<KubeConfig, SharedAgentAuthentication>();

/** The kubeconfig's authentication, with one keep-alive agent per TLS identity. */
export function sharedAgentAuthentication(kubeConfig: KubeConfig): SecurityAuthentication {
  let authentication = authentications.get(kubeConfig);
  if (!authentication) {
    authentication = new SharedAgentAuthentication(kubeConfig);
    authentications.set(kubeConfig, authentication);
  }
  return authentication;
}

/** Told the HTTP method of every request sent with a KubeConfig's clients (the operator's own API load). */
export type RequestObserver = (method: string) => void;
const requestObservers = new WeakMap<KubeConfig, RequestObserver>();

/** Every client of this KubeConfig, made before or after, reports its requests to `observer`. */
export function observeRequests(kubeConfig: KubeConfig, observer: RequestObserver): void {
  requestObservers.set(kubeConfig, observer);
}

/** `kubeConfig.makeApiClient(Api)`, with connections reused across requests and clients. */
export function makeApiClient<T extends ApiType>(kubeConfig: KubeConfig, api: ApiConstructor<T>): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return new api(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: sharedAgentAuthentication(kubeConfig) },
      promiseMiddleware: [
        {
          pre: (context: RequestContext) => {
            requestObservers.get(kubeConfig)?.(context.getHttpMethod());
            return Promise.resolve(context);
          },
          post: (context: ResponseContext) => Promise.resolve(context),
        },
      ],
    }),
  );
}
