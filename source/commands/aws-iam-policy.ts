// `kubestrap aws iam-policy`: the policy document the control-plane instance role needs in Cilium ENI
// mode, for `aws iam put-role-policy --policy-document file://policy.json`. It is JSON by nature, so
// -o json is its only format; --output-file writes it to a file.
import { ciliumEniPolicyText } from '../cloud/iam-policy.js';
import type { Io } from './io.js';
import { writeResult } from './output-file.js';

export async function iamPolicyCommand(options: { outputFile?: string }, io: Io): Promise<number> {
	return writeResult(ciliumEniPolicyText(), options.outputFile, io, 'the IAM policy for Cilium ENI mode');
}
