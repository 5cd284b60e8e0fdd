import test from 'ava';
import { render } from 'ink-testing-library';
import { cniInfo, parseSnapshot, statusReport, type StatusReport } from '../../../source/cluster/health/index.js';
import { StatusView } from '../../../source/ui/health/status-view.js';
import { fixtureText, fixtureVerdict } from '../../cluster/health/_fixtures.js';

function report(name: 'cilium-troubled' | 'calico-healthy'): StatusReport {
	const snapshot = parseSnapshot(fixtureText(`${name}.json`));
	const config = name.startsWith('cilium') ? fixtureText('cilium-config.json') : '';
	return statusReport(fixtureVerdict(name), cniInfo(snapshot, config), { cluster: 'demo', generatedAt: '2026-08-01T12:00:00.000Z' });
}

function frameOf(r: StatusReport, color: boolean): string {
	const { lastFrame, unmount } = render(<StatusView report={r} color={color} />);
	const frame = lastFrame() ?? '';
	unmount();
	return frame;
}

test('the status view: verdict, nodes, CNI, workloads, system pods, problems, in 80 columns', (t) => {
	const frame = frameOf(report('cilium-troubled'), false);
	const lines = frame.split('\n');
	t.is(lines[0], 'Cluster demo: unhealthy (9 problems) · 2/3 nodes Ready · 13/16 system pods ready');
	t.true(lines.every((l) => l.length <= 80), lines.filter((l) => l.length > 80).join('\n'));
	t.regex(frame, /^worker-2 +NotReady /m);
	t.regex(frame, /^cilium 1\.20\.1\n {2}ipam +cluster-pool\n {2}routing +tunnel vxlan\n {2}kubeProxyReplacement +false$/m);
	t.regex(frame, /^DaemonSet +kube-system +cilium +3 +1 +1 +1$/m);
	t.regex(frame, /^PROBLEMS\nnode worker-2\n {2}↳ Kubelet stopped posting node status\.$/m);
	t.false(frame.includes('\u001b['));
});

test('a healthy Calico cluster without colour has no escape codes and no problems section', (t) => {
	const frame = frameOf(report('calico-healthy'), false);
	t.regex(frame, /^Cluster demo: healthy/);
	t.regex(frame, /^calico 3\.32\.1\n {2}encapsulation +ipip\n {2}crossSubnet +true$/m);
	t.false(frame.includes('PROBLEMS'));
	t.false(frame.includes('\u001b['));
	t.is(frameOf(report('calico-healthy'), true).replace(/\u001b\[[0-9;]*m/g, ''), frame);
});
