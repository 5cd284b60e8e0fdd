// The ENI IAM policy as a golden file (kops keeps its IAM policies the same way), the union it must
// hold, and `kubestrap aws iam-policy` printing exactly it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { ciliumEniPolicy, ciliumEniPolicyText } from '../../source/cloud/iam-policy.js';
import { eniMaxPods } from '../../source/cloud/max-pods.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const golden = readFileSync(join(root, 'test/cloud/golden/cilium-eni-iam-policy.json'), 'utf8');

test('the policy document matches the golden file', (t) => {
	t.is(ciliumEniPolicyText(), golden);
});

test('it holds Cilium\'s current list and kops\' list, and nothing for IPv6 or instance tag filters', (t) => {
	const actions = new Set(ciliumEniPolicy().Statement.flatMap((s) => s.Action));
	const cilium = ['DeleteNetworkInterface', 'DescribeInstanceTypes', 'DescribeNetworkInterfaces', 'DescribeSubnets', 'DescribeVpcs', 'DescribeRouteTables', 'DescribeSecurityGroups', 'CreateNetworkInterface', 'AttachNetworkInterface', 'ModifyNetworkInterfaceAttribute', 'AssignPrivateIpAddresses', 'CreateTags', 'DescribeManagedPrefixLists', 'GetManagedPrefixListEntries', 'DescribeTags', 'UnassignPrivateIpAddresses'];
	const kops = ['DescribeSubnets', 'AttachNetworkInterface', 'AssignPrivateIpAddresses', 'UnassignPrivateIpAddresses', 'CreateNetworkInterface', 'DescribeNetworkInterfaces', 'DescribeVpcPeeringConnections', 'DescribeSecurityGroups', 'DetachNetworkInterface', 'DeleteNetworkInterface', 'ModifyNetworkInterfaceAttribute', 'DescribeVpcs', 'CreateTags'];
	for (const action of [...cilium, ...kops]) t.true(actions.has(`ec2:${action}`), action);
	t.is(actions.size, new Set([...cilium, ...kops]).size);
	t.false(actions.has('ec2:AssignIpv6Addresses'));
});

test('kubestrap aws iam-policy prints it; --output-file writes it', (t) => {
	const run = (args: string[], cwd = root) => spawnSync(process.execPath, [join(root, 'bin/kubestrap.js'), 'aws', 'iam-policy', ...args], { cwd, encoding: 'utf8' });
	const out = run([]);
	t.is(out.status, 0);
	t.is(out.stdout, golden);
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-iam-'));
	const file = run(['--output-file', 'policy.json'], dir);
	t.is(file.status, 0, file.stderr);
	t.is(readFileSync(join(dir, 'policy.json'), 'utf8'), golden);
	const help = run(['--help']);
	t.is(help.status, 0);
	t.regex(help.stdout, /--output-file <file>/);
});

test('ENI maxPods: ENIs × (addresses per ENI − 1) + 2, capped at 110 (250 from 30 vCPUs)', (t) => {
	const table: Array<[string, number, number, number, number]> = [
		['t3.micro', 2, 2, 2, 4],
		['t3.medium', 3, 6, 2, 17],
		['m5.large', 3, 10, 2, 29],
		['m5.2xlarge', 4, 15, 8, 58],
		['m5.4xlarge', 8, 30, 16, 110],
		['m5.24xlarge', 15, 50, 96, 250],
	];
	for (const [type, enis, ips, vcpus, expected] of table) t.is(eniMaxPods(enis, ips, vcpus), expected, type);
});
