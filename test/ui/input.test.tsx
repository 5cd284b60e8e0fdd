// Input as a stream of keys: a read that holds several keys (a paste, tmux, a fast typist) is split
// into presses; a value and its Enter in one read submit; a multi-line paste into the host list adds
// one host per line; control characters never enter a value; the shell's editing keys work.
import test from 'ava';
import { render } from 'ink-testing-library';
import { HostList } from '../../source/ui/host-list.js';
import { keyPresses, splitText } from '../../source/ui/input/keys.js';
import { editLine, lineOf, type Line } from '../../source/ui/input/line-editor.js';
import { Review } from '../../source/ui/review.js';
import { TextField } from '../../source/ui/text-field.js';
import { mergeLayers } from '../../source/spec/merge.js';
import type { Host } from '../../source/spec/types.js';
import { KEYS, press, screen, stroke, until } from '../_helpers/keys.js';
import { runWizardApp } from './_wizard.js';

const NO_KEY = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };

test('a text read splits into presses: Enter (CR, LF, CR LF), Backspace, the Ctrl editing keys; other controls are dropped', (t) => {
	t.deepEqual(splitText('demo\r'), [{ kind: 'text', text: 'demo' }, { kind: 'enter' }]);
	t.deepEqual(splitText('a\rb\nc\r\n'), [
		{ kind: 'text', text: 'a' }, { kind: 'enter' }, { kind: 'text', text: 'b' }, { kind: 'enter' }, { kind: 'text', text: 'c' }, { kind: 'enter' },
	]);
	t.deepEqual(splitText('ab\u007fc\u0015d\u0017'), [
		{ kind: 'text', text: 'ab' }, { kind: 'backspace' }, { kind: 'text', text: 'c' }, { kind: 'kill-line' }, { kind: 'text', text: 'd' }, { kind: 'kill-word' },
	]);
	t.deepEqual(splitText('1\u00002\u0007\u00853\u202E4'), [{ kind: 'text', text: '1' }, { kind: 'text', text: '2' }, { kind: 'text', text: '3' }, { kind: 'text', text: '4' }], 'NUL, BEL, C1 and bidi overrides never become text');
	t.deepEqual(keyPresses('u', { ...NO_KEY, ctrl: true }), [{ kind: 'kill-line' }], 'Ctrl-U as one key is not the letter u');
	t.deepEqual(keyPresses('', { ...NO_KEY, delete: true }), [{ kind: 'backspace' }], 'DEL (what Backspace sends) erases backwards');
	t.deepEqual(keyPresses('', { ...NO_KEY, home: true }), [{ kind: 'home' }]);
	t.deepEqual(keyPresses('x', { ...NO_KEY, meta: true }), [], 'an Alt chord is not text');
});

test('the line editor edits as a shell does', (t) => {
	const apply = (line: Line, ...presses: Parameters<typeof editLine>[1][]): Line => presses.reduce((current, p) => editLine(current, p) ?? current, line);
	t.deepEqual(apply(lineOf('hello world'), { kind: 'kill-word' }), { text: 'hello ', cursor: 6 });
	t.deepEqual(apply(lineOf('hello world  '), { kind: 'kill-word' }), { text: 'hello ', cursor: 6 }, 'spaces before the cursor go with the word');
	t.deepEqual(apply(lineOf('hello world'), { kind: 'left' }, { kind: 'left' }, { kind: 'kill-line' }), { text: 'ld', cursor: 0 }, 'Ctrl-U kills to the start of the line');
	t.deepEqual(apply(lineOf('bc'), { kind: 'home' }, { kind: 'text', text: 'a' }, { kind: 'end' }, { kind: 'text', text: 'd' }), { text: 'abcd', cursor: 4 });
	t.deepEqual(apply(lineOf('abc'), { kind: 'home' }, { kind: 'right' }, { kind: 'backspace' }, { kind: 'delete' }), { text: 'c', cursor: 0 });
	t.deepEqual(apply(lineOf('abc'), { kind: 'home' }, { kind: 'kill-to-end' }), { text: '', cursor: 0 });
	t.is(editLine(lineOf('abc'), { kind: 'enter' }), undefined, 'Enter is not an edit');
});

function textField(check: (text: string) => readonly string[] = () => []) {
	const submitted: string[] = [];
	const app = render(<TextField prompt="Cluster name:" check={check} onSubmit={(text) => void submitted.push(text)} />);
	return { app, submitted };
}

test.serial('text: a value and its Enter in one read submit it, and the prompt is drawn whole', async (t) => {
	const { app, submitted } = textField();
	await screen(app, /Cluster name:/);
	app.stdin.write('demo\r');
	await until(() => submitted.length > 0);
	t.deepEqual(submitted, ['demo']);
	await screen(app, /^Cluster name: demo/m);
	app.unmount();
});

test.serial('text: "a\\rb\\rc\\r" submits "a" once; the rest of that read belongs to no field', async (t) => {
	const { app, submitted } = textField();
	await screen(app, /Cluster name:/);
	app.stdin.write('a\rb\rc\r');
	await until(() => submitted.length > 0);
	await press(app.stdin, '');
	t.deepEqual(submitted, ['a']);
	app.unmount();
});

