// Each field kind on its own, driven by key presses: select (with a choice that cannot be taken),
// text (the check under the field, Enter refused while it speaks), confirm, and the host list.
import test from 'ava';
import { render } from 'ink-testing-library';
import { ConfirmField } from '../../source/ui/confirm-field.js';
import { HostList, type ProbeState } from '../../source/ui/host-list.js';
import { SelectField } from '../../source/ui/select-field.js';
import { TextField } from '../../source/ui/text-field.js';
import { KeyHints, HINTS } from '../../source/ui/key-hints.js';
import type { ConnectionTest, ConnectionTestUi } from '../../source/session/connection-test.js';
import { SshConnectionCheck } from '../../source/ui/ssh-check.js';
import { mergeLayers } from '../../source/spec/merge.js';
import type { Host } from '../../source/spec/types.js';
import { KEYS, press, screen, stroke, type, until } from '../_helpers/keys.js';

function recorder<T>() {
	const calls: T[] = [];
	return { calls, fn: (value: T) => void calls.push(value) };
}

test.serial('select: arrows move, Enter takes the choice, a disabled choice shows its reason and cannot be taken', async (t) => {
	const submitted = recorder<string>();
	const app = render(
		<SelectField
			prompt="Select Cilium IPAM"
			help="How pods get addresses."
			items={[
				{ value: 'cluster-pool', label: 'cluster-pool' },
				{ value: 'eni', label: 'eni', disabledReason: '"eni" is only supported with target "aws"' },
				{ value: 'crd', label: 'crd' },
			]}
			initial="cluster-pool"
			onSubmit={submitted.fn}
		/>,
	);
	let frame = await screen(app, /Select Cilium IPAM/);
	t.regex(frame, /How pods get addresses\./);
	t.regex(frame, /› cluster-pool/);
	t.regex(frame, /eni — unavailable: "eni" is only supported with target "aws"/);
	await stroke(app, KEYS.down);
	await press(app.stdin, KEYS.enter);
	frame = app.lastFrame() ?? '';
	t.deepEqual(submitted.calls, [], 'Enter on the disabled choice is refused');
	t.regex(frame, /✗ eni is unavailable: "eni" is only supported with target "aws"/);
	await stroke(app, KEYS.down);
	await press(app.stdin, KEYS.enter);
	t.deepEqual(submitted.calls, ['crd']);
	app.unmount();
});

test.serial('select: the cursor starts on the current value, skipping a disabled one; Esc and ← go back', async (t) => {
	const back = recorder<void>();
	const items = [
		{ value: 'a', label: 'a', disabledReason: 'not here' },
		{ value: 'b', label: 'b' },
	];
	const app = render(<SelectField prompt="Select x" items={items} initial="a" onSubmit={() => undefined} onBack={() => back.fn()} />);
	t.regex(await screen(app, /Select x/), /› b/);
	await press(app.stdin, KEYS.escape);
	await press(app.stdin, KEYS.left);
	t.is(back.calls.length, 2);
	app.unmount();
});

test.serial('text: the check shows under the field as it is typed and Enter is refused while it speaks', async (t) => {
	const submitted = recorder<string>();
	const check = (text: string) => (/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(text) && text.endsWith('.0/16') ? [] : [`"${text}" is not an IPv4 CIDR such as 10.244.0.0/16`]);
	const app = render(<TextField prompt="Pod subnet:" help="IPv4 CIDR pod addresses come from." initial="10.244.0.0/16" check={check} onSubmit={submitted.fn} />);
	let frame = await screen(app, /Pod subnet: 10\.244\.0\.0\/16/);
	t.notRegex(frame, /✗/, 'an untouched default is not judged');
	await stroke(app, KEYS.backspace, 3);
	frame = app.lastFrame() ?? '';
	t.regex(frame, /Pod subnet: 10\.244\.0\.0(?!\/)/);
	t.regex(frame, /✗ "10\.244\.0\.0" is not an IPv4 CIDR such as 10\.244\.0\.0\/16/);
	await press(app.stdin, KEYS.enter);
	t.deepEqual(submitted.calls, [], 'Enter is refused');
	await type(app.stdin, '/16');
	t.notRegex(app.lastFrame() ?? '', /✗/);
	await press(app.stdin, KEYS.enter);
	t.deepEqual(submitted.calls, ['10.244.0.0/16']);
	app.unmount();
});

