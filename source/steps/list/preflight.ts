// Checks every host before anything is changed on any of them: kernel, OS, sudo, ports, clock,
// unique node names. A failure here is a gate: the run stops with nothing installed.
import { probe } from '../exec.js';
import { duplicateNames, hostProblems } from '../preflight.js';
import { StepError, type Step } from '../types.js';

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
		const sudo = await probe(ctx, 'preflight', host, ['true'], { sudo: true });
		if (sudo.code !== 0) problems.push(`sudo -n does not work for this user (${sudo.stderr.trim().split('\n').pop() ?? 'no output'}); allow passwordless sudo or configure a sudo password`);
		for (const [name, ids] of duplicateNames(ctx.hosts)) {
			if (ids.includes(host.id)) problems.push(`node name "${name}" is shared with ${ids.filter((id) => id !== host.id).join(', ')}; set spec.hosts[].name`);
		}
		if (problems.length > 0) throw new StepError(host.id, 'preflight', 'preflight checks', 1, problems);
	},
};
