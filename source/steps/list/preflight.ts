// Checks every host before anything is changed on any of them: kernel, OS, sudo, ports, clock,
// unique node names. A failure here is a gate: the run stops with nothing installed. The wizard's
// connection test runs this same step, so a host it passes is one install's gate passes too.
import { RemoteError } from '../../remote/errors.js';
import { probe } from '../exec.js';
import { duplicateNames, hostProblems, sudoNeedsPassword, sudoProblem } from '../rules/platform.js';
import { firewalldWarning } from '../rules/firewall.js';
import { StepError, type Facts, type RunContext, type Step, type StepHost } from '../types.js';

/** sudo for the SSH user: without a password, or with the one given (tried here, so a wrong one stops the run now). */
async function sudoCheck(ctx: RunContext, host: StepHost, facts: Facts): Promise<string | undefined> {
	const user = ctx.cluster.spec.ssh.user ?? 'the SSH user';
	const problem = sudoProblem(facts, user, ctx.sudoPassword !== undefined);
	if (problem !== undefined || ctx.sudoPassword !== 'given' || !sudoNeedsPassword(facts)) return problem;
	try {
		const sudo = await probe(ctx, 'preflight', host, ['true'], { sudo: true });
		return sudo.code === 0 ? undefined : `sudo with the given password failed (${sudo.stderr.trim().split('\n').pop() ?? 'no output'})`;
	} catch (error) {
		if (error instanceof RemoteError && error.command === 'sudo') return error.message.replace(/^host \S+: /, '');
		throw error;
	}
}

export const preflightStep: Step = {
	id: 'preflight',
	title: 'Preflight checks',
	parallel: true,
	gate: true,
	targets: (ctx) => ctx.hosts,
	shouldRun: async () => true,
	async run(ctx, host) {
		const facts = host.facts;
		if (!facts) throw new Error(`${host.id}: facts were not gathered`);
		const problems = hostProblems(facts, host, Math.round(ctx.now() / 1000));
		const sudo = await sudoCheck(ctx, host, facts);
		if (sudo !== undefined) problems.push(sudo);
		for (const [name, ids] of duplicateNames(ctx.hosts)) {
			if (ids.includes(host.id)) problems.push(`node name "${name}" is shared with ${ids.filter((id) => id !== host.id).join(', ')}; set spec.hosts[].name`);
		}
		if (problems.length > 0) throw new StepError(host.id, 'preflight', 'preflight checks', 1, problems);
		// Not a refusal: a firewalld configured for Kubernetes is fine, so the user is told what must be open.
		if (facts.firewalldActive === true) ctx.emit({ kind: 'note', step: 'preflight', host: host.id, line: firewalldWarning(host.id, host.host.role, ctx.cluster.spec.network) });
	},
};
