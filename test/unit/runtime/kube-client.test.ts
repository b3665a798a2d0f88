import https from 'node:https';
import { CoreV1Api, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { makeApiClient, sharedAgentAuthentication, tlsIdentity } from '../../../src/runtime/kube-client.js';

function kubeConfig(server: string, caData: string, token = 't0'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, caData: Buffer.from(caData).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

function clusterOf(kc: KubeConfig) {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster');
  return cluster;
}

async function agentOf(kc: KubeConfig, path = '/api'): Promise<{ agent: unknown; headers: Record<string, string> }> {
  const context = new RequestContext(`${clusterOf(kc).server}${path}`, 'GET' as never);
  await sharedAgentAuthentication(kc).applySecurityAuthentication(context);
  return { agent: context.getAgent(), headers: context.getHeaders() };
}

describe('tlsIdentity', () => {
  const cases: [string, Parameters<typeof tlsIdentity>[0], Parameters<typeof tlsIdentity>[0], boolean][] = [
    ['equal strings', { ca: 'A', rejectUnauthorized: true }, { ca: 'A', rejectUnauthorized: true }, true],
    ['a buffer equals its bytes elsewhere', { ca: Buffer.from('A') }, { ca: Buffer.from('A') }, true],
    ['another CA', { ca: Buffer.from('A') }, { ca: Buffer.from('B') }, false],
    ['another client certificate', { cert: 'C1', key: 'K' }, { cert: 'C2', key: 'K' }, false],
    ['verification switched off', { ca: 'A', rejectUnauthorized: true }, { ca: 'A', rejectUnauthorized: false }, false],
    ['an unset option equals a missing one', { ca: 'A', servername: undefined }, { ca: 'A' }, true],
  ];
  it.each(cases)('%s', (_name, a, b, equal) => {
    expect(tlsIdentity(a) === tlsIdentity(b)).toBe(equal);
  });
});

describe('sharedAgentAuthentication', () => {
  it('hands every request of one kubeconfig the same keep-alive agent, with its credentials applied', async () => {
    const kc = kubeConfig('https://127.0.0.1:6443', 'ca-1');
    const first = await agentOf(kc, '/api');
    const second = await agentOf(kc, '/apis/switchbench.io/v1alpha1');
    expect(first.agent).toBeInstanceOf(https.Agent);
    expect(second.agent).toBe(first.agent);
    expect((first.agent as https.Agent).options.keepAlive).toBe(true);
    expect(second.headers.Authorization).toBe('Bearer t0');
    (first.agent as https.Agent).destroy();
  });

  it('makes a new agent when the TLS identity changes (a rotated CA)', async () => {
    const kc = kubeConfig('https://127.0.0.1:6443', 'ca-1');
    const before = await agentOf(kc);
    const cluster = clusterOf(kc);
    kc.clusters = [{ ...cluster, caData: Buffer.from('ca-2').toString('base64') }];
    const after = await agentOf(kc);
    expect(after.agent).not.toBe(before.agent);
    expect((after.agent as https.Agent).options.ca?.toString()).toBe('ca-2');
    (before.agent as https.Agent).destroy();
    (after.agent as https.Agent).destroy();
  });

  it('does not share agents between kubeconfigs', async () => {
    const a = await agentOf(kubeConfig('https://127.0.0.1:6443', 'ca-1'));
    const b = await agentOf(kubeConfig('https://127.0.0.1:6443', 'ca-1'));
    expect(a.agent).not.toBe(b.agent);
    (a.agent as https.Agent).destroy();
    (b.agent as https.Agent).destroy();
  });

  it('leaves plain-http clusters to client-node', async () => {
    const kc = kubeConfig('http://127.0.0.1:8080', 'unused');
    kc.clusters = [{ ...clusterOf(kc), skipTLSVerify: true }];
    const { agent } = await agentOf(kc);
    expect(agent).not.toBeInstanceOf(https.Agent);
  });

  it('refuses a kubeconfig without a current cluster', () => {
    expect(() => makeApiClient(new KubeConfig(), CoreV1Api)).toThrow('the kubeconfig has no current cluster');
  });
});