test.serial('text: Esc goes back; ← goes back only on an empty line', async (t) => {
	const back = recorder<void>();
	const app = render(<TextField prompt="Cluster name:" initial="ab" onSubmit={() => undefined} onBack={() => back.fn()} />);
	await screen(app, /Cluster name: ab/);
	await press(app.stdin, KEYS.left);
	t.is(back.calls.length, 0, '← moves the cursor in text');
	await press(app.stdin, KEYS.escape);
	t.is(back.calls.length, 1);
	app.unmount();
	const empty = render(<TextField prompt="Cluster name:" onSubmit={() => undefined} onBack={() => back.fn()} />);
	await screen(empty, /Cluster name:/);
	await press(empty.stdin, KEYS.left);
	t.is(back.calls.length, 2);
	empty.unmount();
});

test.serial('confirm: y and n answer at once, Enter takes the default, a refused answer says why', async (t) => {
	const submitted = recorder<boolean>();
	const check = (value: boolean) => (value ? [] : ['must be on here']);
	const app = render(<ConfirmField prompt="Hubble?" help="Flow visibility." initial check={check} onSubmit={submitted.fn} />);
	t.regex(await screen(app, /Hubble\? \(Y\/n\)/), /Flow visibility\./);
	await press(app.stdin, 'n');
	t.deepEqual(submitted.calls, []);
	t.regex(app.lastFrame() ?? '', /✗ must be on here/);
	await press(app.stdin, 'y');
	await press(app.stdin, KEYS.enter);
	t.deepEqual(submitted.calls, [true, true]);
	app.unmount();
	const off = render(<ConfirmField prompt="Disable masquerade?" initial={false} onSubmit={submitted.fn} />);
	await screen(off, /Disable masquerade\? \(y\/N\)/);
	await press(off.stdin, KEYS.enter);
	t.deepEqual(submitted.calls, [true, true, false]);
	off.unmount();
});

test.serial('key hints: one bar, without "esc back" on the first question', (t) => {
	const first = render(<KeyHints hints={HINTS.select} canGoBack={false} />);
	t.is(first.lastFrame()?.trim(), '↑↓ select · enter confirm · ctrl-c quit');
	first.unmount();
	const later = render(<KeyHints hints={HINTS.select} />);
	t.is(later.lastFrame()?.trim(), '↑↓ select · enter confirm · esc back · ctrl-c quit');
	later.unmount();
});

/** A host list wired as the wizard wires it: the list lives outside, the component reports changes. */
function hostList(options: { probes?: Record<string, ProbeState> } = {}) {
	let hosts: Host[] = [];
	const submitted = recorder<Host[]>();
	const checkEntry = (list: Host[], index: number) => {
		const host = list[index];
		if (host === undefined) return [];
		if (!/^\d+\.\d+\.\d+\.\d+$/.test(host.address)) return [`"${host.address}" is not a valid IPv4 address`];
		const earlier = list.findIndex((h) => h.address === host.address);
		return earlier !== index ? [`"${host.address}" is already used by spec.hosts[${earlier}]`] : [];
	};
	const checkDone = (list: Host[]) => (list.some((h) => h.role === 'control-plane') ? [] : ['needs at least one host with role "control-plane"']);
	const view = () => (
		<HostList
			prompt="Hosts:"
			help="Machines to install on."
			addressLabel="Address"
			roles={['control-plane', 'worker']}
			hosts={hosts}
			probeOf={(host) => options.probes?.[host.address]}
			checkEntry={checkEntry}
			checkDone={checkDone}
			onChange={(list) => {
				hosts = list;
				app.rerender(view());
			}}
			onSubmit={submitted.fn}
		/>
	);
	const app = render(view());
	return { app, submitted, hosts: () => hosts };
}

