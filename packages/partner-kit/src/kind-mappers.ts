import type { ContainerOf } from './containers.js';
import type { Encoded } from './rest.js';
import type { ContainerKind, Mapped } from './validate.js';

/**
 * A kind's mappers both ways, as a partner's resource factory takes them (one factory serving
 * several kinds of the same shape): raw item -> app item (`fieldMapper`), app item -> body
 * (`fieldEncoder`), and optionally one raw item -> the views to map (a record holding several).
 */
export interface KindMappers<K extends ContainerKind> {
  readonly kind: K;
  readonly split?: (raw: unknown) => unknown[];
  readonly toApp: (raw: unknown) => Mapped | null;
  readonly fromApp: (item: ContainerOf<K>) => Encoded;
}
