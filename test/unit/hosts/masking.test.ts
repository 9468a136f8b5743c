import assert from 'node:assert/strict';
import { inspect } from 'node:util';

import {
  SecretMasker,
  escapeLoggingCommandData,
  escapeLoggingCommandProperty,
  escapeWorkflowCommandData,
  maskedForms,
  singleLineMaskedForms,
} from '../../../src/hosts/masking';

/** Creates a masker with `values` registered. */
function maskerWith(...values: string[]): SecretMasker {
  const masker = new SecretMasker();
  for (const value of values) masker.add(value);
  return masker;
}

/**
 * Redacts as SecretMasker promises to, working from the forms themselves. Every occurrence of a
 * form, overlapping ones included, is an interval. Overlapping intervals merge, and each merged
 * interval becomes `***`.
 */
function redactByReference(text: string, values: string[]): string {
  const ends = new Array<number>(text.length).fill(0);
  for (const form of values.flatMap(maskedForms)) {
    for (let start = text.indexOf(form); start !== -1; start = text.indexOf(form, start + 1)) {
      ends[start] = Math.max(ends[start], start + form.length);
    }
  }

  let result = '';
  let start = 0;
  while (start < text.length) {
    if (ends[start] === 0) {
      result += text[start];
      start++;
      continue;
    }
    let end = ends[start];
    for (let inside = start; inside < end; inside++) end = Math.max(end, ends[inside]);
    result += '***';
    start = end;
  }
  return result;
}

/** Returns a deterministic pseudo-random integer generator in [0, bound), so a failure repeats. */
function seededRandom(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * bound);
  };
}

describe('maskedForms', () => {
  it('lists the value, its lines and escaped forms', () => {
    assert.deepEqual(maskedForms('one;\r\ntwo]%'), ['one;\r\ntwo]%', 'one;', 'two]%', 'one;%0D%0Atwo]%AZP25', 'one%3B%0D%0Atwo%5D%AZP25']);
  });

  it('drops forms shorter than three characters', () => {
    assert.deepEqual(maskedForms('ab\nlong-line'), ['ab\nlong-line', 'long-line', 'ab%0Along-line']);
    assert.deepEqual(maskedForms(' a '), []);
    assert.deepEqual(maskedForms(''), []);
  });

  it('keeps single-line forms for line masking', () => {
    assert.deepEqual(singleLineMaskedForms('first\nsecond'), ['first', 'second', 'first%0Asecond']);
  });

  it('escapes logging and workflow commands', () => {
    assert.equal(escapeLoggingCommandData('50%\r\n;]'), '50%AZP25%0D%0A;]');
    assert.equal(escapeLoggingCommandProperty('50%\r\n;]'), '50%AZP25%0D%0A%3B%5D');
    assert.equal(escapeWorkflowCommandData('50%\r\n;]'), '50%25%0D%0A;]');
  });
});