test.serial('host list: add one by one (first a control plane, then workers), Tab switches the role, probe results per row', async (t) => {
	const { app, submitted, hosts } = hostList({ probes: { '10.0.0.1': { state: 'reachable', ms: 4 }, '10.0.0.2': { state: 'unreachable', reason: 'connection refused' }, '10.0.0.3': { state: 'checking' } } });
	await screen(app, /Address \(control-plane\):/);
	await type(app.stdin, '10.0.0.1');
	await press(app.stdin, KEYS.enter);
	await screen(app, /Address \(worker\):/);
	await type(app.stdin, '10.0.0.2');
	await press(app.stdin, KEYS.enter);
	await press(app.stdin, KEYS.tab);
	await screen(app, /Address \(control-plane\):/);
	await press(app.stdin, KEYS.tab);
	await type(app.stdin, '10.0.0.3');
	await press(app.stdin, KEYS.enter);
	t.deepEqual(hosts(), [
		{ address: '10.0.0.1', role: 'control-plane' },
		{ address: '10.0.0.2', role: 'worker' },
		{ address: '10.0.0.3', role: 'worker' },
	]);
	const frame = await screen(app, /10\.0\.0\.3/);
	t.regex(frame, /1 {2}control-plane {2,}10\.0\.0\.1 +reachable \(4 ms\)/);
	t.regex(frame, /2 {2}worker {2,}10\.0\.0\.2 +unreachable: connection refused/);
	t.regex(frame, /3 {2}worker {2,}10\.0\.0\.3 +checking…/);
	await press(app.stdin, KEYS.enter);
	t.deepEqual(submitted.calls, [hosts()], 'Enter on an empty line ends the list');
	app.unmount();
});

test.serial('host list: an invalid or duplicate address shows why as it is typed and is not added', async (t) => {
	const { app, hosts } = hostList();
	await screen(app, /Address \(control-plane\):/);
	await type(app.stdin, '10.0.0.');
	t.regex(app.lastFrame() ?? '', /✗ "10\.0\.0\." is not a valid IPv4 address/);
	await press(app.stdin, KEYS.enter);
	t.deepEqual(hosts(), []);
	await type(app.stdin, '1');
	t.notRegex(app.lastFrame() ?? '', /✗/);
	await press(app.stdin, KEYS.enter);
	await screen(app, /Address \(worker\):/);
	await type(app.stdin, '10.0.0.1');
	await press(app.stdin, KEYS.enter);
	t.regex(app.lastFrame() ?? '', /✗ "10\.0\.0\.1" is already used by spec\.hosts\[0\]/);
	t.is(hosts().length, 1);
	app.unmount();
});

test.serial('host list: ↑ enters the list, e edits a row in place, d deletes one; the list-wide check runs at the end', async (t) => {
	const { app, submitted, hosts } = hostList();
	await screen(app, /Address \(control-plane\):/);
	for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
		await type(app.stdin, address);
		await press(app.stdin, KEYS.enter);
		await screen(app, new RegExp(address.replaceAll('.', '\\.')));
	}
	await stroke(app, KEYS.up);
	t.regex(app.lastFrame() ?? '', /› {2}3 {2}worker/);
	await stroke(app, KEYS.up);
	await press(app.stdin, 'e');
	let frame = await screen(app, /Address \(worker\) #2: 10\.0\.0\.2/);
	t.regex(frame, /editing…/);
	await stroke(app, KEYS.backspace);
	await type(app.stdin, '9');
	await press(app.stdin, KEYS.enter);
	t.deepEqual(hosts().map((h) => h.address), ['10.0.0.1', '10.0.0.9', '10.0.0.3']);
	await stroke(app, KEYS.up, 3);
	await press(app.stdin, 'd');
	t.deepEqual(hosts(), [{ address: '10.0.0.9', role: 'worker' }, { address: '10.0.0.3', role: 'worker' }]);
	await press(app.stdin, KEYS.escape);
	frame = await screen(app, /Address \(control-plane\):/);
	t.regex(frame, /Address \(control-plane\):/, 'with no control plane left, the next host is one');
	await press(app.stdin, KEYS.enter);
	t.deepEqual(submitted.calls, []);
	t.regex(app.lastFrame() ?? '', /✗ needs at least one host with role "control-plane"/);
	app.unmount();
});

/** A scripted connection test: each run gets the screen's ui and signal, and the test drives it. */
function scriptedTest() {
	const runs: Array<{ ui: ConnectionTestUi; signal: AbortSignal; finish: () => void }> = [];
	const connectionTest: ConnectionTest = (_cluster, ui, signal) => new Promise<void>((resolve) => {
		runs.push({ ui, signal, finish: resolve });
	});
	return { runs, connectionTest };
}

const twoHosts = mergeLayers([{ spec: { hosts: [{ address: '10.0.0.1', role: 'control-plane' }, { address: '10.0.0.2', role: 'worker' }] } }]).cluster;