test.serial('text: pasted control characters never enter the value; Backspace, Ctrl-U, Ctrl-W, Home/End and arrows edit it', async (t) => {
	const { app, submitted } = textField((text) => (/^[a-z0-9-]*$/.test(text) ? [] : [`"${text}" is not a name`]));
	await screen(app, /Cluster name:/);
	app.stdin.write('de\u0007mo\u0000\u001Bx');
	await screen(app, /Cluster name: demo/);
	t.notRegex(app.lastFrame() ?? '', /is not a name/, 'nothing but the printable characters went in');
	await stroke(app, '\u0015');
	t.regex(app.lastFrame() ?? '', /Cluster name: ?\s*$/m, 'Ctrl-U cleared the line (it did not type a u)');
	app.stdin.write('my cluster');
	await screen(app, /Cluster name: my cluster/);
	await stroke(app, '\u0017');
	await screen(app, /"my " is not a name/);
	await stroke(app, KEYS.backspace);
	await press(app.stdin, KEYS.left);
	await stroke(app, '-');
	await screen(app, /Cluster name: m-y/);
	await press(app.stdin, '\u001B[H');
	await stroke(app, 'x');
	await press(app.stdin, '\u001B[F');
	await stroke(app, 'z');
	await screen(app, /Cluster name: xm-yz/);
	await press(app.stdin, KEYS.enter);
	t.deepEqual(submitted, ['xm-yz']);
	app.unmount();
});

function hostList() {
	let hosts: Host[] = [];
	const submitted: Host[][] = [];
	const checkEntry = (list: Host[], index: number) => {
		const host = list[index];
		if (host === undefined) return [];
		if (!/^\d+\.\d+\.\d+\.\d+$/.test(host.address)) return [`"${host.address}" is not an IP address`];
		return list.findIndex((h) => h.address === host.address) !== index ? [`"${host.address}" is already in the list`] : [];
	};
	const view = () => (
		<HostList
			prompt="Hosts:"
			addressLabel="Address"
			roles={['control-plane', 'worker']}
			details={[{ key: 'privateAddress', label: 'Private address' }]}
			hosts={hosts}
			checkEntry={checkEntry}
			checkDone={(list) => (list.some((h) => h.role === 'control-plane') ? [] : ['needs a control plane'])}
			onChange={(list) => {
				hosts = list;
				app.rerender(view());
			}}
			onSubmit={(list) => void submitted.push(list)}
		/>
	);
	const app = render(view());
	return { app, submitted, hosts: () => hosts };
}

test.serial('host list: three pasted addresses are three hosts, the first a control plane', async (t) => {
	const { app, hosts } = hostList();
	await screen(app, /Address \(control-plane\):/);
	app.stdin.write('10.0.0.1\r10.0.0.2\r10.0.0.3\r');
	await screen(app, /3 +worker +10\.0\.0\.3/);
	t.deepEqual(hosts(), [
		{ address: '10.0.0.1', role: 'control-plane' },
		{ address: '10.0.0.2', role: 'worker' },
		{ address: '10.0.0.3', role: 'worker' },
	]);
	t.regex(app.lastFrame() ?? '', /Address \(worker\):\s*$/m, 'back on an empty address line, not inside a host');
	app.unmount();
});

test.serial('host list: a paste stops at a line that cannot be added, shows why, and says what was left out', async (t) => {
	const { app, hosts } = hostList();
	await screen(app, /Address \(control-plane\):/);
	app.stdin.write('10.0.0.1\nnot-an-ip\n10.0.0.3\n10.0.0.4\n');
	const frame = await screen(app, /"not-an-ip" is not an IP address/);
	t.deepEqual(hosts(), [{ address: '10.0.0.1', role: 'control-plane' }]);
	t.regex(frame, /Address \(worker\): not-an-ip/);
	t.regex(frame, /2 pasted lines after not-an-ip were not added/);
	t.notRegex(frame, /\r/);
	app.unmount();
});

test.serial('host list: one address and its Enter in one read goes on to the optional fields, as typed', async (t) => {
	const { app, hosts } = hostList();
	await screen(app, /Address \(control-plane\):/);
	app.stdin.write('10.0.0.1\r');
	await screen(app, /Private address of 10\.0\.0\.1 \(optional\):/);
	t.deepEqual(hosts(), [{ address: '10.0.0.1', role: 'control-plane' }]);
	app.unmount();
});

test.serial('wizard: the name and its Enter in one read move on to the next question', async (t) => {
	const run = runWizardApp();
	await screen(run.app, /Cluster name:/);
	run.app.stdin.write('demo\r');
	const frame = await screen(run.app, /Select target/);
	t.notRegex(frame, /Cluster name:/);
	run.app.stdin.write(KEYS.ctrlC);
	await until(() => run.outcomes.length === 1);
	t.is(run.outcomes[0], 'aborted');
});

test.serial('review: after every host failed the SSH test, "Save and exit" is the default and the review says why', async (t) => {
	const { cluster } = mergeLayers([{ metadata: { name: 'demo' }, spec: { hosts: [{ address: '10.0.0.1', role: 'control-plane' }], ssh: { user: 'ubuntu' } } }]);
	const props = { cluster, problems: [], defaultPath: './cluster.yaml', onSave: async () => undefined, onExit: () => undefined, onInstall: () => undefined };
	const normal = render(<Review {...props} />);
	t.regex(await screen(normal, /Select what to do/), /› Install now/);
	normal.unmount();
	const failed = render(<Review {...props} sshFailedAll />);
	const frame = await screen(failed, /Select what to do/);
	t.regex(frame, /› Save and exit/);
	t.regex(frame, /Every host failed the SSH connection test/);
	t.notRegex(frame, /› Install now/);
	failed.unmount();
});
