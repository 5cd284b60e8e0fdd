// `kubestrap aws iam-policy`: the policy document the control-plane instance role needs in Cilium ENI
// mode, for `aws iam put-role-policy --policy-document file://policy.json`.
import { resolve } from 'node:path';
import { ciliumEniPolicyText } from '../cloud/iam-policy.js';
import { EXIT, writeFileAtomic, type Io } from './io.js';
import { describeWriteFailure, isRefusedTarget } from '../files/safe-write.js';

export async function iamPolicyCommand(options: { output?: string }, io: Io): Promise<number> {
	const text = ciliumEniPolicyText();
	if (options.output === undefined || options.output === '-') {
		io.stdout(text);
		return EXIT.ok;
	}
	try {
		await writeFileAtomic(resolve(io.cwd, options.output), text);
	} catch (error) {
		io.stderr(`${describeWriteFailure(options.output, error)}\n`);
		return isRefusedTarget(error) ? EXIT.invalid : EXIT.failed;
	}
	io.stderr(`wrote the IAM policy for Cilium ENI mode to ${options.output}\n`);
	return EXIT.ok;
}
