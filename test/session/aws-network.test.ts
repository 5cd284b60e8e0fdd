// The check's EC2 reader as the commands build it: only for target aws, on the injected client, with the
// retry lines install prints.
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import test from 'ava';
import { awsFactsReader } from '../../source/session/aws-network.js';
import type { AwsPort } from '../../source/session/aws-hosts.js';
import { clusterFixture } from '../cluster/_fixtures.js';
import { awsCluster, ec2Error, instance, mockedEc2, reservations } from '../cloud/_ec2.js';

function io(lines: string[]): AwsPort {
	return { secrets: [], say: (line) => void lines.push(`${line}\n`), print: () => undefined, confirm: async () => false };
}

test('no reader for baremetal; for aws it reads the failed pair from the injected client, retrying throttling', async (t) => {
	t.is(awsFactsReader(clusterFixture(), io([])), undefined);
	const { client, mock } = mockedEc2();
	mock.on(DescribeInstancesCommand).rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503)).resolves(reservations(
		instance({ id: 'i-0000000000000000a', role: 'control-plane', privateIp: '10.0.1.10' }),
		instance({ id: 'i-0000000000000000b', privateIp: '10.0.1.11' }),
	));
	mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-nodes', IpPermissions: [] }] });
	const lines: string[] = [];
	const read = awsFactsReader(awsCluster(), io(lines), { ec2: () => client, retry: { sleep: async () => undefined, random: () => 0.5 } });
	if (!read) return t.fail('no reader for target aws');
	const facts = await read([{ name: 'cp-1', address: '10.0.1.10' }, { name: 'w-1', address: '10.0.1.11' }], [['cp-1', 'w-1']]);
	t.deepEqual(facts.missing.map((m) => [m.traffic, m.groupId, m.nodes]), [['8472/udp', 'sg-nodes', ['cp-1', 'w-1']]]);
	t.regex(lines.join(''), /^aws: .*RequestLimitExceeded, retrying in/m);
	return undefined;
});
