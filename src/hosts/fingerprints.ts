/**
 * Fingerprints of masked forms, so that a host's redaction keeps no secret value in memory. A
 * masker registers one value per secret kvdr reads (20,000 or more in a large sync), and keeping
 * each value and its escaped forms as strings costs megabytes of heap. A fingerprint costs one
 * 8-byte slot of a typed array. It is no cryptographic hash: it keeps values out of heap dumps
 * and `util.inspect` output, but a short value could be found again by trying candidates.
 */

import { randomInt } from 'node:crypto';

/** Two primes below 2^26, so that a residue times a base stays below 2^52 and exact in a double. */
const PRIME_1 = 67108859;
const PRIME_2 = 67108837;

/**
 * A 52-bit polynomial rolling hash over UTF-16 code units, built from two independent hashes
 * modulo {@link PRIME_1} and {@link PRIME_2}. Each code unit counts as its value plus one, so a
 * leading U+0000 still changes the hash and strings of different lengths are different polynomials.
 * The bases are random per instance, so no fixed input collides in every process.
 */
export class RollingHash {
  private readonly base1 = randomInt(1 << 16, PRIME_1);
  private readonly base2 = randomInt(1 << 16, PRIME_2);

  /** Returns the fingerprint of `text`, an integer in [0, 2^52). */
  fingerprint(text: string): number {
    let hash1 = 0;
    let hash2 = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i) + 1;
      hash1 = modulo(hash1 * this.base1 + unit, PRIME_1);
      hash2 = modulo(hash2 * this.base2 + unit, PRIME_2);
    }
    return hash1 * PRIME_2 + hash2;
  }

  /**
   * Calls `onMatch(start, length)` for every window of `text` whose length is one of `lengths`
   * and whose fingerprint is in `fingerprints`. `lengths` must be in increasing order.
   */
  forEachMatch(text: string, lengths: readonly number[], fingerprints: FingerprintSet, onMatch: (start: number, length: number) => void): void {
    // The hash of the first window and base^length, extended from one length to the next, so the
    // whole setup costs one pass over the longest window.
    let prefixLength = 0;
    let prefix1 = 0;
    let prefix2 = 0;
    let weight1 = 1;
    let weight2 = 1;

    for (const length of lengths) {
      if (length > text.length) return;
      for (; prefixLength < length; prefixLength++) {
        const unit = text.charCodeAt(prefixLength) + 1;
        prefix1 = modulo(prefix1 * this.base1 + unit, PRIME_1);
        prefix2 = modulo(prefix2 * this.base2 + unit, PRIME_2);
        weight1 = modulo(weight1 * this.base1, PRIME_1);
        weight2 = modulo(weight2 * this.base2, PRIME_2);
      }

      let hash1 = prefix1;
      let hash2 = prefix2;
      if (fingerprints.has(hash1 * PRIME_2 + hash2)) onMatch(0, length);

      for (let start = 1; start + length <= text.length; start++) {
        // Shift in the entering unit and take out the leaving one (weighted base^length) in one
        // step. The sum lies in (-2^43, 2^52), where every integer is exact in a double.
        const leaving = text.charCodeAt(start - 1) + 1;
        const entering = text.charCodeAt(start + length - 1) + 1;
        hash1 = modulo(hash1 * this.base1 + entering - leaving * weight1, PRIME_1);
        hash2 = modulo(hash2 * this.base2 + entering - leaving * weight2, PRIME_2);
        if (fingerprints.has(hash1 * PRIME_2 + hash2)) onMatch(start, length);
      }
    }
  }
}

/**
 * Returns `value` modulo `prime` in [0, prime), for an integer `value` with |value| < 2^52. It is
 * faster than `%` on doubles, and it is exact. A quotient that is not an integer lies at least
 * 1/prime from the next integer. The rounding error of `value / prime` is below 1/prime (half a
 * unit in the last place of a number below 2^53 / prime), so the floor does not change.
 */
function modulo(value: number, prime: number): number {
  return value - Math.floor(value / prime) * prime;
}

/** The initial number of slots. Every capacity is a power of two, so `& (capacity - 1)` maps a key to a slot. */
const INITIAL_CAPACITY = 64;

/**
 * Filter bits per slot. The set is at most half full, so at most one filter bit in eight is set
 * and a lookup of an absent fingerprint stops at the filter at least 7 times in 8.
 */
const FILTER_BITS_PER_SLOT = 4;

/** Fingerprints are below 2^52, so this key stands for the fingerprint 0, whose slot value marks an empty slot. */
const ZERO_KEY = 2 ** 52;

/**
 * A set of fingerprints (integers in [0, 2^52)) in one growable `Float64Array`: open addressing
 * with linear probing, at most half full, with 0 marking an empty slot. A bitmap filter of
 * {@link FILTER_BITS_PER_SLOT} bits per slot sits in front of it. A scan of a long text looks up
 * one fingerprint per window, and the filter is small enough to stay in the CPU cache where the
 * slots of tens of thousands of fingerprints are not.
 */
export class FingerprintSet {
  private slots = new Float64Array(INITIAL_CAPACITY);
  private filter = new Int32Array((INITIAL_CAPACITY * FILTER_BITS_PER_SLOT) / 32);
  private count = 0;

  /** The number of distinct fingerprints. */
  get size(): number {
    return this.count;
  }

  /** The number of slots, which doubles whenever the set would become more than half full. */
  get capacity(): number {
    return this.slots.length;
  }

  /** Adds a fingerprint and returns whether it was new. */
  add(fingerprint: number): boolean {
    const key = fingerprint === 0 ? ZERO_KEY : fingerprint;
    if (this.contains(key)) return false;

    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    insertKey(this.slots, this.filter, key);
    this.count++;
    return true;
  }

  /** Returns whether the set contains the fingerprint. */
  has(fingerprint: number): boolean {
    const key = fingerprint === 0 ? ZERO_KEY : fingerprint;
    const bit = filterBit(this.filter, key);
    if ((this.filter[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    return this.contains(key);
  }

  private contains(key: number): boolean {
    const mask = this.slots.length - 1;
    // `& mask` keeps the low bits of the key, because the bitwise operators take an integer modulo 2^32 first.
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot];
      if (stored === key) return true;
      if (stored === 0) return false;
    }
  }

  private grow(): void {
    const slots = new Float64Array(this.slots.length * 2);
    const filter = new Int32Array((slots.length * FILTER_BITS_PER_SLOT) / 32);
    for (const key of this.slots) {
      if (key !== 0) insertKey(slots, filter, key);
    }
    this.slots = slots;
    this.filter = filter;
  }
}

/** Stores a key that `slots` does not contain yet and sets its filter bit. */
function insertKey(slots: Float64Array, filter: Int32Array, key: number): void {
  const mask = slots.length - 1;
  let slot = key & mask;
  while (slots[slot] !== 0) slot = (slot + 1) & mask;
  slots[slot] = key;

  const bit = filterBit(filter, key);
  filter[bit >>> 5] |= 1 << (bit & 31);
}

/** Returns the filter bit of a key, taken from bits 20 and up so it is independent of the slot. */
function filterBit(filter: Int32Array, key: number): number {
  return (key * 2 ** -20) & (filter.length * 32 - 1);
}
