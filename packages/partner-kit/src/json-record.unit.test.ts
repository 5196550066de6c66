import { describe, expect, it } from 'vitest';
import { jsonRecord } from './json-record.js';
import { recordingContext } from './testing/resource-context.js';

function partner(stored: unknown) {
  return recordingContext((req) => ({ body: req.method === 'GET' ? stored : {} }));
}

describe('jsonRecord', () => {
  const record = jsonRecord({
    read: { partner: 'Acme', mismatch: 'transient' },
    mediaType: 'application/vnd.acme.Set+json',
    readOnly: (f) => f === 'uri' || f.startsWith('nearest'),
  });

  it('reads the record at its path without read-only and null fields, in its media type', async () => {
    const { ctx, seen } = partner({ uri: '/sets/1', weight: 80, fat: null, nearest_x: '/x', note: 'a' });
    expect(await record.read(ctx, '/sets/1')).toEqual({ weight: 80, note: 'a' });
    expect(seen[0]).toMatchObject({
      method: 'GET',
      path: '/sets/1',
      headers: { accept: 'application/vnd.acme.Set+json' },
    });
  });

  it('replaces the record with a PUT of JSON in its media type', async () => {
    const { ctx, seen } = partner({});
    await record.write(ctx, '/sets/1', { weight: 81 });
    expect(seen[0]).toEqual({
      method: 'PUT',
      path: '/sets/1',
      json: { weight: 81 },
      headers: { 'content-type': 'application/vnd.acme.Set+json' },
    });
  });

  it('takes the read-only fields as names, `prefix*` matching every field with the prefix', async () => {
    const listed = jsonRecord({ readOnly: ['uri', 'nearest*'] });
    const { ctx } = partner({ uri: '/s/1', nearest_fat: '/f', nearest: 1, near: 2, weight: 80 });
    expect(await listed.read(ctx, '/s/1')).toEqual({ near: 2, weight: 80 });
  });

  it("classifies an answer that is not an object with the read options' code", async () => {
    const { ctx } = partner([1, 2]);
    await expect(record.read(ctx, '/sets/1')).rejects.toMatchObject({ code: 'transient' });
    const plain = jsonRecord({ readOnly: () => false });
    const { ctx: c2, seen } = partner({ a: 1 });
    expect(await plain.read(c2, '/r')).toEqual({ a: 1 });
    expect(seen[0]?.headers).toBeUndefined();
  });
});