function checkScreen(connectionTest: ConnectionTest, extra: { onEditHosts?: () => void } = {}) {
	const continued = recorder<void>();
	const back = recorder<void>();
	const app = render(
		<SshConnectionCheck cluster={twoHosts} connectionTest={connectionTest} onContinue={() => continued.fn()} onBack={() => back.fn()} {...extra} />,
	);
	return { app, continued, back };
}

test.serial('SSH connection test: nothing without one; a line per host from the start, results as they come, Enter continues once all passed', async (t) => {
	const none = render(<SshConnectionCheck cluster={twoHosts} onContinue={() => undefined} />);
	t.is(none.lastFrame(), '');
	none.unmount();
	const { runs, connectionTest } = scriptedTest();
	const { app, continued } = checkScreen(connectionTest);
	let frame = await screen(app, /SSH connection test/);
	t.regex(frame, /· 10\.0\.0\.1 +waiting\n· 10\.0\.0\.2 +waiting/);
	const run = runs[0]!;
	run.ui.report({ host: '10.0.0.1', state: 'checking' });
	run.ui.report({ host: '10.0.0.2', state: 'ok', detail: 'Ubuntu 24.04 · kernel 6.8.0 · sudo ok' });
	frame = await screen(app, /✓ 10\.0\.0\.2/);
	t.regex(frame, /… 10\.0\.0\.1 +connecting…/);
	t.regex(frame, /✓ 10\.0\.0\.2 +Ubuntu 24\.04 · kernel 6\.8\.0 · sudo ok/);
	await press(app.stdin, KEYS.enter);
	t.is(continued.calls.length, 0, 'Enter waits for every host');
	run.ui.report({ host: '10.0.0.1', state: 'ok', detail: 'Debian 12 · kernel 6.1.0 · sudo ok' });
	run.finish();
	frame = await screen(app, /All 2 hosts passed\./);
	t.regex(frame, /✓ 10\.0\.0\.1 +Debian 12 · kernel 6\.1\.0 · sudo ok/);
	t.regex(frame, /enter continue/);
	await press(app.stdin, KEYS.enter);
	t.is(continued.calls.length, 1);
	t.is(runs.length, 1, 'run once');
	app.unmount();
	t.true(run.signal.aborted, 'leaving the screen stops the test');
});

test.serial('SSH connection test: unknown host keys are asked one at a time; y trusts, n and Enter refuse', async (t) => {
	const { runs, connectionTest } = scriptedTest();
	const { app } = checkScreen(connectionTest);
	await screen(app, /SSH connection test/);
	const run = runs[0]!;
	const question = (host: string, fingerprint: string) => ({ host, keyType: 'ED25519', fingerprint, knownHostsFile: '~/.ssh/known_hosts' });
	run.ui.report({ host: '10.0.0.1', state: 'asking' });
	run.ui.report({ host: '10.0.0.2', state: 'asking' });
	const first = run.ui.trustHostKey(question('10.0.0.1', 'SHA256:first'));
	const second = run.ui.trustHostKey(question('10.0.0.2', 'SHA256:second'));
	let frame = await screen(app, /Trust it\? \(y\/N\)/);
	t.regex(frame, /Host 10\.0\.0\.1 is not in ~\/\.ssh\/known_hosts\.\nED25519 key fingerprint SHA256:first/);
	t.notRegex(frame, /SHA256:second/, 'one question at a time');
	t.regex(frame, /\? 10\.0\.0\.1 +host key to confirm/);
	t.regex(frame, /y trust and record it · n\/enter refuse/);
	await press(app.stdin, 'x');
	await press(app.stdin, KEYS.enter);
	t.false(await first, 'Enter takes the default, no');
	frame = await screen(app, /SHA256:second/);
	t.notRegex(frame, /SHA256:first/);
	await press(app.stdin, 'y');
	t.true(await second);
	run.ui.report({ host: '10.0.0.1', state: 'failed', detail: 'host key not trusted' });
	run.ui.report({ host: '10.0.0.2', state: 'ok', detail: 'Debian 12 · kernel 6.1.0 · sudo ok' });
	const bastion = run.ui.trustHostKey({ ...question('[198.51.100.5]:2222', 'SHA256:jump'), role: 'bastion' });
	frame = await screen(app, /The bastion \[198\.51\.100\.5\]:2222 is not in ~\/\.ssh\/known_hosts\./);
	t.notRegex(frame, /SHA256:first|SHA256:second/);
	await press(app.stdin, 'n');
	t.false(await bastion);
	run.finish();
	frame = await screen(app, /1 of 2 hosts failed\./);
	t.regex(frame, /✗ 10\.0\.0\.1 +host key not trusted/);
	t.notRegex(frame, /Trust it\?/);
	app.unmount();
});

