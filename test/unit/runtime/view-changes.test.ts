import { describe, expect, test } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { InformerEvent } from '../../../src/runtime/informer.js';
import { onViewChange } from '../../../src/runtime/view-changes.js';

type Labelled = KubernetesObject & { heartbeat?: number };
const object = (name: string, pool: string, heartbeat = 0): Labelled => ({
  metadata: { name, labels: { pool } },
  heartbeat,
});

describe('onViewChange', () => {
  const cases: { name: string; events: [InformerEvent, Labelled][]; passed: string[] }[] = [
    {
      name: 'a heartbeat that changes nothing in the view is dropped',
      events: [
        ['add', object('n1', 'a')],
        ['update', object('n1', 'a', 1)],
        ['update', object('n1', 'a', 2)],
      ],
      passed: ['add n1'],
    },
    {
      name: 'a change of the view passes, and the next heartbeat after it does not',
      events: [
        ['add', object('n1', 'a')],
        ['update', object('n1', 'b', 1)],
        ['update', object('n1', 'b', 2)],
      ],
      passed: ['add n1', 'update n1'],
    },
    {
      name: 'objects are told apart by name',
      events: [
        ['add', object('n1', 'a')],
        ['add', object('n2', 'a')],
        ['update', object('n2', 'b')],
      ],
      passed: ['add n1', 'add n2', 'update n2'],
    },
    {
      name: 'deletes always pass, and an object made again under the name is new',
      events: [
        ['add', object('n1', 'a')],
        ['delete', object('n1', 'a')],
        ['add', object('n1', 'a')],
      ],
      passed: ['add n1', 'delete n1', 'add n1'],
    },
    {
      name: 'an update of an object not seen before (the cache filled before the handler) passes',
      events: [['update', object('n1', 'a')]],
      passed: ['update n1'],
    },
  ];
  test.each(cases)('$name', ({ events, passed }) => {
    const got: string[] = [];
    const handler = onViewChange<Labelled>(
      (o) => JSON.stringify(o.metadata?.labels),
      (event, o) => got.push(`${event} ${o.metadata?.name}`),
    );
    for (const [event, o] of events) handler(event, o);
    expect(got).toEqual(passed);
  });
});
