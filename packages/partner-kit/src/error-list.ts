import { z } from 'zod';
import type { OAuth2Generation } from './define-partner.js';
import { errorListClassifier } from './read.js';

/** One error of an error-list body: the named text fields, each possibly absent. */
export type ListedError<F extends string> = { readonly [K in F]?: string | undefined };

export interface ErrorListSpec<F extends string, S extends readonly number[] | undefined = undefined> {
  /** The text fields of each error (`['resource', 'field', 'code']`); others pass through. */
  readonly fields: readonly F[];
  /** One error in a message: only what is safe to log (some partners echo tokens in theirs).
   * Default: the listed fields it has, `field=value` (`errorType=validation fieldName=date`);
   * the rest of the error is never logged. */
  readonly describe?: (error: ListedError<F>) => string;
  /** The HTTP statuses whose answers carry the list (`[400, 422]`): with them, the description is
   * an API's `errors` (`definePartnerApi`), which classifies those statuses. */
  readonly statuses?: S;
}

/** Which listed errors a rule takes: computed, or by field values (each field one of its values). */
export type ErrorRule<F extends string> =
  | ((error: ListedError<F>) => boolean)
  | { readonly [K in F]?: string | readonly string[] };

const matches = <F extends string>(rule: ErrorRule<F>, error: ListedError<F>): boolean =>
  typeof rule === 'function'
    ? rule(error)
    : Object.entries<string | readonly string[] | undefined>(rule).every(([field, want]) => {
        const value = error[field as F];
        return value !== undefined && (typeof want === 'string' ? value === want : !!want?.includes(value));
      });

/**
 * A partner's error-list body (`{errors: [{resource, field, code}, ...]}`, Strava; Fitbit's
 * `{errors: [{errorType, fieldName}]}`), described once by the text fields of its errors:
 * - `schema`: its tolerant zod schema (unknown fields kept, `errors` optional);
 * - `classify(statuses)`: the API `classify` for the statuses that carry it (`errorListClassifier`:
 *   `invalid_data`, each error described); `statuses`, when declared, are the ones
 *   `definePartnerApi({errors})` classifies with it;
 * - `tokenErrors({invalid_grant: {code: 'invalid', resource: ['RefreshToken']}, ...})`: an
 *   `adaptErrorResponse` for a token endpoint answering with it: the RFC 6749 error of the first
 *   rule (`ErrorRule`: field values, or computed) a listed error matches (rules in the order
 *   given, errors in the order listed), described; null (the kit's generic reading) when none matches.
 */
export function errorList<const F extends string, const S extends readonly number[] | undefined = undefined>(
  spec: ErrorListSpec<F, S>,
) {
  const item = z.looseObject(Object.fromEntries(spec.fields.map((f) => [f, z.string().optional()])));
  const schema = z.looseObject({ errors: z.array(item).optional() }) as z.ZodType<{
    readonly errors?: readonly ListedError<F>[] | undefined;
  }>;
  const errorsOf = (raw: unknown) => schema.safeParse(raw).data?.errors ?? [];
  const describe =
    spec.describe ??
    ((error: ListedError<F>) =>
      spec.fields
        .filter((f) => error[f] !== undefined)
        .map((f) => `${f}=${error[f]}`)
        .join(' ') || 'error');
  return {
    schema,
    statuses: spec.statuses as S,
    classify: (statuses: readonly number[]) => errorListClassifier({ statuses, body: schema, describe }),
    tokenErrors(
      rules: Readonly<Record<string, ErrorRule<F>>>,
    ): NonNullable<OAuth2Generation['adaptErrorResponse']> {
      return (raw) => {
        for (const error of errorsOf(raw))
          for (const [code, rule] of Object.entries(rules))
            if (matches(rule, error)) return { error: code, error_description: describe(error) };
        return null;
      };
    },
  };
}