test.serial('SSH connection test: failing hosts offer test again, change the hosts, go back or continue anyway', async (t) => {
	const { runs, connectionTest } = scriptedTest();
	const editHosts = recorder<void>();
	const { app, continued, back } = checkScreen(connectionTest, { onEditHosts: () => editHosts.fn() });
	await screen(app, /SSH connection test/);
	runs[0]!.ui.report({ host: '10.0.0.1', state: 'ok', detail: 'Debian 12 · kernel 6.1.0 · sudo ok' });
	runs[0]!.ui.report({ host: '10.0.0.2', state: 'failed', detail: 'Debian 12 · kernel 4.19.0 · sudo failed', problems: ['kernel 4.19.0 is older than 5.10', 'sudo needs a password (add NOPASSWD for ubuntu or use --ask-sudo-password)'] });
	runs[0]!.finish();
	let frame = await screen(app, /Select what to do/);
	t.regex(frame, /✗ 10\.0\.0\.2 +Debian 12 · kernel 4\.19\.0 · sudo failed\n {4}kernel 4\.19\.0 is older than 5\.10\n {4}sudo needs a password/);
	t.regex(frame, /1 of 2 hosts failed\./);
	t.regex(frame, /› Test again\n +Change the hosts\n +Change the SSH settings\n +Continue anyway \(install checks this host again and stops while it fails\)/);
	await press(app.stdin, KEYS.enter);
	await until(() => runs.length === 2, 5000, 'a second run');
	t.true(runs[0]!.signal.aborted, 'the old run is stopped');
	frame = await screen(app, /· 10\.0\.0\.2 +waiting/);
	t.notRegex(frame, /failed/, 'the lines start over');
	runs[1]!.ui.report({ host: '10.0.0.2', state: 'failed', detail: 'unreachable: cannot connect (connect ECONNREFUSED 10.0.0.2:22)' });
	runs[1]!.finish();
	await screen(app, /Select what to do/);
	await stroke(app, KEYS.down);
	await press(app.stdin, KEYS.enter);
	t.is(editHosts.calls.length, 1, 'Change the hosts');
	await stroke(app, KEYS.down);
	await press(app.stdin, KEYS.enter);
	t.is(back.calls.length, 1, 'Change the SSH settings goes back');
	await press(app.stdin, KEYS.escape);
	t.is(back.calls.length, 2, 'Esc goes back too');
	await stroke(app, KEYS.down);
	await press(app.stdin, KEYS.enter);
	t.is(continued.calls.length, 1, 'Continue anyway is an explicit choice');
	app.unmount();
});

test.serial('SSH connection test: Esc while it runs goes back, stopping it and refusing the open question', async (t) => {
	const { runs, connectionTest } = scriptedTest();
	const { app, back } = checkScreen(connectionTest);
	await screen(app, /SSH connection test/);
	const pending = runs[0]!.ui.trustHostKey({ host: '10.0.0.1', keyType: 'ED25519', fingerprint: 'SHA256:x', knownHostsFile: '~/.ssh/known_hosts' });
	await screen(app, /Trust it\?/);
	await press(app.stdin, KEYS.escape);
	t.is(back.calls.length, 1);
	app.unmount();
	t.true(runs[0]!.signal.aborted);
	t.false(await pending, 'an open question is answered no');
});

test.serial('SSH connection test: a key passphrase is asked without echo, once', async (t) => {
	const { runs, connectionTest } = scriptedTest();
	const { app } = checkScreen(connectionTest);
	await screen(app, /SSH connection test/);
	const answer = runs[0]!.ui.askSecret('Passphrase for /home/me/.ssh/id_ed25519:');
	await screen(app, /Passphrase for \/home\/me\/\.ssh\/id_ed25519:/);
	await type(app.stdin, 's3cret');
	t.false((app.lastFrame() ?? '').includes('s3cret'), 'not echoed');
	t.regex(app.lastFrame() ?? '', /••••••/);
	await press(app.stdin, KEYS.enter);
	t.is(await answer, 's3cret');
	const skipped = runs[0]!.ui.askSecret('Passphrase for /home/me/.ssh/id_rsa:');
	await screen(app, /id_rsa/);
	await press(app.stdin, KEYS.escape);
	t.is(await skipped, undefined, 'Esc skips that key');
	app.unmount();
});