describe('SecretMasker', () => {
  it('returns text unchanged when empty', () => {
    const masker = new SecretMasker();
    assert.equal(masker.size, 0);
    assert.equal(masker.redact('nothing registered'), 'nothing registered');
  });

  it('masks every occurrence of a value', () => {
    const masker = maskerWith('SEEDVALUE-one');
    assert.equal(masker.size, 1);
    assert.equal(masker.redact('SEEDVALUE-one and SEEDVALUE-one.'), '*** and ***.');
    assert.equal(masker.redact('SEEDVALUE-on'), 'SEEDVALUE-on');
  });

  it('counts each distinct form once', () => {
    const masker = maskerWith('SEEDVALUE-a\nSEEDVALUE-b', 'SEEDVALUE-a');
    assert.equal(maskedForms('SEEDVALUE-a\nSEEDVALUE-b').length, 4);
    assert.equal(masker.size, 4);
  });

  it('masks a multi-line value and its lines', () => {
    const masker = maskerWith('-----BEGIN KEY-----\r\nSEEDPEM\r\n-----END KEY-----');
    assert.equal(masker.redact('key: -----BEGIN KEY-----\r\nSEEDPEM\r\n-----END KEY-----!'), 'key: ***!');
    assert.equal(masker.redact('line SEEDPEM only'), 'line *** only');
    assert.equal(masker.redact('-----END KEY-----'), '***');
  });

  it('masks escaped forms', () => {
    const masker = maskerWith('SEED%50;x]\ny');
    assert.equal(masker.redact('##vso[task.setvariable]SEED%AZP2550;x]%0Ay'), '##vso[task.setvariable]***');
    assert.equal(masker.redact('value=SEED%AZP2550%3Bx%5D%0Ay;'), 'value=***;');
    assert.equal(masker.redact('SEED%50;x]'), '***');
  });

  it('merges overlapping values', () => {
    const masker = maskerWith('SEEDabcd', 'abcdSEED');
    assert.equal(masker.redact('<SEEDabcdSEED>'), '<***>');
  });

  it('keeps adjacent values apart', () => {
    const masker = maskerWith('SEED-one', 'SEED-two');
    assert.equal(masker.redact('SEED-oneSEED-two'), '******');
    assert.equal(masker.redact('SEED-one SEED-two'), '*** ***');
  });

  it('hides a value whose prefix is registered', () => {
    const masker = maskerWith('SEEDVALUE', 'SEEDVALUE-longer');
    assert.equal(masker.redact('SEEDVALUE-longer then SEEDVALUE'), '*** then ***');
    assert.equal(masker.redact('SEEDVALUE-long'), '***-long');
  });

  it('masks non-ASCII and astral values', () => {
    const masker = maskerWith('pässwörd-日本', '🔑SEED🔒');
    assert.equal(masker.redact('a pässwörd-日本 b'), 'a *** b');
    assert.equal(masker.redact('x🔑SEED🔒x'), 'x***x');
    assert.equal(masker.redact('🔐SEED🔒'), '🔐SEED🔒', 'another astral character is not the value');
    assert.equal(masker.redact('passwörd-日本'), 'passwörd-日本');
  });

  it('ignores values below three characters', () => {
    const masker = maskerWith('', 'ab', ' x ', '\t\tz');
    assert.equal(masker.size, 0);
    assert.equal(masker.redact('ab x abab'), 'ab x abab');

    masker.add('abc');
    assert.equal(masker.size, 1);
    assert.equal(masker.redact('ab abc'), 'ab ***');
  });

  it('leaves text shorter than every form', () => {
    const masker = maskerWith('SEEDVALUE-long-enough');
    assert.equal(masker.redact(''), '');
    assert.equal(masker.redact('SEED'), 'SEED');
    assert.equal(masker.redact('SEEDVALUE-long-enoug'), 'SEEDVALUE-long-enoug');
  });

  it('keeps a leading U+0000 visible', () => {
    const masker = maskerWith('abc', 'wxyz');
    assert.equal(masker.redact('\u0000abc'), '\u0000***');
    assert.equal(masker.redact('\u0000\u0000abc'), '\u0000\u0000***');
  });

  it('masks thousands of values', () => {
    const values = Array.from({ length: 5000 }, (_, i) => `SEEDVALUE-${i}-${'x'.repeat(i % 40)}`);
    const masker = maskerWith(...values);
    assert.equal(masker.size, values.length);

    for (const [i, value] of values.entries()) {
      assert.equal(masker.redact(`[${value}]`), '[***]', `value ${i} is masked`);
    }
    assert.equal(masker.redact('SEEDVALUE-5000-'), 'SEEDVALUE-5000-');
    assert.equal(masker.redact('SEEDVALUE-0-x'), '***x');
  });

  it('keeps no registered value', () => {
    const values = ['SEEDVALUE-kept-1', 'SEEDLINE-a\nSEEDLINE-b', 'SEED%50;]'];
    const masker = maskerWith(...values);
    const forms = values.flatMap(maskedForms);
    const dumps = [JSON.stringify(masker), inspect(masker, { depth: Infinity, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity })];

    for (const dump of dumps) {
      assert.ok(!dump.includes('SEED'), `no form in ${dump.slice(0, 60)}`);
      for (const form of forms) assert.ok(!dump.includes(form));
    }
  });

  it('matches reference redaction on random text', () => {
    const random = seededRandom(20261204);
    const alphabet = ['a', 'b', 'c', '%', ';', ']', '\n', '\r', 'é', '🔑'];
    const pick = (length: number): string => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');

    for (let round = 0; round < 300; round++) {
      const values = Array.from({ length: 1 + random(4) }, () => pick(1 + random(6)));
      const pieces = Array.from({ length: 6 }, () => (random(2) === 0 ? values[random(values.length)] : pick(random(4))));
      const text = pieces.join('');
      const masker = maskerWith(...values);

      assert.equal(masker.redact(text), redactByReference(text, values), `round ${round}: ${JSON.stringify({ values, text })}`);
    }
  });
});
