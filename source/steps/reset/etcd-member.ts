// Takes an unreachable control plane's etcd member out of the cluster from a control plane that stays
// (a control plane that answers has kubeadm reset do it). The member is found by its exact peer URL and
// removed by its ID; a name is never matched, so a similarly named or numbered member is never touched.
import { read, run } from '../exec.js';
import { kubectl } from '../../cluster/kubectl.js';
import { StepError, type RunContext, type Step, type StepHost } from '../types.js';
import { peerUrls, requireApiHost, scopeOf, targetHosts } from './scope.js';

const PKI = '/etc/kubernetes/pki/etcd';

export interface EtcdMember {
	id: string;
	status: string;
	name: string;
	peerUrls: string[];
	clientUrls: string[];
}

/** `etcdctl member list -w simple`: "8e9e05c52164694d, started, cp-1, https://10.0.0.1:2380, https://10.0.0.1:2379, false". */
export function parseMembers(text: string): EtcdMember[] {
	return text.split('\n').map((line) => line.trim()).filter((line) => line !== '').map((line) => {
		const [id = '', status = '', name = '', peers = '', clients = ''] = line.split(', ');
		return { id, status, name, peerUrls: peers.split(',').filter(Boolean), clientUrls: clients.split(',').filter(Boolean) };
	}).filter((m) => /^[0-9a-f]+$/.test(m.id));
}

/** etcdctl inside the etcd static pod of the API host, with kubeadm's etcd client certificates. */
export function etcdctl(apiNode: string, ...args: string[]): string[] {
	return kubectl('-n', 'kube-system', 'exec', `etcd-${apiNode}`, '--', 'etcdctl', '--endpoints=https://127.0.0.1:2379',
		`--cacert=${PKI}/ca.crt`, `--cert=${PKI}/server.crt`, `--key=${PKI}/server.key`, ...args);
}

export function apiNodeName(ctx: RunContext, api: StepHost): string {
	const name = scopeOf(ctx).apiNode;
	if (name === undefined) throw new Error(`${api.id}: the Node name of this control plane was not found in the API`);
	return name;
}

export async function listMembers(ctx: RunContext, step: string): Promise<EtcdMember[]> {
	const api = requireApiHost(ctx);
	return parseMembers(await read(ctx, step, api, etcdctl(apiNodeName(ctx, api), 'member', 'list', '-w', 'simple'), { sudo: true }));
}

export function memberOf(ctx: RunContext, host: StepHost, members: EtcdMember[]): EtcdMember[] {
	const urls = peerUrls(host, scopeOf(ctx).nodeIps.get(host.id));
	return members.filter((m) => m.peerUrls.some((url) => urls.includes(url)));
}

export const etcdMemberStep: Step = {
	id: 'etcd-member',
	title: 'Remove unreachable control planes from etcd',
	parallel: false,
	targets: (ctx) => (scopeOf(ctx).whole ? [] : targetHosts(ctx).filter((h) => h.host.role === 'control-plane')),
	async shouldRun(ctx, host) {
		if (!scopeOf(ctx).unreachable.has(host.id)) return 'kubeadm reset on the host removes its member';
		return memberOf(ctx, host, await listMembers(ctx, 'etcd-member')).length > 0 ? true : 'no etcd member with its peer URL';
	},
	async run(ctx, host) {
		const api = requireApiHost(ctx);
		const found = memberOf(ctx, host, await listMembers(ctx, 'etcd-member'));
		if (found.length > 1) throw new StepError(host.id, 'etcd-member', 'etcdctl member list', 1, [`${found.length} members share its peer URL: ${found.map((m) => m.id).join(', ')}; remove the right one by ID with etcdctl member remove`]);
		const member = found[0] as EtcdMember;
		await run(ctx, 'etcd-member', api, etcdctl(apiNodeName(ctx, api), 'member', 'remove', member.id), { sudo: true });
	},
};
