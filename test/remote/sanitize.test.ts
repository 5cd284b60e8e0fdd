// A host that prints escape sequences cannot paint over the terminal or the log: every remote line
// comes out of the line splitter (and every error tail) with terminal controls removed.
import test from 'ava';
import fc from 'fast-check';
import { stripControls } from '../../source/remote/sanitize.js';
import { createLineSplitter } from '../../source/remote/line-splitter.js';
import { tail } from '../../source/remote/errors.js';

const fake = '\u001b[2J\u001b[H\u001b[32m✓ all checks passed\u001b[0m\u001b]0;pwned\u0007\r\u001b[1A\u001b[Kdone\u009b31m\u0008';

test('clear-screen, cursor moves, colours, titles, CR and backspace are removed; text and tabs stay', (t) => {
	t.is(stripControls(fake), '✓ all checks passeddone');
	t.is(stripControls('a\tb'), 'a\tb');
	t.is(stripControls('\u001bP1;2|data\u001b\\after'), 'after');
});

test('the line splitter and error tails strip them', (t) => {
	const lines: string[] = [];
	const splitter = createLineSplitter((line) => lines.push(line));
	splitter.push(Buffer.from(`${fake}\nok\r\n\u001b[31mred`));
	splitter.end();
	t.deepEqual(lines, ['✓ all checks passeddone', 'ok', 'red']);
	t.is(tail(`one\n\u001b[2Jtwo\n`), 'one\ntwo');
});

test('no output of stripControls holds an ESC, a C0 control other than tab or newline, or a C1 control', (t) => {
	fc.assert(
		fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(stripControls(text))),
		{ numRuns: 5000 },
	);
	t.pass();
});
