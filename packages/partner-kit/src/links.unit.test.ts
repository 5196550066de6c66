import { describe, expect, it } from 'vitest';
import { rawReader } from './fields.js';
import { LinkPath, linkId, pathOfLink } from './links.js';

describe('links', () => {
  it('keeps the path of an absolute URL, and a path as it is', () => {
    expect(pathOfLink('https://api.example.com/fitnessActivities/1?x=1')).toBe('/fitnessActivities/1?x=1');
    expect(pathOfLink('/weight/2')).toBe('/weight/2');
    expect(LinkPath.parse('http://h:8080/nutrition')).toBe('/nutrition');
    expect(LinkPath.safeParse('weight/2').success).toBe(false);
  });

  it("reads an item's own link as its id, absent when it is not a link", () => {
    expect(linkId('uri')(rawReader({ uri: 'https://api.example.com/weight/9' }))).toBe('/weight/9');
    expect(linkId('uri')(rawReader({ uri: 42 }))).toBeUndefined();
    expect(linkId('uri')(rawReader({}))).toBeUndefined();
  });
});
