import { describe, expect, it } from 'vitest';
import { definePartnerApi } from './define-partner.js';
import { errorList } from './error-list.js';
import { testPartner } from './testing/test-partner.js';

const ACME = errorList({
  fields: ['resource', 'field', 'code'],
  describe: (e) => `${e.resource ?? '?'}.${e.field ?? '?'} ${e.code ?? ''}`.trim(),
});
const res = (status: number, body: unknown) => ({ status, headers: {}, body, text: '' });

describe('errorList', () => {
  it('reads the listed errors tolerantly: unknown fields kept, non-text fields refused', () => {
    const body = { message: 'Bad Request', errors: [{ resource: 'Activity', code: 'missing', extra: 1 }] };
    expect(ACME.schema.parse(body)).toEqual(body);
    expect(ACME.schema.parse({ message: 'no list' })).toEqual({ message: 'no list' });
    expect(ACME.schema.safeParse({ errors: [{ code: 7 }] }).success).toBe(false);
  });

  it('classifies the named statuses as invalid data, describing each error', () => {
    const classify = ACME.classify([400, 422]);
    const body = {
      errors: [
        { resource: 'Activity', field: 'start_date_local', code: 'missing' },
        { resource: 'Activity', code: 'invalid' },
      ],
    };
    expect(classify(res(422, body))).toEqual({
      code: 'invalid_data',
      message: 'HTTP 422: Activity.start_date_local missing, Activity.? invalid',
    });
    expect(classify(res(400, 'not json'))).toEqual({ code: 'invalid_data', message: 'HTTP 400' });
    expect(classify(res(404, body))).toBeNull();
  });

  it("is an API's errors with the statuses it declares: definePartnerApi classifies those", () => {
    const declaration = testPartner('acme');
    // Without a describe, an error is its listed fields as `field=value`, and nothing else of it.
    const errors = errorList({ fields: ['code', 'field'], statuses: [400, 422] });
    const api = definePartnerApi({ declaration, resources: {}, errors });
    const body = {
      errors: [{ code: 'missing', message: 'token abc' }, { field: 'date', code: 'invalid' }, {}],
    };
    expect(api.classify(res(422, body))).toEqual({
      code: 'invalid_data',
      message: 'HTTP 422: code=missing, code=invalid field=date, error',
    });
    expect(api.classify(res(400, {}))?.message).toBe('HTTP 400');
    expect(api.classify(res(404, body))).toBeNull();
    expect(api.classify(res(201, {}))).toBeNull();
    // Without `errors`, the API's own classify (or none) stands.
    const own = () => null;
    expect(definePartnerApi({ declaration, resources: {}, classify: own }).classify).toBe(own);
    expect('classify' in definePartnerApi({ declaration, resources: {} })).toBe(false);
  });

  it('turns a token endpoint error list into the RFC 6749 error of the first matching rule', () => {
    const adapt = ACME.tokenErrors({
      invalid_grant: (e) => e.code === 'invalid' && e.resource === 'RefreshToken',
      invalid_client: (e) => e.resource === 'Application',
    });
    const spent = {
      errors: [
        { resource: 'Athlete', code: 'x' },
        { resource: 'RefreshToken', code: 'invalid' },
      ],
    };
    expect(adapt(spent, 400)).toEqual({
      error: 'invalid_grant',
      error_description: 'RefreshToken.? invalid',
    });
    expect(adapt({ errors: [{ resource: 'Application', code: 'invalid' }] }, 401)).toMatchObject({
      error: 'invalid_client',
    });
    expect(adapt({ errors: [{ resource: 'RefreshToken', code: 'missing' }] }, 400)).toBeNull();
    expect(adapt({ error: 'invalid_grant' }, 400)).toBeNull();
    expect(adapt('<html>', 400)).toBeNull();
  });

  it('matches rules given as field values: each named field one of its values', () => {
    const adapt = ACME.tokenErrors({
      invalid_grant: { code: 'invalid', resource: ['RefreshToken', 'AuthorizationCode'] },
    });
    expect(
      adapt({ errors: [{ resource: 'AuthorizationCode', field: 'code', code: 'invalid' }] }, 400),
    ).toEqual({
      error: 'invalid_grant',
      error_description: 'AuthorizationCode.code invalid',
    });
    expect(adapt({ errors: [{ resource: 'Athlete', code: 'invalid' }] }, 400)).toBeNull();
    expect(adapt({ errors: [{ resource: 'RefreshToken' }] }, 400)).toBeNull();
  });
});
