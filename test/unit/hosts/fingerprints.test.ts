import assert from 'node:assert/strict';

import { FingerprintSet, RollingHash } from '../../../src/hosts/fingerprints';

/** Returns every `[start, length]` window of `text` that `forEachMatch` reports. */
function matchesOf(hash: RollingHash, text: string, lengths: number[], set: FingerprintSet): Array<[number, number]> {
  const matches: Array<[number, number]> = [];
  hash.forEachMatch(text, lengths, set, (start, length) => matches.push([start, length]));
  return matches;
}

describe('RollingHash', () => {
  it('gives windows their whole-string fingerprint', () => {
    const hash = new RollingHash();
    const text = 'x🔑é-SEED\u0000\r\n%;]-end';
    const set = new FingerprintSet();
    for (let length = 1; length <= text.length; length++) {
      for (let start = 0; start + length <= text.length; start++) set.add(hash.fingerprint(text.slice(start, start + length)));
    }

    const lengths = Array.from({ length: text.length }, (_, i) => i + 1);
    const matches = matchesOf(hash, text, lengths, set);
    const windowCount = (text.length * (text.length + 1)) / 2;
    assert.equal(matches.length, windowCount);
  });

  it('agrees with fingerprints on long text', () => {
    const hash = new RollingHash();
    let state = 7;
    const units = Array.from({ length: 2000 }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % 3 === 0 ? 0xffff - (state % 64) : state % 0x3000;
    });
    const text = String.fromCharCode(...units);
    const lengths = [1, 7, 150, 1999];
    const set = new FingerprintSet();
    for (const length of lengths) {
      for (let start = 0; start + length <= text.length; start++) set.add(hash.fingerprint(text.slice(start, start + length)));
    }

    const matches = matchesOf(hash, text, lengths, set);
    const windowCount = lengths.reduce((sum, length) => sum + text.length - length + 1, 0);
    assert.equal(matches.length, windowCount);
  });

  it('reports matches by length, then start', () => {
    const hash = new RollingHash();
    const set = new FingerprintSet();
    set.add(hash.fingerprint('abc'));
    set.add(hash.fingerprint('cab'));
    set.add(hash.fingerprint('abcab'));

    assert.deepEqual(matchesOf(hash, 'abcabc', [3, 5, 7], set), [[0, 3], [2, 3], [3, 3], [0, 5]]);
    assert.deepEqual(matchesOf(hash, 'ab', [3, 5], set), []);
  });

  it('stays below 2^52', () => {
    const hash = new RollingHash();
    for (const text of ['', '\u0000', '\uffff'.repeat(1000), 'SEED'.repeat(500)]) {
      const fingerprint = hash.fingerprint(text);
      assert.ok(Number.isSafeInteger(fingerprint), `fingerprint of ${text.length} code units is an integer`);
      assert.ok(fingerprint >= 0, `fingerprint of ${text.length} code units is not negative`);
      assert.ok(fingerprint < 2 ** 52, `fingerprint of ${text.length} code units is below 2^52`);
    }
  });

  it('counts a leading U+0000', () => {
    const hash = new RollingHash();
    assert.notEqual(hash.fingerprint('\u0000abc'), hash.fingerprint('abc'));
    assert.notEqual(hash.fingerprint('\u0000'), hash.fingerprint(''));
  });
});

describe('FingerprintSet', () => {
  it('adds and finds fingerprints', () => {
    const set = new FingerprintSet();
    assert.equal(set.add(42), true);
    assert.equal(set.add(42), false);
    assert.equal(set.has(42), true);
    assert.equal(set.has(43), false);
    assert.equal(set.size, 1);
  });

  it('stores the zero fingerprint', () => {
    const set = new FingerprintSet();
    assert.equal(set.has(0), false);
    assert.equal(set.add(0), true);
    assert.equal(set.has(0), true);
    assert.equal(set.add(0), false);
    assert.equal(set.size, 1);
  });

  it('grows and keeps every fingerprint', () => {
    const set = new FingerprintSet();
    const initialCapacity = set.capacity;
    // Multiples of 2^20 share their low bits, so they also exercise long probe runs.
    const fingerprints = Array.from({ length: 3000 }, (_, i) => (i % 2 === 0 ? i * 2 ** 20 : 2 ** 52 - 1 - i));
    for (const fingerprint of fingerprints) set.add(fingerprint);

    assert.equal(set.size, fingerprints.length);
    assert.ok(set.capacity > initialCapacity, 'capacity grew');
    assert.ok(set.size * 2 <= set.capacity, 'at most half full');
    for (const fingerprint of fingerprints) assert.ok(set.has(fingerprint), `contains ${fingerprint}`);
    assert.equal(set.has(1), false);
  });
});
