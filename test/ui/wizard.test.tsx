// The whole wizard from key presses: the question order, answers kept when going back, answers
// forced by others (ENI, Calico without encapsulation), provided answers never asked, and the spec
// object and file the review saves.
import test from 'ava';
import { resolveSpec } from '../../source/spec/resolve.js';
import type { Cluster } from '../../source/spec/types.js';
import type { ConnectionTest } from '../../source/session/connection-test.js';
import { KEYS, press, screen, stroke, type, until } from '../_helpers/keys.js';
import { confirm, hosts, runWizardApp, select, text } from './_wizard.js';

const cilium = (overrides: Partial<Cluster['spec']['network']['cilium']> = {}) => ({
	ipam: 'cluster-pool', tunnel: 'vxlan', nativeRoutingCIDR: '', enablePolicy: 'default',
	disableMasquerade: false, kubeProxyReplacement: false, hubble: true, ...overrides,
});

test.serial('baremetal + Cilium: key presses to the final spec object and the saved file', async (t) => {
	const run = runWizardApp({ probe: async (host) => (host === '10.0.0.1' ? { reachable: true, ms: 2 } : { reachable: false, reason: 'connection refused' }) });
	let frame = await text(run, /Cluster name:/, 'demo');
	t.regex(frame, /Names the cluster/, 'the field help is under the prompt');
	t.notRegex(frame, /esc back/, 'nothing to go back to on the first question');
	await select(run, /Select target/);
	frame = await hosts(run, ['10.0.0.1', '10.0.0.2']);
	t.regex(frame, /control-plane +10\.0\.0\.1/);
	await until(() => /reachable \(2 ms\)/.test(run.frame()) || /SSH user:/.test(run.frame()));
	await text(run, /SSH user:/, 'ubuntu');
	await text(run, /SSH port: 22/);
	await text(run, /SSH identity file:/);
	await select(run, /Select host key policy/);
	await text(run, /Bastion address:/);
	await text(run, /Kubernetes version: 1\.36/);
	await text(run, /Pod subnet: 10\.244\.0\.0\/16/);
	frame = await text(run, /Service subnet: 10\.96\.0\.0\/12/);
	t.notRegex(frame, /Control-plane endpoint/);
	await select(run, /Select CNI/);
	frame = await select(run, /Select Cilium IPAM/);
	t.regex(frame, /eni — unavailable: "eni" is only supported with target "aws"/);
	await select(run, /Select Cilium tunnel/);
	await confirm(run, /Disable masquerade\? \(y\/N\)/);
	await select(run, /Select policy enforcement/, 1);
	await confirm(run, /kube-proxy replacement\? \(y\/N\)/, 'y');
	await confirm(run, /Hubble\? \(Y\/n\)/, 'n');
	frame = await screen(run.app, /Review/);
	t.regex(frame, /Cluster name +demo/);
	t.regex(frame, /baremetal: 1 control plane \+ 1 worker/);
	t.regex(frame, /Cilium 1\.20\.1 \(ipam cluster-pool, vxlan tunnel, policy always/);
	t.regex(frame, /kubestrap install --config cluster\.yaml --yes/);
	t.regex(frame, /kubestrap install --name demo --target baremetal/);
	t.regex(frame, /--cilium-kube-proxy-replacement\s+(\\\s+)?--no-cilium-hubble\s+(\\\s+)?--yes/);
	t.notRegex(frame, /Install now/, 'no install choice without onInstall');
	await select(run, /› Save and exit/);
	await text(run, /File: \.\/cluster\.yaml/);
	await until(() => run.outcomes.length === 1);
	const expected: Cluster = {
		apiVersion: 'kubestrap.dev/v1alpha1',
		kind: 'Cluster',
		metadata: { name: 'demo' },
		spec: {
			target: 'baremetal',
			hosts: [{ address: '10.0.0.1', role: 'control-plane' }, { address: '10.0.0.2', role: 'worker' }],
			// The port prompt's 22 taken unchanged leaves spec.ssh.port unset: ~/.ssh/config's Port still applies.
			ssh: { user: 'ubuntu', knownHostsFile: '~/.ssh/known_hosts', hostKeyPolicy: 'strict' },
			kubernetes: { version: '1.36', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', controlPlaneEndpoint: '' },
			network: {
				cni: 'cilium',
				cilium: cilium({ enablePolicy: 'always', kubeProxyReplacement: true, hubble: false }) as Cluster['spec']['network']['cilium'],
				calico: { encapsulation: 'ipip', crossSubnet: false, mtu: 0 },
			},
		},
	};
	t.deepEqual(run.outcomes, [{ cluster: expected, savedPath: './cluster.yaml' }]);
	t.is(run.saved.length, 1);
	const saved = run.saved[0]!;
	t.is(saved.path, './cluster.yaml');
	t.true(saved.text.startsWith('# yaml-language-server: $schema=file:///kubestrap/schema/cluster.schema.json\napiVersion: kubestrap.dev/v1alpha1\nkind: Cluster\n'));
	const reread = resolveSpec({ file: { content: saved.text, name: 'cluster.yaml' } });
	t.true(reread.ok, JSON.stringify(reread));
	if (reread.ok) t.deepEqual(reread.cluster, expected, 'the saved file reads back as the same cluster');
	t.regex(await screen(run.app, /Saved/), /Saved \.\/cluster\.yaml \(mode 0600\)\. Install with: kubestrap install --yes\s+\(reads\s+\.\/cluster\.yaml\)/);
});

test.serial('Esc goes back one question at a time and every answer is still there', async (t) => {
	const run = runWizardApp();
	await text(run, /Cluster name:/, 'demo');
	await select(run, /Select target/);
	await hosts(run, ['10.0.0.1', '10.0.0.2']);
	await text(run, /SSH user:/, 'ubuntu');
	await screen(run.app, /SSH port:/);
	await press(run.app.stdin, KEYS.escape);
	t.regex(await screen(run.app, /SSH user:/), /SSH user: ubuntu/);
	await press(run.app.stdin, KEYS.escape);
	let frame = await screen(run.app, /Hosts:/);
	t.regex(frame, /control-plane +10\.0\.0\.1/);
	t.regex(frame, /worker +10\.0\.0\.2/);
	await press(run.app.stdin, KEYS.left);
	frame = await screen(run.app, /Select target/);
	t.regex(frame, /› baremetal/);
	await stroke(run.app, KEYS.down);
	await press(run.app.stdin, KEYS.left);
	t.regex(await screen(run.app, /Cluster name:/), /Cluster name: demo/);
	await press(run.app.stdin, KEYS.enter);
	await select(run, /Select target/);
	frame = await screen(run.app, /Hosts:/);
	t.regex(frame, /10\.0\.0\.2/, 'hosts kept');
	await press(run.app.stdin, KEYS.enter);
	t.regex(await screen(run.app, /SSH user:/), /SSH user: ubuntu/);
	run.app.unmount();
});

test.serial('switching target to aws and back keeps each target\'s answers', async (t) => {
	const run = runWizardApp({ trees: [{ metadata: { name: 'demo' } }] });
	await select(run, /Select target/);
	await hosts(run, ['10.0.0.1']);
	await screen(run.app, /SSH user:/);
	await press(run.app.stdin, KEYS.escape);
	await screen(run.app, /Hosts:/);
	await press(run.app.stdin, KEYS.escape);
	await select(run, /Select target/, 1);
	let frame = await text(run, /AWS region:/, 'eu-west-1');
	t.regex(frame, /Region of the instances/);
	frame = await screen(run.app, /Instance IDs:/);
	await type(run.app.stdin, 'i-123');
	t.regex(run.frame(), /✗ "i-123" is not an EC2 instance ID such as i-0abc123def4567890/);
	await press(run.app.stdin, KEYS.enter);
	t.regex(run.frame(), /Instance IDs:/, 'refused');
	await stroke(run.app, KEYS.backspace, 5);
	await press(run.app.stdin, KEYS.enter);
	frame = await screen(run.app, /Instance tags:/);
	await press(run.app.stdin, KEYS.enter);
	t.regex(run.frame(), /✗ spec\.aws\.instanceIds: required: list instance IDs/, 'with neither IDs nor tags the tags question says so');
	await type(run.app.stdin, 'kubestrap.dev/cluster=demo');
	await press(run.app.stdin, KEYS.enter);
	await select(run, /Select SSH address type/);
	await screen(run.app, /SSH user:/);
	for (const prompt of [/Select SSH address type/, /Instance tags:/, /Instance IDs:/, /AWS region:/, /Select target/]) {
		await press(run.app.stdin, KEYS.escape);
		await screen(run.app, prompt);
	}
	await stroke(run.app, KEYS.up);
	await press(run.app.stdin, KEYS.enter);
	frame = await screen(run.app, /Hosts:/);
	t.regex(frame, /control-plane +10\.0\.0\.1/, 'baremetal hosts are back');
	run.app.unmount();
});

async function toCni(run: ReturnType<typeof runWizardApp>): Promise<void> {
	await text(run, /SSH user:/, 'ubuntu');
	for (const prompt of [/SSH port:/, /SSH identity file:/]) await text(run, prompt);
	await select(run, /Select host key policy/);
	for (const prompt of [/Bastion address:/, /Kubernetes version:/, /Pod subnet:/, /Service subnet:/]) await text(run, prompt);
}

const awsTrees = [{ metadata: { name: 'demo' }, spec: { target: 'aws', aws: { region: 'eu-west-1', instanceIds: ['i-0abc123def4567890'] } } }];

test.serial('ENI forces tunnel disabled and masquerade off, skips both questions and says why; another IPAM gives them back', async (t) => {
	const run = runWizardApp({ trees: awsTrees });
	const first = await screen(run.app, /SSH user:/);
	t.regex(first, /kubestrap {2}SSH › Kubernetes/, 'name, target and the spec.aws the file gave are not asked');
	await toCni(run);
	await text(run, /Control-plane endpoint:/);
	await select(run, /Select CNI/);
	let frame = await select(run, /Select Cilium IPAM/, 3);
	t.notRegex(frame, /unavailable/, 'eni is available on aws');
	frame = await screen(run.app, /Select policy enforcement/);
	t.regex(frame, /→ IPAM eni: tunnel set to "disabled" and masquerade turned off/);
	t.notRegex(frame, /Select Cilium tunnel/);
	await press(run.app.stdin, KEYS.escape);
	frame = await screen(run.app, /Select Cilium IPAM/);
	t.regex(frame, /› eni/, 'the answer is kept');
	await stroke(run.app, KEYS.up, 3);
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Select Cilium tunnel/);
	t.regex(run.frame(), /› vxlan/, 'the tunnel is given back its value from before ENI');
	await press(run.app.stdin, KEYS.escape);
	await select(run, /Select Cilium IPAM/, 3);
	await select(run, /Select policy enforcement/);
	await confirm(run, /kube-proxy replacement\?/);
	await confirm(run, /Hubble\?/);
	await select(run, /› Save and exit/);
	await text(run, /File:/);
	await until(() => run.outcomes.length === 1);
	const outcome = run.outcomes[0];
	t.true(typeof outcome === 'object');
	if (typeof outcome === 'object') {
		t.deepEqual(outcome.cluster.spec.network.cilium, cilium({ ipam: 'eni', tunnel: 'disabled', disableMasquerade: true }));
	}
	t.regex(run.saved[0]?.text ?? '', /ipam: eni\n\s+tunnel: disabled\n/);
});

test.serial('Calico without encapsulation turns cross-subnet off with a notice and asks the MTU next', async (t) => {
	const run = runWizardApp({ trees: [{ metadata: { name: 'demo' }, spec: { hosts: [{ address: '10.0.0.1', role: 'control-plane' }] } }] });
	await select(run, /Select target/);
	await toCni(run);
	await select(run, /Select CNI/, 1);
	await select(run, /Select Calico encapsulation/, 2);
	const frame = await screen(run.app, /Calico MTU:/);
	t.regex(frame, /→ Encapsulation none: cross-subnet turned off/);
	await type(run.app.stdin, '5');
	t.regex(run.frame(), /✗ 5 is too small; use 0 \(auto\) or an MTU from 1000 to 9000/);
	await stroke(run.app, KEYS.backspace, 2);
	await type(run.app.stdin, 'x');
	t.regex(run.frame(), /✗ "x" must be a whole number from 0 to 9000/);
	run.app.unmount();
});

test.serial('a minor the pinned CNIs are not tested on, or one past its end of life, is refused as it is typed, with the reason', async (t) => {
	const run = runWizardApp({ trees: [{ metadata: { name: 'demo' }, spec: { hosts: [{ address: '10.0.0.1', role: 'control-plane' }] } }] });
	await select(run, /Select target/);
	await text(run, /SSH user:/, 'ubuntu');
	for (const prompt of [/SSH port:/, /SSH identity file:/]) await text(run, prompt);
	await select(run, /Select host key policy/);
	await text(run, /Bastion address:/);
	await screen(run.app, /Kubernetes version: 1\.36/);
	await stroke(run.app, KEYS.backspace);
	await type(run.app.stdin, '7');
	t.regex(run.frame(), /✗ Kubernetes 1\.37 is not supported: Cilium 1\.20\.1 and Calico 3\.32\.1 are not\s+tested on it/);
	await stroke(run.app, KEYS.backspace);
	await type(run.app.stdin, '4');
	t.regex(run.frame(), /✗ Kubernetes 1\.34 reached end of life on\s+2026-10-27/);
	await stroke(run.app, KEYS.backspace);
	await type(run.app.stdin, '5');
	t.notRegex(run.frame(), /✗/);
	await press(run.app.stdin, KEYS.enter);
	for (const prompt of [/Pod subnet:/, /Service subnet:/]) await text(run, prompt);
	const frame = await screen(run.app, /Select CNI/);
	t.regex(frame, /› cilium/);
	t.notRegex(frame, /unavailable/);
	run.app.unmount();
});

test.serial('several control planes make the endpoint a required question', async (t) => {
	const run = runWizardApp({
		trees: [{
			metadata: { name: 'demo' },
			spec: { hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((address) => ({ address, role: 'control-plane' })), ssh: { user: 'ubuntu' }, kubernetes: { version: '1.35' } },
		}],
	});
	await select(run, /Select target/);
	// spec.ssh and spec.kubernetes were given: their defaults stand, only the missing endpoint is asked.
	await screen(run.app, /Control-plane endpoint:/);
	await press(run.app.stdin, KEYS.enter);
	t.regex(run.frame(), /✗ required with 3 control-plane hosts/);
	await type(run.app.stdin, 'api.example.com:6443');
	await press(run.app.stdin, KEYS.enter);
	t.regex(await screen(run.app, /Select CNI/), /Select CNI/);
	run.app.unmount();
});

test.serial('an answer clashing with a provided value is refused where it is typed', async (t) => {
	const run = runWizardApp({ trees: [{ metadata: { name: 'demo' }, spec: { kubernetes: { serviceSubnet: '10.96.0.0/12' } } }] });
	await select(run, /Select target/);
	await screen(run.app, /Address \(control-plane\):/);
	await type(run.app.stdin, '10.96.0.5');
	t.regex(run.frame(), /✗ spec\.kubernetes\.serviceSubnet: 10\.96\.0\.0\/12 contains spec\.hosts\[0\]\.address\s+10\.96\.0\.5; node addresses must be outside the service subnet/);
	await press(run.app.stdin, KEYS.enter);
	t.regex(run.frame(), /\(no hosts yet\)/, 'not added: the service subnet was provided, so only here can it be fixed');
	await stroke(run.app, KEYS.backspace, '96.0.5'.length);
	await type(run.app.stdin, '0.0.1');
	await press(run.app.stdin, KEYS.enter);
	t.regex(await screen(run.app, /control-plane +10\.0\.0\.1/), /Private address of 10\.0\.0\.1 \(optional\):/);
	await type(run.app.stdin, '10.96.0.7');
	t.regex(run.frame(), /✗ spec\.kubernetes\.serviceSubnet: 10\.96\.0\.0\/12 contains\s+spec\.hosts\[0\]\.privateAddress 10\.96\.0\.7/, 'the private address meets the same rule');
	await press(run.app.stdin, KEYS.enter);
	t.regex(run.frame(), /Private address of 10\.0\.0\.1/, 'refused');
	run.app.unmount();
});

test.serial('a host\'s private address and node name: asked after its address, checked as typed, skipped with Enter, Esc steps back', async (t) => {
	const run = runWizardApp({ trees: [{ metadata: { name: 'demo' } }] });
	await select(run, /Select target/);
	await screen(run.app, /Address \(control-plane\):/);
	await type(run.app.stdin, '192.0.2.10');
	await press(run.app.stdin, KEYS.enter);
	let frame = await screen(run.app, /Private address of 192\.0\.2\.10 \(optional\):/);
	t.regex(frame, /kubelet node-ip/, 'the field help is shown');
	await type(run.app.stdin, '10.0.0.');
	t.regex(run.frame(), /✗ "10\.0\.0\." is not an IPv4 address \(it becomes the kubelet node-ip\)/);
	await press(run.app.stdin, KEYS.enter);
	t.regex(run.frame(), /Private address of 192\.0\.2\.10/, 'refused');
	await type(run.app.stdin, '10');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Node name of 192\.0\.2\.10 \(optional\):/);
	await type(run.app.stdin, 'CP_1');
	t.regex(run.frame(), /✗ .*RFC 1123/);
	await press(run.app.stdin, KEYS.escape);
	frame = await screen(run.app, /Private address of 192\.0\.2\.10 \(optional\): 10\.0\.0\.10/);
	t.regex(frame, /control-plane +192\.0\.2\.10 +10\.0\.0\.10/, 'the row shows the private address');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Node name of 192\.0\.2\.10 \(optional\):\s*$/m);
	await type(run.app.stdin, 'cp-1');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Address \(worker\):/);
	await type(run.app.stdin, '192.0.2.11');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Private address of 192\.0\.2\.11/);
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Node name of 192\.0\.2\.11/);
	await type(run.app.stdin, 'cp-1');
	t.regex(run.frame(), /✗ "cp-1" is already the name of spec\.hosts\[0\]/);
	await stroke(run.app, KEYS.backspace, 4);
	await press(run.app.stdin, KEYS.enter);
	frame = await screen(run.app, /192\.0\.2\.11[\s\S]*Address \(worker\):/);
	t.regex(frame, /1 {2}control-plane {2}192\.0\.2\.10 {4}10\.0\.0\.10 {2}cp-1/);
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /SSH user:/);
	await press(run.app.stdin, KEYS.escape);
	await screen(run.app, /Hosts:/);
	await stroke(run.app, KEYS.up);
	await press(run.app.stdin, 'e');
	await screen(run.app, /Address \(worker\) #2: 192\.0\.2\.11/);
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Private address of 192\.0\.2\.11 \(optional\):/);
	await type(run.app.stdin, '10.0.0.11');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Node name of 192\.0\.2\.11/);
	await type(run.app.stdin, 'worker-1');
	await press(run.app.stdin, KEYS.enter);
	frame = await screen(run.app, /Address \(worker\):\s*$/m);
	t.regex(frame, /1 {2}control-plane {2}192\.0\.2\.10 {4}10\.0\.0\.10 {2}cp-1/);
	t.regex(frame, /2 {2}worker {9}192\.0\.2\.11 {4}10\.0\.0\.11 {2}worker-1/, 'edited in place, details included');
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /SSH user:/);
	run.app.unmount();
});

