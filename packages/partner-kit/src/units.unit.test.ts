import { describe, expect, it } from 'vitest';
import { PartnerError } from './errors.js';
import {
  convert,
  formatOffset,
  fromCm,
  fromKcal,
  fromKg,
  fromPowerOfTen,
  isoWithOffset,
  localParts,
  localToIso,
  metricMeasurement,
  toCm,
  toKcal,
  toKg,
  toKm,
  toMeters,
  toMl,
  toPowerOfTen,
  toSeconds,
  zoneOffsetMinutes,
} from './units.js';

describe('mass', () => {
  it.each([
    [181, 'lb', 82.10021897],
    [1, 'lb', 0.45359237],
    [12, 'st', 76.20351816],
    [16, 'oz', 0.45359237],
    [56300, 'g', 56.3],
    [80, 'kg', 80],
    [150, 'pounds', 68.0388555],
    [2, 'Stone', 12.70058636],
  ])('%s %s = %s kg', (value, unit, kg) => {
    expect(toKg(value, unit)).toBeCloseTo(kg, 8);
  });
  it('round-trips kg -> lb -> kg', () => {
    expect(toKg(fromKg(72.5, 'lb'), 'lb')).toBe(72.5);
    expect(fromKg(6.35029318, 'st')).toBe(1);
  });
});

describe('length', () => {
  it.each([
    [70, 'in', 177.8],
    [6, 'ft', 182.88],
    [1, 'yd', 91.44],
    [1.8, 'm', 180],
    [1, 'km', 100_000],
    [32, 'inches', 81.28],
  ])('%s %s = %s cm', (value, unit, cm) => {
    expect(toCm(value, unit)).toBeCloseTo(cm, 9);
  });
  it('distances', () => {
    expect(toMeters(1, 'mi')).toBe(1609.344);
    expect(toMeters(3.36, 'Mile')).toBeCloseTo(5407.39584, 9);
    expect(toMeters(7.32, 'km')).toBe(7320);
    expect(toKm(26.2, 'mi')).toBeCloseTo(42.1648128, 9);
    expect(toMeters(100, 'yd')).toBe(91.44);
    expect(fromCm(182.88, 'ft')).toBe(6);
  });
});

describe('energy, volume, duration', () => {
  it('kJ, kcal and food Calories', () => {
    expect(toKcal(4184, 'kJ')).toBe(1000);
    expect(toKcal(1000, 'kj')).toBeCloseTo(239.005736, 6);
    expect(toKcal(250, 'Cal')).toBe(250);
    expect(toKcal(250, 'kcal')).toBe(250);
    expect(toKcal(250_000, 'cal')).toBe(250);
    expect(fromKcal(100, 'kJ')).toBe(418.4);
  });
  it('fluid ounces and litres', () => {
    expect(toMl(8, 'fl oz')).toBeCloseTo(236.5882365, 7);
    expect(toMl(1.5, 'l')).toBe(1500);
  });
  it('durations', () => {
    expect(toSeconds(3_600_000, 'ms')).toBe(3600);
    expect(toSeconds(90, 'min')).toBe(5400);
  });
  it('unknown units and non-numbers are invalid_data', () => {
    expect(() => toKg(1, 'furlong')).toThrow(PartnerError);
    expect(() => convert(Number.NaN, 'mass', 'kg', 'lb')).toThrow(/not a number/);
    try {
      toKg(1, 'bananas');
    } catch (e) {
      expect(e instanceof PartnerError && e.code).toBe('invalid_data');
    }
  });
});

describe('Withings value × 10^unit', () => {
  it.each([
    [56300, -3, 56.3],
    [20, -1, 2],
    [1790, -3, 1.79],
    [2165, -2, 21.65],
    [72, 0, 72],
    [5, 2, 500],
  ])('%s × 10^%s = %s exactly', (value, exp, real) => {
    expect(fromPowerOfTen(value, exp)).toBe(real);
    expect(toPowerOfTen(real, exp)).toBe(value);
  });
  it('a fractional exponent is invalid', () => {
    expect(() => fromPowerOfTen(1, 0.5)).toThrow(PartnerError);
  });
});

