import type { MethodName } from '../types.js';
import type { Method } from './method.js';
import { alenMethod } from './alen.js';
import { dvnMethod } from './dvn.js';
import { infnetMethod } from './infnet.js';
import { assertMethod } from '../hyperparams.js';

export type { Method, StepContext, PredictOptions } from './method.js';

/** The method implementing a name; the ALEN ablations differ only in hyper-parameters. */
export function getMethod(name: MethodName | string): Method {
  const m = assertMethod(name);
  switch (m) {
    case 'dvn':
      return dvnMethod();
    case 'infnet':
      return infnetMethod();
    default:
      return alenMethod(m);
  }
}
