import { describe, expect, it } from 'vitest';
import { CodedError, InvalidArgumentError, sharedErrorMember } from './errors.js';

class RootError extends CodedError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return sharedErrorMember(this, RootError, value);
  }
}
class LeafError extends RootError {
  constructor() {
    super('LEAF', 'a leaf', 404);
  }
}
class OtherRootError extends CodedError {}

describe('one InvalidArgumentError shared by every domain', () => {
  it('is a member of a domain root that opts in, and of nothing narrower', () => {
    const bad = new InvalidArgumentError('k must be ≥ 1');
    expect(bad).toBeInstanceOf(RootError);
    expect(bad).not.toBeInstanceOf(LeafError);
    expect(bad).not.toBeInstanceOf(OtherRootError);
    expect(bad).toMatchObject({ name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT', status: 400 });
  });

  it('keeps the prototype checks exact for the domain’s own errors', () => {
    const leaf = new LeafError();
    expect(leaf).toBeInstanceOf(LeafError);
    expect(leaf).toBeInstanceOf(RootError);
    expect(new RootError('ROOT', 'r')).not.toBeInstanceOf(LeafError);
    expect(new OtherRootError('X', 'x')).not.toBeInstanceOf(RootError);
    expect((null as unknown) instanceof RootError).toBe(false);
  });
});
