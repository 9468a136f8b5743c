import assert from 'node:assert/strict';
import { splitListInput } from '../../../src/hosts/inputs';

describe('splitListInput', () => {
  it('splits lines and commas', () => {
    assert.deepEqual(splitListInput('a\r\nb, c\n\n  d  '), ['a', 'b', 'c', 'd']);
  });

  it('keeps commas inside glob braces', () => {
    assert.deepEqual(splitListInput('{a,b}-*,c'), ['{a,b}-*', 'c']);
  });

  it('returns nothing for blank text', () => {
    assert.deepEqual(splitListInput(' \n , '), []);
  });
});
