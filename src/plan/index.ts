import type { MethodType } from '../api/v1alpha1/types.js';
import { ndrPdr } from './ndr-pdr.js';
import { max, sweep, type Method } from './trials.js';

export type { Method, TrialRequest } from './trials.js';

/** The method of a spec; undefined for a method this build cannot run (the controller says so). */
export function methodFor(type: MethodType): Method | undefined {
  switch (type) {
    case 'sweep':
      return sweep;
    case 'max':
      return max;
    case 'ndr-pdr':
      return ndrPdr;
  }
}
