import { describe, expect, it } from 'vitest';
import { commandWord } from '../src/program.js';

describe('commandWord (only the command named is declared)', () => {
  it('finds the command after global flags and their values', () => {
    expect(commandWord(['copy', 'a', 'b'])).toBe('copy');
    expect(commandWord(['--debug', 'inspect', 'x'])).toBe('inspect');
    expect(commandWord(['--tmpdir', '/t', '--plugin', 'p', 'list-tags', 'r'])).toBe('list-tags');
    expect(commandWord(['--tmpdir=/t', 'delete', 'r'])).toBe('delete');
    expect(commandWord(['--', 'copy'])).toBe('copy');
  });

  it('is undefined when there is no command word', () => {
    expect(commandWord([])).toBeUndefined();
    expect(commandWord(['--help'])).toBeUndefined();
    expect(commandWord(['--policy', 'p.json'])).toBeUndefined();
  });
});
