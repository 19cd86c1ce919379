import { describe, expect, it } from 'vitest';
import { joinCommandLine, parseEnvLines, splitCommandLine } from './argv';

const split = (s: string) => {
  const r = splitCommandLine(s);
  return r.ok ? r.argv : r.error;
};

describe('splitting a command line without a shell', () => {
  it('splits on blanks and keeps quoted words whole', () => {
    expect(split('sleep 1001')).toEqual(['sleep', '1001']);
    expect(split(`  grep -r "two words"  'it''s' `)).toEqual(['grep', '-r', 'two words', 'its']);
    expect(split(`echo ""`)).toEqual(['echo', '']);
  });

  it('leaves shell syntax as plain text: nothing is expanded', () => {
    expect(split('echo $HOME *.txt | wc; rm -rf ~')).toEqual(['echo', '$HOME', '*.txt', '|', 'wc;', 'rm', '-rf', '~']);
  });

  it('honours backslashes outside quotes and the few escapes inside double quotes', () => {
    expect(split('a\\ b "c\\"d" "e\\n"')).toEqual(['a b', 'c"d', 'e\\n']);
    expect(split("'a\\b'")).toEqual(['a\\b']);
    expect(split('one \\\ntwo')).toEqual(['one', 'two']);
  });

  it('points at an unterminated quote', () => {
    expect(split('echo "oops')).toEqual({ message: 'unterminated double quote', start: 5, end: 10 });
    expect(split("echo 'x")).toEqual({ message: 'unterminated single quote', start: 5, end: 7 });
    expect(split('   ')).toMatchObject({ message: 'type a command to run' });
  });

  it('quotes argv back so it splits the same way', () => {
    const argv = ['node', '-e', "console.log('hi there')", '', 'plain/path.js'];
    const line = joinCommandLine(argv);
    expect(split(line)).toEqual(argv);
  });
});

describe('environment lines', () => {
  it('reads KEY=VALUE lines verbatim and skips blanks and comments', () => {
    expect(parseEnvLines('A=1\n\n# note\nB= two = 2 \n')).toEqual({ ok: true, env: { A: '1', B: ' two = 2 ' } });
  });

  it('names the line at fault', () => {
    expect(parseEnvLines('A=1\nnope')).toEqual({ ok: false, error: 'line 2: expected KEY=VALUE' });
    expect(parseEnvLines('1X=2')).toMatchObject({ ok: false, error: expect.stringContaining('line 1') });
  });
});
