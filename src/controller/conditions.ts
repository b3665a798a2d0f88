import type { ConditionType, Reason } from '../api/v1alpha1/conditions.js';
import type { Condition } from '../api/v1alpha1/types.js';

export interface ConditionInput {
  type: ConditionType;
  status: Condition['status'];
  reason: Reason;
  message: string;
}

/**
 * The conditions with `input` set for `generation`, as apimachinery's SetStatusCondition does:
 * lastTransitionTime moves only when the status flips, so rewriting an unchanged condition leaves
 * the object unchanged and reconcile writes nothing.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  generation: number,
  now: Date,
): Condition[] {
  const existing = conditions?.find((c) => c.type === input.type);
  const next: Condition = {
    ...input,
    observedGeneration: generation,
    lastTransitionTime: existing && existing.status === input.status ? existing.lastTransitionTime : now.toISOString(),
  };
  const others = (conditions ?? []).filter((c) => c.type !== input.type);
  return [...others, next].sort((a, b) => a.type.localeCompare(b.type));
}

export function setConditions(
  conditions: readonly Condition[] | undefined,
  inputs: readonly ConditionInput[],
  generation: number,
  now: Date,
): Condition[] {
  return inputs.reduce<Condition[]>((acc, input) => setCondition(acc, input, generation, now), [...(conditions ?? [])]);
}