test.serial('host list: each address is followed by its optional private address and node name; Enter skips them', async (t) => {
	let hosts: Host[] = [];
	const submitted = recorder<Host[]>();
	const checkEntry = (list: Host[], index: number) => {
		const host = list[index];
		return host?.privateAddress !== undefined && !/^\d+\.\d+\.\d+\.\d+$/.test(host.privateAddress) ? [`"${host.privateAddress}" is not a valid IPv4 address`] : [];
	};
	const view = () => (
		<HostList
			prompt="Hosts:"
			addressLabel="Address"
			roles={['control-plane', 'worker']}
			details={[{ key: 'privateAddress', label: 'Private address', help: 'kubelet node-ip' }, { key: 'name', label: 'Node name' }]}
			hosts={hosts}
			checkEntry={checkEntry}
			checkDone={() => []}
			onChange={(list) => {
				hosts = list;
				app.rerender(view());
			}}
			onSubmit={submitted.fn}
		/>
	);
	const app = render(view());
	await screen(app, /Address \(control-plane\):/);
	await type(app.stdin, '192.0.2.10');
	await press(app.stdin, KEYS.enter);
	t.deepEqual(hosts, [{ address: '192.0.2.10', role: 'control-plane' }], 'the host is in the list at once');
	let frame = await screen(app, /Private address of 192\.0\.2\.10 \(optional\):/);
	t.regex(frame, /kubelet node-ip/);
	t.regex(frame, /enter next \(empty: none\) · esc back to the address/);
	await type(app.stdin, '10.0.0.x');
	t.regex(app.lastFrame() ?? '', /✗ "10\.0\.0\.x" is not a valid IPv4 address/);
	await press(app.stdin, KEYS.enter);
	t.deepEqual(hosts, [{ address: '192.0.2.10', role: 'control-plane' }], 'refused');
	await stroke(app, KEYS.backspace);
	await type(app.stdin, '10');
	await press(app.stdin, KEYS.enter);
	await screen(app, /Node name of 192\.0\.2\.10 \(optional\):/);
	await type(app.stdin, 'cp-1');
	await press(app.stdin, KEYS.enter);
	await screen(app, /Address \(worker\):/);
	await type(app.stdin, '192.0.2.11');
	await press(app.stdin, KEYS.enter);
	await screen(app, /Private address of 192\.0\.2\.11/);
	await press(app.stdin, KEYS.enter);
	await screen(app, /Node name of 192\.0\.2\.11/);
	await press(app.stdin, KEYS.enter);
	frame = await screen(app, /Address \(worker\):/);
	t.regex(frame, /1 {2}control-plane {2}192\.0\.2\.10 {4}10\.0\.0\.10 {2}cp-1/);
	t.deepEqual(hosts, [
		{ address: '192.0.2.10', role: 'control-plane', privateAddress: '10.0.0.10', name: 'cp-1' },
		{ address: '192.0.2.11', role: 'worker' },
	]);
	await stroke(app, KEYS.up, 2);
	await press(app.stdin, 'e');
	await screen(app, /Address \(control-plane\) #1: 192\.0\.2\.10/);
	await press(app.stdin, KEYS.enter);
	await screen(app, /Private address of 192\.0\.2\.10 \(optional\): 10\.0\.0\.10/);
	await stroke(app, KEYS.backspace, '10.0.0.10'.length);
	await press(app.stdin, KEYS.enter);
	await screen(app, /Node name of 192\.0\.2\.10 \(optional\): cp-1/);
	await press(app.stdin, KEYS.escape);
	await screen(app, /Private address of 192\.0\.2\.10 \(optional\):\s*$/m);
	await press(app.stdin, KEYS.escape);
	await screen(app, /Address \(control-plane\) #1: 192\.0\.2\.10/);
	await press(app.stdin, KEYS.escape);
	await screen(app, /Address \(worker\):/);
	t.deepEqual(hosts[0], { address: '192.0.2.10', role: 'control-plane', name: 'cp-1' }, 'an emptied private address is removed');
	await press(app.stdin, KEYS.enter);
	t.deepEqual(submitted.calls, [hosts]);
	app.unmount();
});
