import type { KubernetesObject } from '@kubernetes/client-node';
import type { InformerEvent } from './informer.js';

/**
 * An informer event handler that passes an event on only when `view` of the object changed since
 * the last one, as controller-runtime's predicates do: status heartbeats (a node's every few
 * seconds, a lease's renewals) change nothing the woken reconcilers read, and at fleet size they
 * would wake every waiting key many times a second. Adds and deletes always pass.
 */
export function onViewChange<T extends KubernetesObject>(
  view: (object: T) => string,
  handler: (event: InformerEvent, object: T) => void,
): (event: InformerEvent, object: T) => void {
  const seen = new Map<string, string>();
  return (event, object) => {
    const key = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    if (event === 'delete') {
      seen.delete(key);
    } else {
      const current = view(object);
      const previous = seen.get(key);
      seen.set(key, current);
      if (event === 'update' && previous === current) return;
    }
    handler(event, object);
  };
}
