// Unit tests of the HTTP input rules: exact media types, the body byte budget, entity tags and If-Match/If-None-Match.
import { describe, expect, it } from 'vitest';
import { acceptedMediaType, JSON_MEDIA_TYPES } from './body.js';
import { BodyBudget, RetryLaterError } from './budget.js';
import { expectedVersionOf, ifMatchHits, noneMatchHits, parseEntityTags } from './preconditions.js';

describe('media types', () => {
  it('application/json, with at most charset=utf-8, and nothing that merely starts like it', () => {
    for (const ok of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      expect(acceptedMediaType(ok, JSON_MEDIA_TYPES), ok).toBe('application/json');
    }
    for (const bad of [
      'application/json.evil',
      'application/json-seq',
      'application/jsonx',
      'application/x-json',
      'application/problem+json',
      'text/json',
      'application/json; charset=latin1',
      'application/json; charset=utf-8; boundary=x',
      undefined,
    ]) {
      expect(acceptedMediaType(bad, JSON_MEDIA_TYPES), String(bad)).toBeUndefined();
    }
  });
  it('a route may declare another type', () => {
    expect(acceptedMediaType('application/json-patch+json', [...JSON_MEDIA_TYPES, 'application/json-patch+json'])).toBe(
      'application/json-patch+json',
    );
    expect(acceptedMediaType('application/json-patch+json', JSON_MEDIA_TYPES)).toBeUndefined();
  });
});

describe('BodyBudget', () => {
  it('an agent over its share gets 429, everyone over the server total 503, and released bytes are free again', () => {
    const budget = new BodyBudget(100, 40);
    const a1 = budget.lease('alice');
    a1.take(30);
    expect(() => budget.lease('alice').take(20)).toThrow(expect.objectContaining({ status: 429, code: 'TOO_MANY_REQUESTS' }));
    const bob = budget.lease('bob');
    bob.take(40);
    const operator = budget.lease(undefined);
    operator.take(30);
    const err = (() => {
      try {
        budget.lease(undefined).take(1);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RetryLaterError);
    expect(err).toMatchObject({ status: 503, code: 'SERVER_BUSY', retryAfterSeconds: 1 });
    a1.release();
    operator.release();
    expect(budget.usedBytes).toBe(40);
    budget.lease('alice').take(40);
    a1.release(); // a second release gives back nothing
    expect(budget.usedBytes).toBe(80);
  });
});

describe('entity tags', () => {
  it('parses *, lists and weak tags; a malformed header is a 400', () => {
    expect(parseEntityTags('*', 'If-Match')).toBe('*');
    expect(parseEntityTags('"3", W/"4"', 'If-Match')).toEqual([
      { weak: false, opaque: '"3"' },
      { weak: true, opaque: '"4"' },
    ]);
    expect(() => parseEntityTags('3', 'If-Match')).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_HEADER' }));
  });
  it('If-None-Match compares weakly, If-Match strongly', () => {
    expect(noneMatchHits('W/"3"', '"3"')).toBe(true);
    expect(noneMatchHits('"2", "4"', '"3"')).toBe(false);
    expect(noneMatchHits(undefined, '"3"')).toBe(false);
    expect(ifMatchHits('W/"3"', '"3"')).toBe(false);
    expect(ifMatchHits('"2", "3"', '"3"')).toBe(true);
    expect(ifMatchHits('*', undefined)).toBe(false);
  });
  it('a single If-Match version is the expectedVersion; with both, they must agree', () => {
    expect(expectedVersionOf('"7"', undefined)).toBe(7);
    expect(expectedVersionOf(undefined, 7)).toBe(7);
    expect(expectedVersionOf('"7"', 7)).toBe(7);
    expect(expectedVersionOf('*', 7)).toBe(7);
    expect(expectedVersionOf('*', undefined)).toBeUndefined();
    expect(() => expectedVersionOf('"6"', 7)).toThrow(expect.objectContaining({ status: 400, code: 'PRECONDITION_CONFLICT' }));
  });
});