test.serial('Ctrl-C ends at once with nothing saved', async (t) => {
	const run = runWizardApp();
	await text(run, /Cluster name:/, 'demo');
	await screen(run.app, /Select target/);
	await press(run.app.stdin, KEYS.ctrlC);
	await until(() => run.outcomes.length === 1);
	t.deepEqual(run.outcomes, ['aborted']);
	t.deepEqual(run.saved, []);
	t.regex(await screen(run.app, /Interrupted/), /Interrupted; nothing was saved\./);
});

const complete = {
	metadata: { name: 'demo' },
	spec: { target: 'baremetal', hosts: [{ address: '10.0.0.1', role: 'control-plane' }], ssh: { user: 'ubuntu', port: 22, hostKeyPolicy: 'strict', knownHostsFile: '~/.ssh/known_hosts' }, kubernetes: { version: '1.35', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' } },
};

test.serial('a complete file goes straight to the review; saving asks before overwriting; exit without saving writes nothing', async (t) => {
	const run = runWizardApp({ trees: [complete, { spec: { network: { cni: 'cilium', cilium: { ipam: 'kubernetes', tunnel: 'geneve', enablePolicy: 'never', disableMasquerade: false, kubeProxyReplacement: false, hubble: true } } } }], existing: ['./cluster.yaml'] });
	const frame = await screen(run.app, /Select what to do/);
	t.notRegex(frame, /Install now/);
	t.regex(frame, /Cilium 1\.20\.1 \(ipam kubernetes, geneve tunnel/);
	await select(run, /› Save and exit/);
	await text(run, /File: \.\/cluster\.yaml/);
	await screen(run.app, /\.\/cluster\.yaml exists\. Overwrite it\? \(y\/N\)/);
	await press(run.app.stdin, 'n');
	await screen(run.app, /File:/);
	await press(run.app.stdin, KEYS.escape);
	await select(run, /Select what to do/, 1);
	await until(() => run.outcomes.length === 1);
	t.deepEqual(run.saved, []);
	const outcome = run.outcomes[0];
	t.true(typeof outcome === 'object' && outcome.savedPath === undefined);
	t.regex(await screen(run.app, /Exited/), /Exited without saving; nothing was written\./);
});

test.serial('Install now hands the cluster to onInstall', async (t) => {
	const run = runWizardApp({ trees: [complete, { spec: { network: { cni: 'calico', calico: { encapsulation: 'vxlan', crossSubnet: true, mtu: 1450 } } } }], onInstall: true });
	const frame = await screen(run.app, /› Install now/);
	t.regex(frame, /Save and exit/);
	await press(run.app.stdin, KEYS.enter);
	await until(() => run.installs.length === 1);
	t.is(run.installs[0]?.metadata.name, 'demo');
	t.deepEqual(run.saved, []);
	t.true(typeof run.outcomes[0] === 'object' && run.outcomes[0].install === true);
});

test.serial('the review lists problems nothing asked about and will not save until they are fixed', async (t) => {
	const full = { cni: 'cilium', cilium: { ipam: 'cluster-pool', tunnel: 'vxlan', enablePolicy: 'default', disableMasquerade: false, kubeProxyReplacement: false, hubble: true } };
	const run = runWizardApp({ trees: [complete, { spec: { kubernetes: { podSubnet: '10.96.0.0/16' }, network: full } }] });
	const frame = await screen(run.app, /Select what to do/);
	t.regex(frame, /✗ spec\.kubernetes\.serviceSubnet: 10\.96\.0\.0\/12 overlaps the pod subnet/);
	t.regex(frame, /Save and exit — unavailable: fix the problems above first \(esc goes back\)/);
	t.regex(frame, /› Exit without saving/);
	await stroke(run.app, KEYS.up);
	await press(run.app.stdin, KEYS.enter);
	t.deepEqual(run.saved, []);
	t.deepEqual(run.outcomes, []);
	run.app.unmount();
});

test.serial('the connection test comes after the SSH answers on baremetal; failing hosts lead back to the host list and it runs again', async (t) => {
	const tested: Cluster[] = [];
	const connectionTest: ConnectionTest = async (cluster, ui) => {
		tested.push(cluster);
		for (const host of cluster.spec.hosts) {
			if (host.address === '10.0.0.9') ui.report({ host: host.address, state: 'failed', detail: 'unreachable: cannot connect (connect ECONNREFUSED 10.0.0.9:22)' });
			else if (await ui.trustHostKey({ host: host.address, keyType: 'ED25519', fingerprint: `SHA256:${host.address}`, knownHostsFile: cluster.spec.ssh.knownHostsFile })) {
				ui.report({ host: host.address, state: 'ok', detail: 'Debian 12 · kernel 6.1.0 · sudo ok' });
			} else ui.report({ host: host.address, state: 'failed', detail: 'host key not trusted' });
		}
	};
	const run = runWizardApp({ connectionTest });
	await text(run, /Cluster name:/, 'demo');
	await select(run, /Select target/);
	await hosts(run, ['10.0.0.1', '10.0.0.9']);
	await text(run, /SSH user:/, 'ubuntu');
	for (const prompt of [/SSH port:/, /SSH identity file:/]) await text(run, prompt);
	await select(run, /Select host key policy/);
	await text(run, /Bastion address:/);
	let frame = await screen(run.app, /Host 10\.0\.0\.1 is not in ~\/\.ssh\/known_hosts\./);
	t.regex(frame, /kubestrap {2}Name › Target › Hosts › SSH › Kubernetes/, 'part of the SSH section');
	t.is(tested[0]?.spec.ssh.user, 'ubuntu', 'tested with the answers given');
	await press(run.app.stdin, 'y');
	frame = await screen(run.app, /1 of 2 hosts failed\./);
	t.regex(frame, /✓ 10\.0\.0\.1 +Debian 12/);
	t.regex(frame, /✗ 10\.0\.0\.9 +unreachable: cannot connect/);
	await select(run, /› Test again/, 1);
	frame = await screen(run.app, /Hosts:/);
	t.regex(frame, /worker +10\.0\.0\.9/, 'the hosts as they were');
	await stroke(run.app, KEYS.up);
	await press(run.app.stdin, 'd');
	await press(run.app.stdin, KEYS.escape);
	await screen(run.app, /Address \(worker\):\s*$/m);
	await press(run.app.stdin, KEYS.enter);
	t.regex(await screen(run.app, /SSH user:/), /SSH user: ubuntu/, 'the SSH answers are kept');
	for (const prompt of [/SSH user:/, /SSH port:/, /SSH identity file:/]) await text(run, prompt);
	await select(run, /Select host key policy/);
	await text(run, /Bastion address:/);
	await screen(run.app, /Trust it\?/);
	t.is(tested.length, 2, 'tested again');
	t.deepEqual(tested[1]?.spec.hosts.map((host) => host.address), ['10.0.0.1']);
	await press(run.app.stdin, 'y');
	await screen(run.app, /All 1 host passed\./);
	await press(run.app.stdin, KEYS.enter);
	await screen(run.app, /Kubernetes version:/);
	await press(run.app.stdin, KEYS.escape);
	await screen(run.app, /Trust it\?/);
	t.is(tested.length, 3, 'coming back to it runs it again');
	run.app.unmount();
});

test.serial('Ctrl-C during the connection test ends at once with nothing saved', async (t) => {
	let signal: AbortSignal | undefined;
	const connectionTest: ConnectionTest = async (_cluster, ui, given) => {
		signal = given;
		await ui.trustHostKey({ host: '10.0.0.1', keyType: 'ED25519', fingerprint: 'SHA256:x', knownHostsFile: '~/.ssh/known_hosts' });
	};
	const run = runWizardApp({ connectionTest, trees: [{ metadata: { name: 'demo' }, spec: { target: 'baremetal', hosts: [{ address: '10.0.0.1', role: 'control-plane' }], ssh: { user: 'ubuntu' } } }] });
	await screen(run.app, /Trust it\?/);
	await press(run.app.stdin, KEYS.ctrlC);
	await until(() => run.outcomes.length === 1);
	t.deepEqual(run.outcomes, ['aborted']);
	t.deepEqual(run.saved, []);
	t.true(signal?.aborted, 'the test was told to stop');
});

test.serial('no connection test on aws: the instances are not known before discovery', async (t) => {
	let called = false;
	const run = runWizardApp({ connectionTest: async () => void (called = true), trees: awsTrees });
	await text(run, /SSH user:/, 'ubuntu');
	for (const prompt of [/SSH port:/, /SSH identity file:/]) await text(run, prompt);
	await select(run, /Select host key policy/);
	await text(run, /Bastion address:/);
	t.regex(await screen(run.app, /Kubernetes version:/), /Kubernetes version:/);
	t.false(called);
	run.app.unmount();
});
