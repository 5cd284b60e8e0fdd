// What an active firewalld must let through, per role and CNI (the preflight warning on RHEL-family hosts).
import test from 'ava';
import { firewallOpenings, firewalldWarning } from '../../source/steps/rules/firewall.js';
import { preflightStep } from '../../source/steps/list/preflight.js';
import { runSteps } from '../../source/steps/runner.js';
import { specCluster, stepHarness } from './_step-harness.js';

const cilium = specCluster().spec.network;
const calico = (encapsulation: 'ipip' | 'vxlan' | 'none'): typeof cilium => ({ ...cilium, cni: 'calico', calico: { encapsulation, crossSubnet: false, mtu: 0 } });

test('openings per role and CNI: Kubernetes\' ports, then Cilium\'s health, tunnel and Hubble, or Calico\'s BGP, IPIP or VXLAN', (t) => {
	const rows: Array<[string, string[], string[]]> = [
		['control plane, Cilium vxlan', firewallOpenings('control-plane', cilium), ['6443/tcp', '2379-2380/tcp', '10250/tcp', '10257/tcp', '10259/tcp', '4240/tcp', '8472/udp', '4244/tcp']],
		['worker, Calico ipip', firewallOpenings('worker', calico('ipip')), ['10250/tcp', '10256/tcp', '30000-32767/tcp', '179/tcp', 'ipip']],
		['worker, Calico vxlan', firewallOpenings('worker', calico('vxlan')), ['10250/tcp', '10256/tcp', '30000-32767/tcp', '4789/udp']],
		['worker, Calico none', firewallOpenings('worker', calico('none')), ['10250/tcp', '10256/tcp', '30000-32767/tcp', '179/tcp']],
	];
	for (const [name, got, want] of rows) t.deepEqual(got, want, name);
	t.is(firewalldWarning('192.0.2.11', 'worker', calico('ipip')), 'warning: firewalld is active on 192.0.2.11: the other nodes must reach 10250/tcp, 10256/tcp, 30000-32767/tcp, 179/tcp, ipip there, or joins and pod traffic fail; open them (firewall-cmd --permanent --add-port=10250/tcp --add-port=10256/tcp --add-port=30000-32767/tcp --add-port=179/tcp --add-protocol=ipip && firewall-cmd --reload) or stop firewalld');
});

test('preflight notes an active firewalld (not a refusal) and says nothing where it is not running', async (t) => {
	const h = stepHarness({ states: [{ osId: 'rocky', osVersion: '9.5', services: new Set(['firewalld']) }, {}] });
	const outcome = await runSteps(h.ctx, [preflightStep]);
	t.deepEqual(outcome.failures, []);
	const notes = h.events.filter((e) => e.kind === 'note').map((e) => (e.kind === 'note' ? `${e.host} ${e.line}` : ''));
	t.is(notes.length, 1);
	t.regex(notes[0]!, /^192\.0\.2\.10 warning: firewalld is active on 192\.0\.2\.10: the other nodes must reach 6443\/tcp/);
});
