// What status says about versions: the control plane's version, skew beyond the policy, an upgrade left
// half done, and newer releases this kubestrap supports.
import test from 'ava';
import { versionNotes } from '../../source/cluster/upgrade/skew.js';

const cp = (version: string, name = 'cp-1') => ({ name, roles: ['control-plane'], version });
const worker = (version: string, name = 'w-1') => ({ name, roles: [] as string[], version });

test('a cluster at the newest supported minor and patch: nothing to say', (t) => {
	t.deepEqual(versionNotes([cp('v1.36.4'), worker('v1.36.4')], '2026-12-05'), { controlPlane: 'v1.36.4', skew: [], available: [] });
});

test('a kubelet newer than the control plane, or more than 3 minors behind, is flagged', (t) => {
	t.deepEqual(versionNotes([cp('v1.35.8'), worker('v1.36.4')], '2026-12-05').skew, ['w-1 runs kubelet v1.36.4, newer than the control plane v1.35.8: not allowed by the version skew policy']);
	t.regex(versionNotes([cp('v1.36.4'), worker('v1.32.1')], '2026-12-05').skew[0] ?? '', /more than 3 minors behind/);
});

test('mixed versions within the policy: an upgrade has not finished', (t) => {
	t.deepEqual(versionNotes([cp('v1.36.4'), worker('v1.35.8')], '2026-12-05').skew, ['nodes run v1.35.8, v1.36.4: an upgrade has not finished (run kubestrap upgrade again to resume)']);
});

test('a newer supported minor and a newer patch are named with the command', (t) => {
	const notes = versionNotes([cp('v1.35.1'), worker('v1.35.1')], '2026-12-05');
	t.deepEqual(notes.available, [
		'Kubernetes 1.36 is supported by this kubestrap (the cluster runs 1.35): set spec.kubernetes.version: "1.36" and run kubestrap upgrade',
		'1.35 has newer patches (v1.35.8 or later): kubestrap upgrade with version "1.35" installs the newest',
	]);
});
