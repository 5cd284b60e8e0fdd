// The support table: what is offered for new clusters, the default, end of life judged by date, and
// that every row's facts agree with the rule "both pinned CNI releases tested, not end of life".
import test from 'ava';
import { cniRefusal, DEFAULT_KUBERNETES_MINOR, findMinor, KUBERNETES_MINORS, offeredMinors, resolveKubernetesVersion } from '../../source/spec/versions.js';

test('offered minors: both CNIs tested and not end of life; the default is the newest of them', (t) => {
	t.deepEqual(offeredMinors('2026-12-05'), ['1.35', '1.36']);
	t.deepEqual(offeredMinors('2026-10-26'), ['1.34', '1.35', '1.36'], '1.34 was offered until its end of life');
	t.is(DEFAULT_KUBERNETES_MINOR, offeredMinors('2026-12-05').at(-1) ?? '');
	t.is(typeof resolveKubernetesVersion(DEFAULT_KUBERNETES_MINOR, 'cilium', '2026-12-05'), 'object');
	t.is(typeof resolveKubernetesVersion(DEFAULT_KUBERNETES_MINOR, 'calico', '2026-12-05'), 'object');
});

test('end of life is refused for new clusters with the date; the row stays for running clusters', (t) => {
	t.is(resolveKubernetesVersion('1.34', 'calico', '2026-12-05'), 'Kubernetes 1.34 reached end of life on 2026-10-27 and is not installed on new clusters; supported minors: 1.35, 1.36');
	t.deepEqual(resolveKubernetesVersion('1.34.2', 'calico', '2026-10-01'), { minor: findMinor('1.34')!, patch: '1.34.2' });
	t.is(cniRefusal(findMinor('1.34')!, 'cilium'), undefined);
});

test('1.37 shipped but neither pinned CNI release is tested on it', (t) => {
	t.regex(String(resolveKubernetesVersion('1.37', 'cilium', '2026-12-05')), /^Kubernetes 1\.37 is not supported: Cilium 1\.20\.1 and Calico 3\.32\.1 are not tested on it; supported minors: 1\.35, 1\.36$/);
	t.regex(String(cniRefusal(findMinor('1.37')!, 'calico')), /Calico 3\.32\.1 is not tested on it \(tested: 1\.34, 1\.35, 1\.36\)/);
});

test('a minor alone leaves the patch to the package repository; an exact patch is kept', (t) => {
	t.deepEqual(resolveKubernetesVersion('v1.36', 'cilium', '2026-12-05'), { minor: findMinor('1.36')! });
	t.deepEqual(resolveKubernetesVersion('1.36.02', 'cilium', '2026-12-05'), { minor: findMinor('1.36')!, patch: '1.36.2' });
});

test('every row: a known patch of its own minor, v1beta4, minors in order', (t) => {
	for (const row of KUBERNETES_MINORS) {
		t.true(row.knownPatch.startsWith(`${row.minor}.`), row.minor);
		t.is(row.kubeadmApi, 'kubeadm.k8s.io/v1beta4');
	}
	const minors = KUBERNETES_MINORS.map((m) => Number(m.minor.split('.')[1]));
	t.deepEqual(minors, [...minors].sort((a, b) => a - b));
});