describe('metricMeasurement', () => {
  it('converts to the container unit and keeps the source', () => {
    expect(metricMeasurement('weight', 181, 'lb')).toEqual({
      value: 82.10021897,
      unit: 'kg',
      source: { value: 181, unit: 'lb' },
    });
    expect(metricMeasurement('height', 1.79, 'm')).toEqual({
      value: 179,
      unit: 'cm',
      source: { value: 1.79, unit: 'm' },
    });
    expect(metricMeasurement('waist', 32, 'in').value).toBe(81.28);
    expect(metricMeasurement('body_fat', 0.215, 'fraction').value).toBe(21.5);
    expect(metricMeasurement('body_fat', 21.5, '%').value).toBe(21.5);
    expect(() => metricMeasurement('body_fat', 10, 'kg')).toThrow(PartnerError);
  });
});

describe('dates with offsets', () => {
  it('formats offsets', () => {
    expect(formatOffset(0)).toBe('+00:00');
    expect(formatOffset(120)).toBe('+02:00');
    expect(formatOffset(-90)).toBe('-01:30');
    expect(formatOffset(345)).toBe('+05:45');
  });

  it('epoch seconds in an IANA zone, across DST', () => {
    // 1620237216 = 2021-05-05T17:53:36Z; Berlin is on CEST (+02:00) then.
    expect(isoWithOffset(1620237216, 'Europe/Berlin')).toEqual({
      iso: '2021-05-05T19:53:36+02:00',
      utcOffsetMinutes: 120,
    });
    expect(isoWithOffset(1610000000, 'Europe/Berlin')).toEqual({
      iso: '2021-01-07T07:13:20+01:00',
      utcOffsetMinutes: 60,
    });
    expect(isoWithOffset(1610000000, 'America/Los_Angeles').iso).toBe('2021-01-06T22:13:20-08:00');
    expect(isoWithOffset(1610000000, 'Asia/Kathmandu').utcOffsetMinutes).toBe(345);
    expect(isoWithOffset(1610000000, 'UTC').iso).toBe('2021-01-07T06:13:20+00:00');
  });

  it('epoch seconds with a fixed offset, and Dates with milliseconds', () => {
    expect(isoWithOffset(1413724647, 120).iso).toBe('2014-10-19T15:17:27+02:00');
    expect(isoWithOffset(new Date('2024-03-01T12:00:00.250Z'), -300).iso).toBe(
      '2024-03-01T07:00:00.250-05:00',
    );
  });

  it('an unknown zone is invalid_data', () => {
    expect(() => isoWithOffset(0, 'Mars/Olympus_Mons')).toThrow(/unknown time zone/);
    expect(() => zoneOffsetMinutes('Nope/Nope', new Date())).toThrow(PartnerError);
  });

  it('local wall-clock times in a zone, DST-aware', () => {
    expect(localToIso('2019-01-03T12:08:42', 'America/Los_Angeles')).toEqual({
      iso: '2019-01-03T12:08:42-08:00',
      utcOffsetMinutes: -480,
      epochSeconds: Date.parse('2019-01-03T20:08:42Z') / 1000,
    });
    expect(localToIso('2019-07-03 12:08', 'America/Los_Angeles').iso).toBe('2019-07-03T12:08:00-07:00');
    expect(localToIso('2014-10-19T13:17:27', 120).iso).toBe('2014-10-19T13:17:27+02:00');
    expect(localToIso('2015-05-13', 0).iso).toBe('2015-05-13T00:00:00+00:00');
    // Just after the autumn change in Berlin (02:30 happens twice; either offset is a real instant).
    expect(['2021-10-31T02:30:00+02:00', '2021-10-31T02:30:00+01:00']).toContain(
      localToIso('2021-10-31T02:30:00', 'Europe/Berlin').iso,
    );
    expect(() => localToIso('2019-02-30T10:00:00', 0)).toThrow(/impossible/);
    expect(() => localToIso('Sun, 19 Oct 2014 13:17:27', 0)).toThrow(PartnerError);
  });

  it('splits an ISO time into the local parts partners want on push', () => {
    expect(localParts('2024-03-01T07:30:00-05:00')).toEqual({
      date: '2024-03-01',
      time: '07:30:00',
      utcOffsetMinutes: -300,
      epochSeconds: Date.parse('2024-03-01T12:30:00Z') / 1000,
    });
    expect(localParts('2024-03-01T23:59Z')).toMatchObject({
      date: '2024-03-01',
      time: '23:59:00',
      utcOffsetMinutes: 0,
    });
    expect(() => localParts('2024-03-01')).toThrow(PartnerError);
  });
});
